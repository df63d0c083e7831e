"""Forms of the triage page: pick the village, confirm the category, decide a twin."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.events.forms import RegionField, category_choices
from fengqiao.events.models import Category


class DispatchForm(forms.Form):
    """A proposed village (one button each, `candidate`) or any region from the picker."""

    candidate = forms.CharField(required=False, max_length=32)
    region = RegionField(label=_("Choose the village"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].bind_user(user)

    def clean(self):
        data = super().clean()
        code = (data.get("candidate") or "").strip()
        region = self.fields["region"].clean(code) if code else data.get("region")
        if region is None:
            raise forms.ValidationError(_("Choose the village this event belongs to."))
        data["chosen"] = region
        return data


class CategoryForm(forms.Form):
    category_code = forms.ChoiceField(label=_("Category"))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, suggestions: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        choices = category_choices()
        if suggestions:
            suggested = [(s["code"], f"{s['name']} · {round(s['confidence'] * 100)}%") for s in suggestions]
            choices = [choices[0], (_("Suggested"), suggested), *choices[1:]]
        cast(forms.ChoiceField, self.fields["category_code"]).choices = choices

    def clean_category_code(self):
        code = self.cleaned_data["category_code"]
        category = Category.objects.filter(code=code, active=True).first()
        if category is None:
            raise forms.ValidationError(_("Choose an active category."))
        return category


class TwinForm(forms.Form):
    twin_id = forms.IntegerField(min_value=1)
    decision = forms.ChoiceField(choices=[("merge", "merge"), ("merge_twin", "merge_twin"), ("dismiss", "dismiss")])
    note = forms.CharField(required=False, max_length=500)
