"""Django forms for the major-matter pages: registration, the list's filters and one small form
per action. Forms check the shape of the input; the rules live in `majors/actions.py`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.events.forms import RegionField
from fengqiao.majors.models import (
    Area,
    Card,
    Channel,
    Decision,
    Dimension,
    ExpertConclusion,
    Grade,
    Identity,
    Kind,
    Level,
    Likelihood,
    Matter,
    Status,
    TeamPost,
)
from fengqiao.majors.queries import MatterFilters
from fengqiao.people.models import Department, Person, Role

DATE = forms.DateInput(attrs={"type": "date"})
AREA = forms.Textarea(attrs={"rows": 3})


def _blank(choices) -> list[tuple[str, Any]]:
    return [("", _("All")), *[(v, label) for v, label in choices if v]]


def leader_choices(region=None) -> QuerySet[Person]:
    """Who may lead a matter in charge (包案领导): county leaders and town cadres (within `region`'s
    county when given)."""
    posts = Q(posts__role__in=[Role.COUNTY_LEADER, Role.TOWN_CADRE], posts__active=True)
    qs = Person.objects.filter(posts, active=True)
    if region is not None and region.county_id:
        qs = qs.filter(posts__region__county_id=region.county_id)
    return qs.distinct().order_by("name", "id")


class MatterForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=pgettext_lazy("major", "Kind"), choices=Kind.choices)
    area = forms.ChoiceField(label=pgettext_lazy("major", "Area"), choices=Area.choices, required=False)
    level = forms.ChoiceField(label=_("Listing level"), choices=Level.choices, initial=Level.COUNTY,
                              help_text=_("Its closing is approved at this level (三级挂账督办)."))
    region = RegionField(label=pgettext_lazy("major", "Location"))
    owner = forms.ModelChoiceField(label=_("Owner unit"), queryset=Department.objects.order_by("code"))
    leader = forms.ModelChoiceField(label=_("Leader in charge"), queryset=Person.objects.none())
    target_on = forms.DateField(label=_("Planned completion"), widget=DATE)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)
    target = forms.CharField(label=_("Target"), widget=AREA, required=False, max_length=10000)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        region_field = self.fields["region"]
        assert isinstance(region_field, RegionField)
        region_field.bind_user(user)
        leader_field = self.fields["leader"]
        assert isinstance(leader_field, forms.ModelChoiceField)
        leader_field.queryset = leader_choices()


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    level = forms.ChoiceField(label=_("Listing level"), choices=_blank(Level.choices), required=False)
    kind = forms.ChoiceField(label=pgettext_lazy("major", "Kind"), choices=_blank(Kind.choices), required=False)
    area = forms.ChoiceField(label=pgettext_lazy("major", "Area"), choices=_blank(Area.choices), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=_blank(Status.choices), required=False)
    card = forms.ChoiceField(label=pgettext_lazy("major", "Supervision"), choices=_blank(Card.choices), required=False)
    owner = forms.ChoiceField(label=_("Owner unit"), required=False)
    leader = forms.TypedChoiceField(label=_("Leader in charge"), required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label=_("Milestone overdue"), required=False)

    def __init__(self, *args, matters: QuerySet[Matter] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        owners = Department.objects.order_by("code")
        leaders = Person.objects.filter(
            pk__in=matters.values_list("leader_id", flat=True) if matters is not None else [])
        owner_field = self.fields["owner"]
        leader_field = self.fields["leader"]
        assert isinstance(owner_field, forms.ChoiceField) and isinstance(leader_field, forms.ChoiceField)
        owner_field.choices = [("", _("All")), *[(d.code, d.name) for d in owners]]
        leader_field.choices = [("", _("All")), *[(p.pk, p.name) for p in leaders.order_by("name", "id")]]

    def filters(self) -> MatterFilters:
        d = self.cleaned_data
        return MatterFilters(level=d.get("level") or "", kind=d.get("kind") or "", area=d.get("area") or "",
                             status=d.get("status") or "", card=d.get("card") or "", owner=d.get("owner") or "",
                             leader=d.get("leader"), q=(d.get("q") or "").strip(), overdue=bool(d.get("overdue")))


# ---------------------------------------------------------------------------------- actions


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=500)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class AssessForm(forms.Form):
    subject = forms.CharField(label=_("Assessing body"), max_length=200, required=False,
                              help_text=_("Leave empty for the owner unit."))
    scope = forms.CharField(label=_("What is assessed"), widget=AREA, required=False, max_length=10000)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=pgettext_lazy("major", "Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    body_name = forms.CharField(label=_("Deciding body"), max_length=200, required=False,
                                help_text=_("Leave empty for the listing level's government."))
    note = forms.CharField(label=_("Note"), widget=AREA, required=False, max_length=10000)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_on = forms.DateField(label=pgettext_lazy("major", "Due on"), widget=DATE)


class RemoveForm(forms.Form):
    remove = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class MemberForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person on the platform"), queryset=Person.objects.none(), required=False)
    name = forms.CharField(label=_("Or a name"), max_length=50, required=False,
                           help_text=_("For a member not on the platform (a party member, a local worthy)."))
    post = forms.ChoiceField(label=_("Post in the task force"), choices=TeamPost.choices, initial=TeamPost.MEMBER)
    identity = forms.ChoiceField(label=_("Identity"), choices=Identity.choices, initial=Identity.VILLAGE_CADRE)
    unit = forms.CharField(label=pgettext_lazy("major", "Unit"), max_length=100, required=False)

    def __init__(self, *args, matter: Matter | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ModelChoiceField)
        if matter is not None:
            where = matter.town or matter.county or matter.listing_region
            ids = list(Person.objects.filter(active=True, posts__active=True,
                                             **{f"posts__region__{k}": v for k, v in where.subtree_kwargs().items()})
                       .distinct().order_by("name", "id").values_list("pk", flat=True)[:300])
            field.queryset = Person.objects.filter(pk__in=ids).order_by("name", "id")

    def clean(self):
        data = super().clean() or {}
        if not data.get("person") and not (data.get("name") or "").strip():
            raise forms.ValidationError(_("Choose a person or give a name."))
        return data


class ReportForm(forms.Form):
    text = forms.CharField(label=pgettext_lazy("major", "Progress"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10000)
    milestone = forms.TypedChoiceField(label=_("Milestone"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, matter: Matter | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["milestone"]
        assert isinstance(field, forms.ChoiceField)
        rows = list(matter.milestones.order_by("seq")) if matter is not None else []
        field.choices = [("", _("— none —")), *[(m.pk, f"{m.seq}. {m.title}") for m in rows]]


class ReassignForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Owner unit"), queryset=Department.objects.order_by("code"), required=False)
    leader = forms.ModelChoiceField(label=_("Leader in charge"), queryset=Person.objects.none(), required=False)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500)

    def __init__(self, *args, matter: Matter | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["leader"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = leader_choices(matter.region if matter is not None else None)


class SummaryForm(forms.Form):
    summary = forms.CharField(label=_("Completion summary"), widget=forms.Textarea(attrs={"rows": 4}),
                              max_length=10000)


class ApproveForm(forms.Form):
    note = forms.CharField(label=_("Review opinion"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                           max_length=1000)


# ---------------------------------------------------------------------- the assessment page


class RiskForm(forms.Form):
    dimension = forms.ChoiceField(label=_("Dimension"), choices=Dimension.choices)
    description = forms.CharField(label=_("Risk"), widget=forms.Textarea(attrs={"rows": 2}), max_length=10000)
    likelihood = forms.ChoiceField(label=_("Likelihood"), choices=Likelihood.choices, initial=Likelihood.MEDIUM)
    impact = forms.ChoiceField(label=_("Impact"), choices=Likelihood.choices, initial=Likelihood.MEDIUM)
    measure = forms.CharField(label=pgettext_lazy("major", "Measure"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                              max_length=10000)
    responsible = forms.CharField(label=_("Responsible"), max_length=200, required=False)


class OpinionForm(forms.Form):
    channel = forms.ChoiceField(label=pgettext_lazy("major", "Channel"), choices=Channel.choices)
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    reached = forms.IntegerField(label=_("People reached"), min_value=1, max_value=10_000_000)
    support = forms.IntegerField(label=_("In favour"), min_value=0, max_value=10_000_000)
    oppose = forms.IntegerField(label=pgettext_lazy("major", "Against"), min_value=0, max_value=10_000_000)
    concerns = forms.CharField(label=_("Main concerns"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                               max_length=10000)

    def clean(self):
        data = super().clean() or {}
        if all(isinstance(data.get(k), int) for k in ("reached", "support", "oppose")) \
                and data["support"] + data["oppose"] > data["reached"]:
            raise forms.ValidationError(_("Those in favour and against cannot outnumber those reached."))
        return data


class ExpertForm(forms.Form):
    name = forms.CharField(label=_("Expert"), max_length=50)
    title = forms.CharField(label=_("Title and field"), max_length=100)
    conclusion = forms.ChoiceField(label=_("Conclusion"), choices=ExpertConclusion.choices)
    opinion = forms.CharField(label=_("Opinion"), widget=forms.Textarea(attrs={"rows": 2}), max_length=10000)


class ConcludeForm(forms.Form):
    grade = forms.ChoiceField(label=_("Risk grade"), choices=Grade.choices, widget=forms.RadioSelect)
    grade_reason = forms.CharField(label=_("Grounds for the grade"), widget=AREA, max_length=10000)
    measures = forms.CharField(label=_("Measures to prevent and defuse the risks"), widget=AREA, max_length=10000)
    contingency = forms.CharField(label=_("Contingency plan"), widget=AREA, required=False, max_length=10000,
                                  help_text=_("Required for a medium or high risk."))


class PartForm(forms.Form):
    part = forms.ChoiceField(choices=[("risk", "risk"), ("opinion", "opinion"), ("expert", "expert")],
                             widget=forms.HiddenInput)
    part_id = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


# ------------------------------------------------------------------------------- milestones


class CompleteForm(forms.Form):
    result = forms.CharField(label=pgettext_lazy("major", "Result"), widget=forms.Textarea(attrs={"rows": 2}), max_length=10000)


class RescheduleForm(forms.Form):
    due_on = forms.DateField(label=_("New date"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
