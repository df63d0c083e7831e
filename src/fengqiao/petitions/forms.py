"""Forms for the petition pages: registration, the ledger's filters, the backlog's filters and one
small form per action. Forms check the shape of the input; the rules live in actions.py."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.events.forms import CategoryField, RegionField
from fengqiao.events.models import Event
from fengqiao.lib import clock
from fengqiao.people.models import Department, Person, Post, Role
from fengqiao.petitions.actions import MAX_EXTENSION_DAYS, MAX_TEAM, PetitionerInput
from fengqiao.petitions.models import Batch, Closing, Form, Kind, Petition, Status
from fengqiao.petitions.queries import AGE_BUCKETS, BacklogFilters, PetitionFilters
from fengqiao.regions.models import Level, Region

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


# ------------------------------------------------------------------------------ registration


class RegistrationForm(forms.Form):
    form = forms.ChoiceField(label=_("Form"), choices=Form.choices, initial=Form.VISIT,
                             widget=forms.RadioSelect)
    kind = forms.ChoiceField(label=_("First-time or repeat"), choices=Kind.choices, initial=Kind.FIRST,
                             widget=forms.RadioSelect)
    received_at = forms.DateTimeField(label=pgettext_lazy("petition", "Received at"), widget=DATETIME_INPUT,
                                      input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"])
    title = forms.CharField(label=_("Subject"), max_length=200,
                            help_text=_("What the petition is about, without the petitioner's name: "
                                        "it goes into texts and lists."))
    content = forms.CharField(label=pgettext_lazy("petition", "The matter"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5}))
    category = CategoryField()
    region = RegionField(label=_("Region"))
    joint = forms.BooleanField(label=_("Joint petition (联名信 / 集体访)"), required=False)
    headcount = forms.IntegerField(label=_("Headcount"), min_value=1, max_value=100_000, initial=1,
                                   widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    key_difficult = forms.BooleanField(label=_("Key difficult matter (重点难点)"), required=False)
    event_code = forms.CharField(label=_("Event code (if the matter is also an event)"), max_length=40,
                                 required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["region"].bind_user(user)
        if not self.is_bound:
            self.initial.setdefault("received_at", timezone.localtime(clock.now()).replace(second=0, microsecond=0))
            self.initial.setdefault("category", "petition.first")

    def clean_event_code(self) -> Event | None:
        from django.http import Http404

        from fengqiao.events.scope import access_event_by_code

        code = (self.cleaned_data.get("event_code") or "").strip()
        if not code:
            return None
        try:
            return access_event_by_code(self.user, code)
        except Http404:
            raise forms.ValidationError(_("No event with that code in your area.")) from None

    def clean(self):
        data = super().clean()
        if data.get("joint") and (data.get("headcount") or 0) < 2:
            self.add_error("headcount", _("A joint petition has at least two petitioners."))
        return data


class PetitionerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    is_representative = forms.BooleanField(label=_("Representative"), required=False)

    def clean(self):
        data = super().clean()
        filled = any((data.get(k) or "").strip() for k in ("id_number", "phone", "address"))
        if filled and not (data.get("name") or "").strip():
            self.add_error("name", _("Give the petitioner's name."))
        return data

    def as_input(self) -> PetitionerInput | None:
        d = self.cleaned_data
        if not (d.get("name") or "").strip():
            return None
        return PetitionerInput(name=d["name"], id_number=d.get("id_number") or "", phone=d.get("phone") or "",
                               address=d.get("address") or "", is_representative=bool(d.get("is_representative")))


PetitionerFormSet = forms.formset_factory(PetitionerForm, extra=0, min_num=1, validate_min=False,
                                          max_num=20, validate_max=True)


def petitioner_formset(data=None, **kwargs):
    return PetitionerFormSet(data, prefix="parties", initial=[{"is_representative": True}], **kwargs)


# ------------------------------------------------------------------------------------ filters


class LedgerFilterForm(forms.Form):
    """The same filters as GET /api/v1/petitions."""

    TRI = [("", _("Any")), ("1", _("Yes")), ("0", _("No"))]
    q = forms.CharField(label=_("Code or subject"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any")), *Status.choices])
    kind = forms.ChoiceField(label=_("First-time or repeat"), required=False, choices=[("", _("Any")), *Kind.choices])
    form = forms.ChoiceField(label=_("Form"), required=False, choices=[("", _("Any")), *Form.choices])
    overdue = forms.ChoiceField(label=_("Overdue"), required=False, choices=TRI)
    registered_from = forms.DateField(label=_("Registered from"), required=False,
                                      widget=forms.DateInput(attrs={"type": "date"}))
    registered_to = forms.DateField(label=_("Registered to"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))

    def filters(self) -> PetitionFilters:
        d = self.cleaned_data
        tri = {"1": True, "0": False}.get(d.get("overdue") or "")
        return PetitionFilters(status=d.get("status") or None, kind=d.get("kind") or None,
                               form=d.get("form") or None, q=d.get("q") or None,
                               registered_from=d.get("registered_from"), registered_to=d.get("registered_to"),
                               overdue=tri)


class BacklogFilterForm(forms.Form):
    batch = forms.ChoiceField(label=_("Batch"), required=False, choices=[("", _("Any")), *Batch.choices])
    age = forms.ChoiceField(label=_("Age"), required=False,
                            choices=[("", _("Any")), *[(k, label) for k, label, *_r in AGE_BUCKETS]])
    town = forms.ChoiceField(label=_("Town"), required=False)
    leader = forms.TypedChoiceField(label=_("Leader in charge"), required=False, coerce=int, empty_value=None)
    settled = forms.ChoiceField(label=_("Settled"), required=False,
                                choices=[("", _("Any")), ("0", _("Not yet")), ("1", _("Settled"))])

    def __init__(self, *args, towns: list[Region], leaders: list[Person], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["town"]).choices = [("", _("Any")), *[(t.code, t.display_name) for t in towns]]
        cast(forms.ChoiceField, self.fields["leader"]).choices = [("", _("Any")), *[(p.pk, p.name) for p in leaders]]

    def filters(self) -> BacklogFilters:
        d = self.cleaned_data
        return BacklogFilters(batch=d.get("batch") or None, age=d.get("age") or None,
                              town_code=d.get("town") or None, leader_id=d.get("leader"),
                              settled={"1": True, "0": False}.get(d.get("settled") or ""))


# -------------------------------------------------------------------------------- action forms


def _people(qs) -> list[tuple[int, str]]:
    seen: dict[int, str] = {}
    for post in qs.select_related("person", "region", "department").order_by("role", "region__code", "id"):
        if post.person_id in seen or not post.person.active:
            continue
        where = post.department.name if post.department_id else post.region.display_name
        seen[post.person_id] = f"{post.person.name}({post.get_role_display()} · {where})"
    return list(seen.items())


def _ids(*values: int | None) -> list[int]:
    return [v for v in values if v is not None]


def leader_candidates(petition: Petition) -> list[tuple[int, str]]:
    """County leaders, and the cadres of the petition's town (镇领导包案)."""
    q = Post.objects.filter(active=True, region_id__in=_ids(petition.county_id), role__in=[Role.COUNTY_LEADER])
    town = Post.objects.filter(active=True, region_id__in=_ids(petition.town_id), role=Role.TOWN_CADRE)
    leaders = _people(q)
    known = {pk for pk, _name in leaders}
    return leaders + [p for p in _people(town) if p[0] not in known]


