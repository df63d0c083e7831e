"""Django forms for the stationing pages. Forms check the shape; the rules are in actions.py."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.events.forms import RegionField
from fengqiao.people.models import ROLE_CHINESE, Department, Person, Post, Role
from fengqiao.people.queries import sees_everything, visible_regions
from fengqiao.stationing.models import Identity, Rule, Station

DATE = forms.DateInput(attrs={"type": "date"})
COUNT = forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 10000})
# Who may be planned under each identity: the posts they hold.
ROLES_OF = {
    Identity.COUNTY_LEADER: [Role.COUNTY_LEADER],
    Identity.DEPARTMENT_CADRE: [Role.WORK_TEAM, Role.DEPARTMENT_LIAISON],
    Identity.TOWN_CADRE: [Role.TOWN_CADRE, Role.VILLAGE_LIAISON],
    Identity.VILLAGE_CADRE: [Role.PARTY_SECRETARY, Role.VILLAGE_LIAISON, Role.WORK_TEAM],
    Identity.POLICE: [Role.COMMUNITY_POLICE],
}
MAX_PEOPLE = 2000


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        post = getattr(obj, "first_post", None)
        if post is None:
            return obj.name
        return f"{obj.name} · {ROLE_CHINESE.get(post.role, post.role)} · {post.region.display_name}"


def people_for(user) -> list[Person]:
    """People holding a post in the user's regions (or their department), with their first post."""
    posts = Post.objects.filter(active=True, person__active=True,
                                role__in=sorted({r for roles in ROLES_OF.values() for r in roles}))
    if not sees_everything(user):
        posts = posts.filter(Q(region__in=visible_regions(user)))
    rows = list(posts.select_related("person", "region").order_by("region__code", "role", "person__name")[:MAX_PEOPLE])
    seen: dict[int, Person] = {}
    for p in rows:
        if p.person_id not in seen:
            person = p.person
            person.first_post = p  # type: ignore[attr-defined]  # for the label
            seen[p.person_id] = person
    return list(seen.values())


class PlanForm(forms.Form):
    identity = forms.ChoiceField(label=pgettext_lazy("stationing", "Who"), choices=Identity.choices)
    person = PersonChoice(label=_("Cadre"), queryset=Person.objects.none())
    rule = forms.ModelChoiceField(label=_("Rule"), queryset=Rule.objects.filter(active=True).order_by("code"),
                                  to_field_name="code")
    region = RegionField(label=_("Village or town"))
    station = forms.ModelChoiceField(label=_("Department station"), queryset=Station.objects.none(), required=False,
                                     help_text=_("For a department's cadre: the station they belong to."))
    starts_on = forms.DateField(label=pgettext_lazy("stationing", "From"), widget=DATE, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        region_field = self.fields["region"]
        assert isinstance(region_field, RegionField)
        region_field.bind_user(user)
        people = people_for(user)
        person_field = self.fields["person"]
        assert isinstance(person_field, forms.ModelChoiceField)
        person_field.queryset = Person.objects.filter(pk__in=[p.pk for p in people])
        by_id = {p.pk: p for p in people}
        person_field.choices = [("", "—"), *[(pk, person_field.label_from_instance(by_id[pk])) for pk in by_id]]
        station_field = self.fields["station"]
        assert isinstance(station_field, forms.ModelChoiceField)
        from fengqiao.stationing.queries import visible_stations

        station_field.queryset = visible_stations(user).filter(status="active").select_related(
            "department", "region").order_by("region__code")


class StationForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.order_by("code"),
                                        to_field_name="code")
    region = RegionField(label=_("Village"))
    starts_on = forms.DateField(label=pgettext_lazy("stationing", "From"), widget=DATE, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        region_field = self.fields["region"]
        assert isinstance(region_field, RegionField)
        region_field.bind_user(user)


class EndForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
    ends_on = forms.DateField(label=_("Last day"), widget=DATE, required=False)


class PositionFields(forms.Form):
    """What the phone's page fills from navigator.geolocation (empty when the phone gave none)."""

    latitude = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    accuracy = forms.FloatField(required=False, min_value=0, max_value=100000, widget=forms.HiddenInput)


class CheckInForm(PositionFields):
    pass


class CheckOutForm(PositionFields):
    households = forms.IntegerField(label=_("Households visited"), min_value=0, max_value=10000, initial=0,
                                    required=False, widget=COUNT)
    events_handled = forms.IntegerField(label=_("Events handled"), min_value=0, max_value=10000, initial=0,
                                        required=False, widget=COUNT)
    meetings = forms.IntegerField(label=_("Meetings held"), min_value=0, max_value=10000, initial=0, required=False,
                                  widget=COUNT)
    notes = forms.CharField(label=pgettext_lazy("stationing", "What was done"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                            max_length=2000)
