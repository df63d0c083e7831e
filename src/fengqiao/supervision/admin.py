"""Admin: the category thresholds (saved through `thresholds_set`, audited); ratings, pairings,
records and bulletin packs read-only here (they are made on the command pages)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from fengqiao.lib.errors import DomainError
from fengqiao.people.models import Pairing
from fengqiao.supervision.actions import thresholds_set
from fengqiao.supervision.models import (
    AccountabilityRecord,
    BulletinRun,
    CategoryThresholds,
    VillageRating,
)


class ThresholdsForm(forms.ModelForm):
    measure = forms.ChoiceField(label=_("measure"))

    class Meta:
        model = CategoryThresholds
        fields = ("measure", "reassuring_at", "good_at", "average_at", "min_events", "span_days")

    def __init__(self, *args, **kwargs):
        from fengqiao.supervision.categories import measure_choices

        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = measure_choices()

    def clean(self):
        from fengqiao.supervision.actions import check_thresholds

        data = super().clean()
        if not self.errors:
            try:
                check_thresholds(data["measure"], data["reassuring_at"], data["good_at"], data["average_at"],
                                 data["min_events"], data["span_days"])
            except DomainError as exc:
                raise forms.ValidationError(exc.message) from None
        return data


@admin.register(CategoryThresholds)
class CategoryThresholdsAdmin(admin.ModelAdmin):
    form = ThresholdsForm
    list_display = ("measure", "reassuring_at", "good_at", "average_at", "min_events", "span_days", "updated_at")

    def has_add_permission(self, request):
        return not CategoryThresholds.objects.exists()

    def save_model(self, request, obj, form, change):
        d = form.cleaned_data
        try:
            saved = thresholds_set(
                actor=request.user, measure=d["measure"], reassuring_at=d["reassuring_at"],
                good_at=d["good_at"], average_at=d["average_at"], min_events=d["min_events"],
                span_days=d["span_days"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return
        obj.pk = saved.pk


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VillageRating)
class VillageRatingAdmin(ReadOnlyAdmin):
    list_display = ("village", "category", "suggested", "previous", "value", "events", "confirmed_at")
    list_filter = ("category",)
    list_select_related = ("village",)


@admin.register(Pairing)
class PairingAdmin(ReadOnlyAdmin):
    list_display = ("department", "village", "active", "created_at", "ended_at")
    list_filter = ("active",)
    list_select_related = ("department", "village")


@admin.register(AccountabilityRecord)
class AccountabilityRecordAdmin(ReadOnlyAdmin):
    list_display = ("kind", "title", "decided_on", "scope_region", "created_by_name")
    list_filter = ("kind",)
    list_select_related = ("scope_region",)


@admin.register(BulletinRun)
class BulletinRunAdmin(ReadOnlyAdmin):
    list_display = ("region", "date_from", "date_to", "state", "created_at", "finished_at")
    list_filter = ("state",)