def team_candidates(petition: Petition) -> list[tuple[int, str]]:
    """The 专班: the town's cadres, the village's people, the departments' liaisons, mediators."""
    regions = _ids(petition.town_id, petition.village_id)
    q = Post.objects.filter(active=True).filter(
        Q(region_id__in=regions, role__in=[Role.TOWN_CADRE, Role.PARTY_SECRETARY, Role.VILLAGE_LIAISON,
                                                   Role.COMMUNITY_POLICE, Role.WORK_TEAM])
        | Q(role__in=[Role.DEPARTMENT_LIAISON, Role.MEDIATOR], region_id__in=_ids(petition.county_id))
    )
    return _people(q)


def body_choices(petition: Petition) -> list:
    """Where a petition can be routed: the county's departments, its towns' governments, and the
    villages of the petition's town."""
    depts = [(f"dept:{d.code}", d.name) for d in Department.objects.order_by("code")]
    towns = [(f"office:{r.code}", r.display_name) for r in
             Region.objects.filter(parent_id=petition.county_id, level=Level.TOWN, retired_at=None).order_by("code")]
    villages = [(f"office:{r.code}", r.display_name) for r in
                Region.objects.filter(parent_id=petition.town_id, level=Level.VILLAGE, retired_at=None).order_by("code")
                ] if petition.town_id else []
    return [("", _("— select —")), (_("County departments"), depts), (_("Towns"), towns),
            (_("Villages of the town"), villages)]


