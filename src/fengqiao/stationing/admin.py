"""The admin keeps the stay rules (住村规则); stations, plans and stays change only through the actions."""

from django.contrib import admin

from fengqiao.stationing.models import Plan, Rule, Station, Stay


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "period_weeks", "stays", "weekdays", "holiday", "overnight", "active")
    list_editable = ("active",)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Station)
class StationAdmin(ReadOnly):
    list_display = ("department", "region", "status", "starts_on", "ends_on")
    list_filter = ("status",)


@admin.register(Plan)
class PlanAdmin(ReadOnly):
    list_display = ("person", "identity", "region", "rule", "department", "status", "starts_on")
    list_filter = ("identity", "status", "rule")


@admin.register(Stay)
class StayAdmin(ReadOnly):
    list_display = ("person", "region", "arrived_at", "departed_at", "arrival_check", "departure_check",
                    "late_checkout")
    list_filter = ("arrival_check", "departure_check", "late_checkout")
