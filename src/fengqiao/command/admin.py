"""Admin: the score weights and rounding (one row), and campaigns."""

from __future__ import annotations

from django.contrib import admin

from fengqiao.command.models import Campaign, CommandSettings


@admin.register(CommandSettings)
class CommandSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "rounding", "min_denominator", "updated_at"]
    fieldsets = [
        (None, {"fields": ["weight_handling", "weight_resolution", "weight_on_time",
                           "weight_overdue", "weight_extension", "weight_rework",
                           "weight_satisfaction"]}),
        (None, {"fields": ["rounding", "min_denominator"]}),
    ]

    def has_add_permission(self, request) -> bool:
        return not CommandSettings.objects.exists()  # one row


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "start", "end", "region", "category", "source", "active"]
    list_filter = ["active", "source"]
    search_fields = ["name", "notes"]
    autocomplete_fields = ["region"]
    date_hierarchy = "start"
