"""The admin's view of major matters: read mostly — every change goes through the actions."""

from django.contrib import admin

from fengqiao.majors.models import Assessment, Matter, Milestone


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Matter)
class MatterAdmin(ReadOnly):
    list_display = ("code", "title", "kind", "level", "listing_region", "status", "card", "owner", "leader")
    list_filter = ("kind", "level", "status", "card")
    search_fields = ("code", "title")


@admin.register(Assessment)
class AssessmentAdmin(ReadOnly):
    list_display = ("matter", "round", "number", "grade", "decision", "decided_at")
    list_filter = ("grade", "decision")


@admin.register(Milestone)
class MilestoneAdmin(ReadOnly):
    list_display = ("matter", "seq", "title", "due_on", "status", "late")
    list_filter = ("status", "late")
