"""Admin: saved column mappings (editable) and the record of import runs (read-only)."""

from __future__ import annotations

from django.contrib import admin

from fengqiao.imports.models import ColumnMapping, ImportRun


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    list_display = ("name", "source", "date_format", "updated_at")
    list_filter = ("source",)
    search_fields = ("name",)
    readonly_fields = ("created_by", "created_at", "updated_at")


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("original_name", "source", "state", "rows_total", "rows_bad", "created",
                    "already_imported", "triaged", "created_by", "created_at")
    list_filter = ("state", "source")
    search_fields = ("original_name",)
    list_select_related = ("created_by",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
