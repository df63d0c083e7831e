"""Admin for the mediation registry: organisations, mediators, 群英 pools and members, the duty
roster. A row saved here is filed under its region (the ancestor columns) and audited on the
`mediation_registry` stream like the registry actions. Cases and tasks change only through their
actions (the state machines): here they are read-only."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction

from fengqiao.audit import chain as audit
from fengqiao.mediation.actions import REGISTRY_STREAM
from fengqiao.mediation.models import (
    Case,
    DutyShift,
    MediationOrg,
    Mediator,
    PartyRead,
    Pool,
    PoolMember,
    Task,
)
from fengqiao.workflow.scope import file_under


class RegistryAdmin(admin.ModelAdmin):
    """Saves file the row under its region and write one audit row, in one transaction."""

    def save_model(self, request, obj, form, change) -> None:
        with transaction.atomic():
            if getattr(obj, "region_id", None) and hasattr(obj, "county_id"):
                file_under(obj, obj.region)
            super().save_model(request, obj, form, change)
            audit.record(stream=REGISTRY_STREAM, action=f"admin_{'change' if change else 'add'}",
                         actor=request.user,
                         details={"model": obj._meta.model_name, "id": obj.pk,
                                  "fields": sorted(form.changed_data)})


@admin.register(MediationOrg)
class MediationOrgAdmin(RegistryAdmin):
    list_display = ("name", "kind", "host", "region", "lead", "active")
    list_filter = ("kind", "host", "active")
    search_fields = ("name", "region__name", "region__code")
    raw_id_fields = ("region", "lead", "department")
    exclude = ("province", "city", "county", "town", "village", "grid")


@admin.register(Mediator)
class MediatorAdmin(RegistryAdmin):
    list_display = ("person", "level", "org", "region", "active")
    list_filter = ("level", "active")
    search_fields = ("person__name", "title")
    raw_id_fields = ("person", "org", "region")
    exclude = ("province", "city", "county", "town", "village", "grid")


class PoolMemberInline(admin.TabularInline):
    model = PoolMember
    raw_id_fields = ("person",)
    extra = 0


@admin.register(Pool)
class PoolAdmin(RegistryAdmin):
    list_display = ("name", "region", "active")
    search_fields = ("name", "region__name")
    raw_id_fields = ("region",)
    exclude = ("province", "city", "county", "town", "village", "grid")
    inlines = [PoolMemberInline]


@admin.register(DutyShift)
class DutyShiftAdmin(RegistryAdmin):
    list_display = ("org", "person", "role", "starts_at", "ends_at")
    list_filter = ("role", "org")
    date_hierarchy = "starts_at"
    raw_id_fields = ("person", "org")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("code", "title", "kind", "status", "org", "applied_at")
    list_filter = ("kind", "status", "channel")
    search_fields = ("code", "title", "court_case_number")
    date_hierarchy = "applied_at"
    list_select_related = ("org",)
    exclude = ("province", "city", "county", "town", "village", "grid")


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("id", "event", "member", "status", "dispatched_at")
    list_filter = ("status",)
    list_select_related = ("event", "member__person", "member__pool")
    exclude = ("province", "city", "county", "town", "village", "grid")


@admin.register(PartyRead)
class PartyReadAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "case", "via", "field")
    list_filter = ("via",)
    date_hierarchy = "created_at"
    list_select_related = ("user", "case")
