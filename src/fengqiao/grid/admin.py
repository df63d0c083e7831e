"""The admin's grid pages: the rules, the checklists with their items, zones; the registries
read-only (they are written through the actions and the pages)."""

from __future__ import annotations

from django.contrib import admin

from fengqiao.grid.models import Checklist, ChecklistItem, GridSettings, Zone


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 1
    fields = ("order", "text", "active")


@admin.register(Checklist)
class ChecklistAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "active")
    list_filter = ("kind", "active")
    inlines = [ChecklistItemInline]


@admin.register(GridSettings)
class GridSettingsAdmin(admin.ModelAdmin):
    list_display = ("household_level", "visit_interval_days", "worker_days_per_week", "location_tolerance_m")

    def has_add_permission(self, request):
        return not GridSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "county", "active")
    filter_horizontal = ("villages",)
    readonly_fields = ("created_at",)
