"""Forms for the supervision pages. They check the shape of the input; the rules live in
`supervision.actions`."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.events.forms import RegionField
from fengqiao.events.models import Category, Source, Supervision
from fengqiao.events.scope import visible_events
from fengqiao.lib import clock
from fengqiao.people.models import Department, Person
from fengqiao.people.queries import visible_regions
from fengqiao.regions.models import VillageCategory
from fengqiao.supervision.models import RecordKind

MAX_PERIOD_DAYS = 366


def _date_input() -> forms.DateInput:
    """A browser date picker; its value must be ISO whatever the page language."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RecordForm(forms.Form):
    TARGETS = [("region", _("A town or village")), ("department", _("A department")), ("person", _("A person"))]

    kind = forms.ChoiceField(label=_("Kind"), choices=RecordKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Text"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))
    decided_on = forms.DateField(label=_("Date"), widget=_date_input())
    target_type = forms.ChoiceField(label=_("Against"), choices=TARGETS, widget=forms.RadioSelect,
                                    initial="region")
    region = RegionField(label=_("Town or village"), required=False)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all(),
                                        required=False)
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none(), required=False)
    score = forms.DecimalField(label=_("Score (evaluation)"), max_digits=6, decimal_places=2,
                               required=False)
    events = forms.CharField(
        label=_("Events behind it"), required=False, max_length=4000,
        help_text=_("Event codes or numbers, separated by spaces or commas."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["region"].bind_user(user)
        regions = visible_regions(user)
        self.fields["person"].queryset = (
            Person.objects.filter(active=True, posts__active=True, posts__region__in=regions)
            .distinct().order_by("name")
        )
        self.fields["person"].label_from_instance = lambda p: f"{p.name} ({p.masked_phone})"
        if not self.is_bound:
            self.initial.setdefault("decided_on", clock.local_date())

    def clean_events(self) -> list[int]:
        raw = self.cleaned_data.get("events") or ""
        tokens = [t for t in raw.replace(",", " ").replace(",", " ").split() if t]
        visible = visible_events(self.user)
        ids: list[int] = []
        for token in tokens:
            if token.isdigit():
                event = visible.filter(pk=int(token)).only("pk").first()
            else:
                event = visible.filter(code=token).only("pk").first()
            if event is None:
                raise forms.ValidationError(_("No such event: %(t)s.") % {"t": token})
            ids.append(event.pk)
        return ids

    def clean(self):
        data = super().clean()
        kind = data.get("target_type")
        if kind and not data.get(kind):
            self.add_error(kind, _("Choose whom the record is against."))
        return data

    def target_kwargs(self) -> dict:
        d = self.cleaned_data
        kind = d["target_type"]
        return {f"target_{kind}": d[kind]}


class PairingForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all())
    village = RegionField(label=_("Village"))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].bind_user(user)


class ConfirmCategoryForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=VillageCategory.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class _StartBeforeEnd:
    """A form with `start` and `end` dates: the end may not come before the start."""

    def clean(self):
        data = super().clean()  # type: ignore[misc]
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date is before the start date."))  # type: ignore[attr-defined]
        return data


class PeriodForm(forms.Form):
    """A span of registration days (both ends included)."""

    date_from = forms.DateField(label=pgettext_lazy("span", "From"), widget=_date_input())
    date_to = forms.DateField(label=pgettext_lazy("span", "To"), widget=_date_input())

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", _("The end date is before the start date."))
            elif (end - start) > dt.timedelta(days=MAX_PERIOD_DAYS):
                self.add_error("date_to", _("Choose at most a year."))
        return data


class BulletinForm(PeriodForm):
    """A bulletin pack (通报与台账) for any span up to a year, over a region in the user's area."""

    region = RegionField(label=_("Region"))
    field_order = ["region", "date_from", "date_to"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].bind_user(user)


class LedgerFilterForm(_StartBeforeEnd, forms.Form):
    """The 督办 ledger's filters (a GET form): region, level, the orders' dates, open events only."""

    region = RegionField(label=_("Region"), required=False)
    level = forms.ChoiceField(label=_("Supervision level"), required=False,
                              choices=[("", _("Any"))] + [(v, label) for v, label in Supervision.choices if v])
    start = forms.DateField(label=_("Supervised from"), required=False, widget=_date_input())
    end = forms.DateField(label=_("Supervised to"), required=False, widget=_date_input())
    open_only = forms.BooleanField(label=_("Only events still open"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].bind_user(user)



class CampaignForm(_StartBeforeEnd, forms.Form):
    """专项行动: name, span, region and optional filters."""

    name = forms.CharField(label=_("Name"), max_length=100)
    start = forms.DateField(label=_("Start"), widget=_date_input())
    end = forms.DateField(label=_("End"), widget=_date_input())
    region = RegionField(label=_("Region"))
    category: forms.ModelChoiceField[Category] = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=Category.objects.none())  # the active ones, per form
    source = forms.ChoiceField(label=_("Source"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["region"].bind_user(user)
        self.fields["category"].queryset = Category.objects.filter(active=True).order_by("sort", "code")
        self.fields["source"].choices = [("", _("Any")), *Source.choices]


    def save_through_action(self, *, actor):
        from fengqiao.supervision.actions import campaign_create

        d = self.cleaned_data
        return campaign_create(actor=actor, name=d["name"], start=d["start"], end=d["end"],
                               region=d["region"], category=d["category"], source=d["source"] or "",
                               notes=d["notes"])
