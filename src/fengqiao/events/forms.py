"""Django forms for the event pages: registration (一窗受理), the list filters and one small form
per action. Forms check the shape of the input; the rules live in `fengqiao.events.actions`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.db.models import Q
from django.http import Http404
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from fengqiao.events.actions import MAX_EXTENSION_DAYS
from fengqiao.events.models import (
    Category,
    DisputeSource,
    Event,
    Satisfaction,
    Source,
    Status,
    Supervision,
)
from fengqiao.events.queries import EventFilters
from fengqiao.events.scope import access_event_by_code
from fengqiao.people.models import Post, Role
from fengqiao.people.queries import posts_of, sees_everything, visible_regions
from fengqiao.regions.models import Level, Region

# ------------------------------------------------------------------------------ region picker


@dataclass
class PickerLevel:
    label: str
    options: list[Region]
    selected: str
    placeholder_value: str


def region_roots(user):
    """The tops of the user's scope: their posts' regions (or the tree's roots for a superuser)."""
    scope = visible_regions(user).filter(retired_at=None)
    if sees_everything(user):
        return scope.filter(parent=None).order_by("code")
    return scope.filter(pk__in=[p.region_id for p in posts_of(user)]).order_by("code")


def region_chain(user, code: str | None) -> list[PickerLevel]:
    """The cascading selects for `code`: from the user's roots down to the chosen region, plus
    one more select for its children when it has any (all within `visible_regions`)."""
    scope = visible_regions(user).filter(retired_at=None)
    roots = list(region_roots(user))
    chosen = scope.filter(code=code).first() if code else None
    path: list[Region] = []
    if chosen is not None:
        lineage = chosen.lineage()
        root_ids = {r.id for r in roots}
        start = next((i for i, r in enumerate(lineage) if r.id in root_ids), None)
        if start is not None:
            path = lineage[start:]
    if not path and len(roots) == 1:
        path = [roots[0]]
    levels: list[PickerLevel] = []
    top_label = Level(roots[0].level).label if roots else ""
    levels.append(PickerLevel(str(top_label), roots, path[0].code if path else "", ""))
    for parent, child in zip(path, path[1:], strict=False):
        options = list(scope.filter(parent=parent).order_by("code"))
        levels.append(PickerLevel(str(Level(child.level).label), options, child.code, parent.code))
    if path:
        last = path[-1]
        children = list(scope.filter(parent=last).order_by("code"))
        if children:
            levels.append(PickerLevel(str(Level(children[0].level).label), children, "", last.code))
    return levels


class RegionPicker(forms.Widget):
    """Cascading selects (county → town → village → grid). Every select carries the field's name;
    a "— select —" option below a level holds the parent's code, so the last select's value is
    always the region chosen. htmx re-renders the picker when a select changes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = None

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        chosen = [v for v in values if v]
        return chosen[-1] if chosen else ""

    def render(self, name, value, attrs=None, renderer=None):
        return render_to_string(
            "fengqiao/region_picker.html",
            {"name": name, "levels": region_chain(self.user, value or None),
             "picker_id": (attrs or {}).get("id", f"id_{name}")},
        )


class RegionField(forms.CharField):
    """A region code from the picker, resolved within the user's `visible_regions`."""

    widget = RegionPicker

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Region"))
        super().__init__(*args, **kwargs)
        self.user = None

    def bind_user(self, user) -> None:
        self.user = user
        self.widget.user = user

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        region = visible_regions(self.user).filter(code=value, retired_at=None).first()
        if region is None:
            raise forms.ValidationError(_("Choose a region within your area."))
        return region


# ------------------------------------------------------------------------------- registration


def category_choices() -> list:
    """Active categories grouped under their top level; a top without children is a choice."""
    tops = list(Category.objects.filter(parent=None, active=True).order_by("sort", "code"))
    children: dict[int, list[Category]] = {}
    for c in Category.objects.filter(parent__isnull=False, active=True).order_by("sort", "code"):
        # parent_id is never None here: the query asks for parent__isnull=False.
        children.setdefault(cast(int, c.parent_id), []).append(c)
    choices: list = [("", _("— select —"))]
    for top in tops:
        kids = children.get(top.id)
        if kids:
            choices.append((top.name, [(c.code, c.name) for c in kids]))
        else:
            choices.append((top.code, top.name))
    return choices


class CategoryField(forms.ChoiceField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Category"))
        super().__init__(*args, choices=category_choices, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        category = Category.objects.filter(code=value, active=True).first()
        if category is None:
            raise forms.ValidationError(_("Choose a category from the list."))
        return category


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _source_choices():
    return [(value, label) for value, label in Source.choices]


class EventRegistrationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    category = CategoryField()
    source = forms.ChoiceField(label=_("Source"), choices=_source_choices, initial=Source.WALK_IN)
    dispute_source = forms.ChoiceField(
        label=_("Dispute source"), required=False,
        choices=[("", _("— none —")), *DisputeSource.choices],
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    region = RegionField(label=_("Region"))
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    high_risk = forms.BooleanField(label=_("High risk"), required=False)
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].bind_user(user)

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            if "latitude" not in self.errors and "longitude" not in self.errors:
                self.add_error("latitude", _("Give both latitude and longitude, or neither."))
        return data


class PartyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    is_reporter = forms.BooleanField(label=_("Reporter"), required=False)

    def clean(self):
        data = super().clean()
        if (data.get("phone") or data.get("id_number")) and not (data.get("name") or "").strip():
            self.add_error("name", _("Give the party's name."))
        return data


PartyFormSet = forms.formset_factory(PartyForm, extra=0, min_num=1, validate_min=False, max_num=20,
                                     validate_max=True)


def party_formset(data=None, **kwargs):
    return PartyFormSet(data, prefix="parties", initial=[{"is_reporter": True}], **kwargs)


# ------------------------------------------------------------------------------------ filters


class EventFilterForm(forms.Form):
    """The same filters as GET /api/v1/events."""

    TRI = [("", _("Any")), ("1", _("Yes")), ("0", _("No"))]

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=lambda: [("", _("Any")), *Status.choices])
    region = RegionField(label=_("Region"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    source = forms.ChoiceField(label=_("Source"), required=False,
                               choices=lambda: [("", _("Any")), *_source_choices()])
    overdue = forms.ChoiceField(label=_("Overdue"), required=False, choices=TRI)
    high_risk = forms.ChoiceField(label=_("High risk"), required=False, choices=TRI)
    created_from = forms.DateField(label=_("Registered from"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    created_to = forms.DateField(label=_("Registered until"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].bind_user(user)
        choices = [("", _("Any"))]
        for c in Category.objects.select_related("parent").order_by("sort", "code"):
            choices.append((c.code, f"{c.parent.name} / {c.name}" if c.parent_id else c.name))
        self.fields["category"].choices = choices

    def clean(self):
        data = super().clean()
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            self.add_error("created_to", _("The end date is before the start date."))
        return data

    def filters(self) -> EventFilters:
        d = self.cleaned_data

        def tri(value: str | None) -> bool | None:
            return None if value in ("", None) else value == "1"

        region = d.get("region")
        return EventFilters(
            status=d.get("status") or None,
            region_code=region.code if region else None,
            category_code=d.get("category") or None,
            source=d.get("source") or None,
            overdue=tri(d.get("overdue")),
            high_risk=tri(d.get("high_risk")),
            created_from=d.get("created_from"),
            created_to=d.get("created_to"),
            q=(d.get("q") or "").strip() or None,
        )


# -------------------------------------------------------------------------------- action forms


class ActionForm(forms.Form):
    """The fields of one action. `data_for_perform()` is what `actions.perform` receives."""

    def __init__(self, *args, event: Event, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.user = user

    def data_for_perform(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class NoFieldsForm(ActionForm):
    pass


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class OptionalReasonForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class OptionalNoteForm(ActionForm):
    note = forms.CharField(label=_("Note"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(ActionForm):
    result = forms.CharField(label=_("Result"), max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class CallBackForm(ActionForm):
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), choices=Satisfaction.choices,
                                     widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionForm(ActionForm):
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=MAX_EXTENSION_DAYS,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    reason = forms.CharField(label=_("Reason"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(ActionForm):
    text = forms.CharField(label=_("Text"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    consultation = forms.BooleanField(label=_("Record of a consultation (会商)"), required=False)


class SuperviseForm(ActionForm):
    level = forms.ChoiceField(label=_("Level"),
                              choices=[c for c in Supervision.choices if c[0]])
    note = forms.CharField(label=_("Note"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class CallForm(ActionForm):
    person_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    party_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # What the call is about: in the call-back request's text and the record (optional).
    note = forms.CharField(label=_("Note"), max_length=200, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("person_id") is None and data.get("party_id") is None:
            raise forms.ValidationError(_("Say whom to call."))
        return data

    def data_for_perform(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class DispatchForm(ActionForm):
    """Dispatch: a region picker when the event has no village yet."""

    region = RegionField(label=_("Village or grid"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.event.village_id:
            del self.fields["region"]
        else:
            self.fields["region"].required = True
            self.fields["region"].bind_user(self.user)
            if not self.is_bound and self.event.region_id:
                self.initial["region"] = self.event.region.code

    def data_for_perform(self) -> dict[str, Any]:
        region = self.cleaned_data.get("region")
        return {"region_code": region.code} if region else {}


def assignee_candidates(event: Event) -> list[Post]:
    """People to add as "N": posts in the event's region subtree and on its ancestors (the town's
    cadres, the county's leaders and department liaisons)."""
    region = event.region or event.town or event.county
    if region is None:
        return []
    ancestors = [getattr(event, f"{lv}_id") for lv in ("county", "town", "village")]
    subtree = Region.objects.filter(**region.subtree_kwargs()).values("id")
    return list(
        Post.objects.filter(active=True, person__active=True)
        .filter(Q(region__in=subtree) | Q(region_id__in=[a for a in ancestors if a]))
        .select_related("person", "region")
        .order_by("region__code", "role", "person__name")
    )


class AddAssigneeForm(ActionForm):
    person = forms.ChoiceField(label=_("Person"))
    role = forms.ChoiceField(label=_("Role"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        posts = assignee_candidates(self.event)
        self._posts = {f"{p.person_id}:{p.role}": p for p in posts}
        groups: dict[str, list] = {}
        for key, p in self._posts.items():
            groups.setdefault(p.region.display_name, []).append(
                (key, f"{p.person.name} · {p.get_role_display()}")
            )
        self.fields["person"].choices = [("", _("— select —")), *groups.items()]
        self.fields["role"].choices = [("", _("As their post")), *Role.choices]

    def clean(self):
        data = super().clean()
        post = self._posts.get(data.get("person") or "")
        if post is None:
            if "person" not in self.errors:
                self.add_error("person", _("Choose a person from the list."))
            return data
        data["person_id"] = post.person_id
        data["role"] = data.get("role") or post.role
        return data

    def data_for_perform(self) -> dict[str, Any]:
        return {"person_id": self.cleaned_data["person_id"], "role": self.cleaned_data["role"]}


class MergeForm(ActionForm):
    into_code = forms.CharField(label=_("Code of the event to keep"), max_length=40)

    def clean_into_code(self):
        code = self.cleaned_data["into_code"].strip()
        try:
            into = access_event_by_code(self.user, code)
        except Http404:
            raise forms.ValidationError(_("No event with this code in your area.")) from None
        self.cleaned_data["into"] = into
        return code

    def data_for_perform(self) -> dict[str, Any]:
        return {"into_id": self.cleaned_data["into"].pk}


class RecategoriseForm(ActionForm):
    category = CategoryField()
    note = forms.CharField(label=_("Note"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["category"] = self.event.category.code

    def data_for_perform(self) -> dict[str, Any]:
        return {"category_code": self.cleaned_data["category"].code, "note": self.cleaned_data["note"]}


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "dispatch": DispatchForm,
    "acknowledge": NoFieldsForm,
    "return": ReasonForm,
    "add_assignee": AddAssigneeForm,
    "comment": CommentForm,
    "call": CallForm,
    "resolve": ResolveForm,
    "call_back": CallBackForm,
    "close": NoFieldsForm,
    "refuse": ReasonForm,
    "escalate": ReasonForm,
    "request_extension": ExtensionForm,
    "approve_extension": OptionalNoteForm,
    "reject_extension": OptionalReasonForm,
    "urge": OptionalNoteForm,
    "supervise": SuperviseForm,
    "flag_risk": OptionalReasonForm,
    "unflag_risk": OptionalReasonForm,
    "merge": MergeForm,
    "recategorise": RecategoriseForm,
}


def action_form(action: str, *, event: Event, user, data=None) -> ActionForm:
    form_class = ACTION_FORMS[action]
    return form_class(data, event=event, user=user, prefix=action)

