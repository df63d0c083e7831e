from django.contrib import admin

from fengqiao.workflow.models import CalendarDay, ClockPolicy


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "note")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("note",)


@admin.register(ClockPolicy)
class ClockPolicyAdmin(admin.ModelAdmin):
    list_display = ("key", "workflow", "name", "days", "day_kind", "warn_days", "basis", "active")
    list_filter = ("workflow", "day_kind", "active")
    search_fields = ("key", "name", "basis")
