"""Triage in the Django admin: read-only views of the queue and of the trained classifiers
(decisions go through the triage pages and API, which call the actions)."""

from __future__ import annotations

from django.contrib import admin

from fengqiao.triage.models import ClassifierModel, TriageItem


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TriageItem)
class TriageItemAdmin(ReadOnly):
    list_display = ("event", "opened_at", "unrouted", "ambiguous_address", "uncategorised", "duplicate",
                    "closed_at", "outcome")
    list_filter = ("unrouted", "ambiguous_address", "uncategorised", "duplicate", "outcome")
    list_select_related = ("event",)
    raw_id_fields = ("event",)
    date_hierarchy = "opened_at"


@admin.register(ClassifierModel)
class ClassifierModelAdmin(ReadOnly):
    list_display = ("id", "created_at", "trained_on", "categories", "features", "temperature")
    exclude = ("payload",)