class ActionForm(forms.Form):
    """The fields of one action. `data_for_perform()` is what `actions.perform_action` receives."""

    def __init__(self, *args, petition: Petition, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.petition = petition
        self.user = user

    def data_for_perform(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


def _note(required: bool = False, label=None, max_length: int = 500):
    return forms.CharField(label=label or _("Note"), max_length=max_length, required=required,
                           widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(ActionForm):
    note = _note()


class ReasonForm(ActionForm):
    reason = _note(required=True, label=_("Reason"))


class AnswerForm(ActionForm):
    answer = forms.CharField(label=_("Answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))


class RouteForm(ActionForm):
    body = forms.ChoiceField(label=_("Body responsible"))
    routing = forms.ChoiceField(label=_("Routing"), widget=forms.RadioSelect, initial="transfer",
                                choices=[("transfer", _("Transfer (转送)")), ("assign", _("Assign (交办)"))])
    note = _note()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = body_choices(self.petition)

    def data_for_perform(self) -> dict[str, Any]:
        kind, _sep, code = self.cleaned_data["body"].partition(":")
        key = "department_code" if kind == "dept" else "office_code"
        return {key: code, "routing": self.cleaned_data["routing"], "note": self.cleaned_data["note"]}


class ExtendForm(ActionForm):
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=MAX_EXTENSION_DAYS, initial=MAX_EXTENSION_DAYS,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    reason = _note(required=True, label=_("Reasons (told to the petitioner)"))


class CloseForm(ActionForm):
    closing = forms.ChoiceField(label=_("Closing"), widget=forms.RadioSelect, initial=Closing.SETTLED,
                                choices=[(Closing.SETTLED, _("Settled (办结)")), (Closing.TERMINATED, _("Terminated (终结)"))])
    note = _note()


class AssignForm(ActionForm):
    leader_id = forms.TypedChoiceField(label=_("Leader in charge"), required=False, coerce=int, empty_value=None)
    team_ids = forms.TypedMultipleChoiceField(label=_("Task team (专班)"), required=False, coerce=int,
                                              widget=forms.CheckboxSelectMultiple)
    note = _note()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader_id"].choices = [("", _("— unchanged —")), *leader_candidates(self.petition)]
        self.fields["team_ids"].choices = team_candidates(self.petition)
        if not self.is_bound:
            self.initial["team_ids"] = list(self.petition.team.values_list("pk", flat=True))
            self.initial["leader_id"] = self.petition.leader_id

    def clean_team_ids(self):
        team = self.cleaned_data.get("team_ids") or []
        if len(team) > MAX_TEAM:
            raise forms.ValidationError(_("At most %(n)d people in the task team.") % {"n": MAX_TEAM})
        return team

    def data_for_perform(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"leader_id": d.get("leader_id"), "team_ids": d.get("team_ids") or [], "note": d.get("note", "")}


class EscalateForm(ActionForm):
    note = _note(required=True, label=_("Order"))
    leader_id = forms.TypedChoiceField(label=_("Hand to a leader in charge"), required=False, coerce=int,
                                       empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader_id"].choices = [("", _("— unchanged —")), *leader_candidates(self.petition)]


class LinkEventForm(ActionForm):
    event_code = forms.CharField(label=_("Event code"), max_length=40)


class ListBacklogForm(ActionForm):
    first_raised_year = forms.IntegerField(label=_("Year first raised"), min_value=1949, max_value=2100,
                                           widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    batch = forms.ChoiceField(label=_("Batch (四个一批)"), choices=Batch.choices)
    leader_id = forms.TypedChoiceField(label=_("Leader in charge"), required=False, coerce=int, empty_value=None)
    note = _note()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader_id"].choices = [("", _("— the petition's —")), *leader_candidates(self.petition)]


class ResortForm(ActionForm):
    batch = forms.ChoiceField(label=_("Batch (四个一批)"), choices=Batch.choices)
    reason = _note(required=True, label=_("Reason"))


class SettleBacklogForm(ActionForm):
    settlement = forms.CharField(label=_("How it was settled"), max_length=5000,
                                 widget=forms.Textarea(attrs={"rows": 3}))


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "route": RouteForm,
    "object": ReasonForm,
    "accept": NoteForm,
    "not_accept": ReasonForm,
    "start": NoteForm,
    "extend": ExtendForm,
    "answer": AnswerForm,
    "apply_review": NoteForm,
    "answer_review": AnswerForm,
    "apply_rereview": NoteForm,
    "answer_rereview": AnswerForm,
    "close": CloseForm,
    "assign": AssignForm,
    "urge": NoteForm,
    "escalate": EscalateForm,
    "link_event": LinkEventForm,
    "list_backlog": ListBacklogForm,
    "resort": ResortForm,
    "settle_backlog": SettleBacklogForm,
}


def action_form(action: str, *, petition: Petition, user, data=None) -> ActionForm:
    return ACTION_FORMS[action](data, petition=petition, user=user, prefix=action)

