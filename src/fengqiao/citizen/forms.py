"""Forms for the citizen channels. They check the shape of the input with the same checks the
actions run (`citizen.validation`), so a page shows the error beside its field; the actions check
again and stay the one authority."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.citizen import conf, validation
from fengqiao.citizen.models import ProxyAgency
from fengqiao.events.forms import CategoryField, MultipleFileField, MultipleFileInput, RegionField
from fengqiao.events.models import Category, Satisfaction
from fengqiao.lib.errors import InvalidInput

# Categories a citizen does not pick for themselves (petitions have their own channel).
HIDDEN_FROM_CITIZENS = {"petition"}


def citizen_category_choices() -> list:
    """The active category tree, grouped, without what citizens do not file themselves; the first
    choice lets them leave it to the staff (the door then suggests one)."""
    tops = [c for c in Category.objects.filter(parent=None, active=True).order_by("sort", "code")
            if c.code not in HIDDEN_FROM_CITIZENS]
    children: dict[int, list[Category]] = {}
    for c in Category.objects.filter(parent__isnull=False, active=True).order_by("sort", "code"):
        children.setdefault(cast(int, c.parent_id), []).append(c)
    choices: list = [("", _("Not sure — let the staff decide"))]
    for top in tops:
        kids = children.get(top.id)
        if kids:
            choices.append((top.name, [(c.code, c.name) for c in kids]))
        else:
            choices.append((top.code, top.name))
    return choices


class CitizenCategoryField(CategoryField):
    """`CategoryField` (a code → the active `Category`, or None) over the citizens' choices, and
    optional: left empty, the door suggests one."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Kind of matter"))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.choices = citizen_category_choices


def _check(fn, value, *args):
    try:
        return fn(value, *args)
    except InvalidInput as exc:
        raise forms.ValidationError(exc.message) from None


class PhotoInput(MultipleFileInput):
    """Photos from the gallery or the camera."""

    def __init__(self, *, capture: bool = False):
        attrs = {"accept": "image/*"}
        if capture:
            attrs["capture"] = "environment"
        super().__init__(attrs=attrs)


class PhotosField(MultipleFileField):
    def __init__(self, *args, capture: bool = False, **kwargs):
        kwargs.setdefault("label", _("Photos"))
        kwargs.setdefault("required", False)
        kwargs["widget"] = PhotoInput(capture=capture)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = super().clean(data, initial)
        return _check(validation.clean_photos, files)


class _DescribedForm(forms.Form):
    def clean_description(self):
        return _check(validation.clean_description, self.cleaned_data.get("description"))

    def clean_address(self):
        return _check(validation.clean_address, self.cleaned_data.get("address"))


