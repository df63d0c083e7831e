"""The grid pages' forms: bounded inputs; the actions clean again and decide."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.grid.models import (
    ChecklistKind,
    FirmKind,
    FirmSize,
    GridRole,
    HouseholdLevel,
    TeamKind,
)

CARE = [("", _("Anyone")), ("elderly_alone", _("elderly living alone")), ("disabled", _("disabled member")),
        ("left_behind_children", _("left-behind children"))]


class HouseholdFilter(forms.Form):
    q = forms.CharField(label=_("Number, head or address"), required=False, max_length=50)
    care = forms.ChoiceField(label=_("Special care"), choices=CARE, required=False)


class HouseholdForm(forms.Form):
    code = forms.CharField(label=_("household number"), max_length=40)
    head_name = forms.CharField(label=_("head of household"), max_length=50)
    phone = forms.CharField(label=_("phone"), max_length=30, required=False)
    address = forms.CharField(label=_("address"), max_length=200)
    region = forms.ChoiceField(label=_("grid"))
    members_count = forms.IntegerField(label=_("members"), min_value=1, max_value=99, initial=1)
    elderly_alone = forms.BooleanField(label=_("elderly living alone"), required=False)
    disabled = forms.BooleanField(label=_("disabled member"), required=False)
    left_behind_children = forms.BooleanField(label=_("left-behind children"), required=False)
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args, regions=(), personal=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.pk, f"{r.display_name} ({r.code})") for r in regions]
        if not personal:  # the head's name and phone stay as stored; a masked value is never written back
            del self.fields["head_name"]
            del self.fields["phone"]


class MemberForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=50)
    relation = forms.CharField(label=_("relation to the head"), max_length=20, required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    phone = forms.CharField(label=_("phone"), max_length=30, required=False)
    birth_year = forms.IntegerField(label=_("year of birth"), min_value=1900, max_value=2100, required=False)


class FirmForm(forms.Form):
    code = forms.CharField(label=pgettext_lazy("registry", "number"), max_length=40)
    name = forms.CharField(label=pgettext_lazy("thing", "name"), max_length=100)
    kind = forms.ChoiceField(label=_("kind"), choices=FirmKind.choices)
    size = forms.ChoiceField(label=_("size"), choices=FirmSize.choices)
    employees = forms.IntegerField(label=_("workers"), min_value=0, max_value=1_000_000, initial=0)
    migrant_workers = forms.IntegerField(label=_("migrant workers"), min_value=0, max_value=1_000_000, initial=0)
    contact_name = forms.CharField(label=_("contact"), max_length=50, required=False)
    phone = forms.CharField(label=_("phone"), max_length=30, required=False)
    address = forms.CharField(label=_("address"), max_length=200)
    region = forms.ChoiceField(label=_("grid"))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.pk, f"{r.display_name} ({r.code})") for r in regions]


class RoomForm(forms.Form):
    """出租房. Without the right to see personal data the landlord's name and phone are not in the
    form at all (the stored ones stay): a masked value is never written back."""

    code = forms.CharField(label=pgettext_lazy("registry", "number"), max_length=40)
    address = forms.CharField(label=_("address"), max_length=200)
    landlord_name = forms.CharField(label=_("landlord"), max_length=50)
    phone = forms.CharField(label=_("landlord's phone"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    region = forms.ChoiceField(label=_("grid"))
    household_code = forms.CharField(label=_("landlord's household number"), max_length=40, required=False,
                                     help_text=_("If the landlord's household is in this grid's registry."))
    rooms = forms.IntegerField(label=_("rooms"), min_value=1, max_value=999, initial=1)
    tenants = forms.IntegerField(label=_("tenants"), min_value=0, max_value=9999, initial=0)

    def __init__(self, *args, regions=(), personal: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        assert isinstance(region, forms.ChoiceField)
        region.choices = [(r.pk, f"{r.display_name} ({r.code})") for r in regions]
        if not personal:
            del self.fields["landlord_name"]
            del self.fields["phone"]


class RoomFilter(forms.Form):
    q = forms.CharField(label=_("Number, landlord or address"), required=False, max_length=50)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Registry"), choices=[("households", _("Households")), ("firms", _("Firms")),
                                                          ("rooms", _("Rented rooms"))])
    within = forms.ChoiceField(label=_("Under"))
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["within"].choices = [(r.pk, f"{r.display_name} ({r.code})") for r in regions]


class SpanForm(forms.Form):
    start = forms.DateField(label=pgettext_lazy("span", "From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=pgettext_lazy("span", "To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and (end < start or end - start > dt.timedelta(days=400)):
            raise forms.ValidationError(_("Choose a span of at most 400 days, ending after it starts."))
        return data


class RecheckForm(forms.Form):
    fixed = forms.TypedChoiceField(label=_("Result"), coerce=lambda v: v == "1",
                                   choices=[("1", _("Fixed")), ("0", _("Not fixed yet"))], widget=forms.RadioSelect)
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class PublicityForm(forms.Form):
    region = forms.ChoiceField(label=_("grid"))
    day = forms.DateField(label=_("day"), widget=forms.DateInput(attrs={"type": "date"}))
    theme = forms.CharField(label=_("theme"), max_length=100)
    firms_visited = forms.IntegerField(label=pgettext_lazy("publicity", "firms visited"), min_value=0, max_value=100_000, initial=0)
    households_visited = forms.IntegerField(label=pgettext_lazy("publicity", "households visited"), min_value=0, max_value=100_000, initial=0)
    leaflets = forms.IntegerField(label=_("leaflets handed out"), min_value=0, max_value=1_000_000, initial=0)
    online_pushes = forms.IntegerField(label=_("online pushes"), min_value=0, max_value=1_000_000, initial=0)
    sessions = forms.IntegerField(label=pgettext_lazy("publicity", "sessions"), min_value=0, max_value=10_000, initial=0)
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.pk, r.display_name) for r in regions]


class TeamForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "name"), max_length=80)
    kind = forms.ChoiceField(label=_("kind"), choices=TeamKind.choices)
    region = forms.ChoiceField(label=_("region"))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.pk, f"{r.display_name} ({r.code})") for r in regions]


class TeamMemberForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=50)
    phone = forms.CharField(label=_("phone"), max_length=30, required=False)


class ShiftForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("from"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    members = forms.MultipleChoiceField(label=_("on duty"), widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(m.pk, m.name) for m in members]


class PatrolForm(forms.Form):
    started_at = forms.DateTimeField(label=_("started"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ended_at = forms.DateTimeField(label=_("ended"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    members_count = forms.IntegerField(label=_("patrollers"), min_value=1, max_value=500, initial=2)
    route = forms.CharField(label=_("route"), max_length=60_000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("Points as “latitude,longitude”, one a line (the phone records them)."))
    findings = forms.CharField(label=pgettext_lazy("patrol", "what was found"), max_length=500, required=False)

    def clean_route(self):
        points = []
        for line in (self.cleaned_data.get("route") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                lat, lng = (float(x) for x in line.replace("，", ",").split(","))
            except ValueError:
                raise forms.ValidationError(_("Each line is “latitude,longitude”.")) from None
            points.append([lat, lng])
        return points


class ZoneForm(forms.Form):
    code = forms.SlugField(label=_("code"), max_length=32)
    name = forms.CharField(label=pgettext_lazy("thing", "name"), max_length=60)
    villages = forms.MultipleChoiceField(label=_("villages"), widget=forms.SelectMultiple(attrs={"size": 10}))
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["villages"].choices = [(v.pk, f"{v.display_name} ({v.code})") for v in villages]


class AppointForm(forms.Form):
    person = forms.ChoiceField(label=_("person"))
    role = forms.ChoiceField(label=_("grid role"), choices=[c for c in GridRole.choices if c[0] != "household_head"])
    region = forms.ChoiceField(label=_("grid or unit"))
    party_member = forms.BooleanField(label=_("party member"), required=False)

    def __init__(self, *args, people=(), regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.name) for p in people]
        self.fields["region"].choices = [(r.pk, f"{r.display_name} ({r.code})") for r in regions]


class HouseholdHeadForm(forms.Form):
    """户长: the household by its number, the head by name and phone (registered if new)."""

    household_code = forms.CharField(label=_("household number"), max_length=40)
    name = forms.CharField(label=_("household head's name"), max_length=50)
    phone = forms.CharField(label=_("phone"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    party_member = forms.BooleanField(label=_("party member"), required=False)


class RulesForm(forms.Form):
    household_level = forms.ChoiceField(label=_("households sit in"), choices=HouseholdLevel.choices)
    grid_name = forms.CharField(label=_("name of the grid level"), max_length=20)
    unit_name = forms.CharField(label=_("name of the unit level"), max_length=20)
    visit_interval_days = forms.IntegerField(label=_("visit every household and firm at least every (days)"),
                                             min_value=1, max_value=366)
    worker_days_per_week = forms.IntegerField(label=_("each worker in the grid at least (days a week)"),
                                              min_value=0, max_value=7)
    location_tolerance_m = forms.IntegerField(label=_("a visit's location may lie outside the grid outline by (metres)"),
                                              min_value=0, max_value=5000)


class ChecklistForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=ChecklistKind.choices)
    name = forms.CharField(label=pgettext_lazy("thing", "name"), max_length=60)
    items = forms.CharField(label=_("items, one a line"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 6}))