class CitizenReportForm(_DescribedForm):
    """群众自主上报, on a phone."""

    category = CitizenCategoryField()
    description = forms.CharField(
        label=_("What happened"), max_length=validation.MAX_DESCRIPTION + 100,
        error_messages={"required": _("Describe the matter.")},
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": _("What, where, since when, who is affected")}),
    )
    address = forms.CharField(label=_("Address"), max_length=validation.MAX_ADDRESS + 50, required=False,
                              widget=forms.TextInput(attrs={"placeholder": _("Town, village, group, house number")}))
    latitude = forms.CharField(required=False, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput)
    photos = PhotosField()
    phone = forms.CharField(
        label=_("Mobile number"), max_length=20,
        error_messages={"required": _("Give a mobile number: the result is sent to it by text.")},
        help_text=_("The result is sent to this number by text. Others do not see it."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    name = forms.CharField(label=_("Name (optional)"), max_length=validation.MAX_NAME, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = _("Up to %(n)d photos, %(m)d MB each.") % {
            "n": conf.max_photos(), "m": conf.max_photo_bytes() // (1024 * 1024)}

    def clean_phone(self):
        return _check(validation.clean_phone, self.cleaned_data.get("phone"))

    def clean(self):
        data = super().clean()
        try:
            lat, lng = validation.clean_point(data.get("latitude"), data.get("longitude"))
        except InvalidInput as exc:
            self.add_error("address", exc.message)
            return data
        data["latitude"], data["longitude"] = lat, lng
        if "address" in data:  # the address itself passed its own checks
            try:
                validation.require_place(data["address"], lat)
            except InvalidInput as exc:
                self.add_error("address", exc.message)
        return data


class RatingForm(forms.Form):
    satisfaction = forms.ChoiceField(label=_("How satisfied are you with the result?"),
                                     choices=Satisfaction.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment (optional)"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class TrackLookupForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=40)

    def clean_code(self):
        code = validation.normalise_tracking_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(_("A tracking code has 20 letters and digits, e.g. 7K3M-Q9XA-…"))
        return code


class ProxyForm(_DescribedForm):
    """代办: the agent registers a citizen's matter."""

    citizen_name = forms.CharField(label=_("Citizen's name"), max_length=50)
    citizen_phone = forms.CharField(
        label=_("Citizen's mobile number"), max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    title = forms.CharField(label=_("Title (optional)"), max_length=200, required=False)
    category = CitizenCategoryField()
    description = forms.CharField(label=_("Description"), max_length=validation.MAX_DESCRIPTION + 100,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    region = RegionField(label=_("Village or community"))
    address = forms.CharField(label=_("Address"), max_length=validation.MAX_ADDRESS + 50, required=False)
    photos = PhotosField(label=_("Photos or scans"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].bind_user(user)

    def clean_citizen_phone(self):
        return _check(validation.clean_phone, self.cleaned_data.get("citizen_phone"))


class FieldReportForm(_DescribedForm):
    """网格采集 from a phone: small, camera first, the phone's location."""

    grid = forms.ChoiceField(label=_("Grid"))
    category = CitizenCategoryField(label=_("Category"))
    description = forms.CharField(label=_("What you found"), max_length=validation.MAX_DESCRIPTION + 100,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    photos = PhotosField(capture=True)
    address = forms.CharField(label=_("Place (optional)"), max_length=validation.MAX_ADDRESS + 50, required=False)
    latitude = forms.CharField(required=False, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self._grids = {g.code: g for g in grids}
        self.fields["grid"].choices = [(g.code, g.display_name) for g in grids]
        if len(grids) == 1:
            self.fields["grid"].initial = grids[0].code
            self.fields["grid"].widget = forms.HiddenInput()

    def clean_grid(self):
        return self._grids[self.cleaned_data["grid"]]

    def clean(self):
        data = super().clean()
        try:
            data["latitude"], data["longitude"] = validation.clean_point(data.get("latitude"), data.get("longitude"))
        except InvalidInput as exc:
            self.add_error(None, exc.message)
        return data


# -------------------------------------------------------------------------- proxy agencies


class AgencyForm(forms.Form):
    """代办机构: the agency's name, brand, kind and place (the actions check the rest)."""

    name = forms.CharField(label=pgettext_lazy("proxy agency", "Name"), max_length=100,
                           widget=forms.TextInput(attrs={"placeholder": _("e.g. 杜宅村代办点")}))
    brand = forms.CharField(label=_("Brand name (optional)"), max_length=50, required=False,
                            widget=forms.TextInput(attrs={"placeholder": _("e.g. “银领议事”")}))
    kind = forms.ChoiceField(label=_("Kind"), choices=ProxyAgency.Kind.choices)
    region = RegionField(label=_("Where"))
    address = forms.CharField(label=_("Address (optional)"), max_length=200, required=False)
    active = forms.BooleanField(label=_("Open (takes matters)"), required=False, initial=True)

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        cast(RegionField, self.fields["region"]).bind_user(user)
        if editing:  # an agency stays where it is; closing it is the edit's business
            del self.fields["region"]
        else:
            del self.fields["active"]


class AppointForm(forms.Form):
    """Appoint an agent: one of the people with a proxy-agent post around the agency."""

    person = forms.ChoiceField(label=_("Proxy agent"))
    full_time = forms.BooleanField(label=_("Full-time"), required=False)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self._people = {str(p.pk): p for p in people}
        self.fields["person"].choices = [("", _("— select —"))] + [
            (str(p.pk), f"{p.name} · {p.masked_phone}") for p in people]

    def clean_person(self):
        person = self._people.get(self.cleaned_data["person"])
        if person is None:
            raise forms.ValidationError(_("Choose someone from the list."))
        return person
