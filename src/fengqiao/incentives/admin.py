"""The admin's incentive pages: the rules (seed 004's fourteen measures), the star thresholds,
and the rubric with its items (read-only once used: scores name its items). Points, exchanges,
lists and elections are written through the actions and the pages, never here."""

from __future__ import annotations

from django.contrib import admin

from fengqiao.incentives.models import Rubric, RubricItem, Rule, ScoringPeriod, StarThreshold


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ("order", "code", "name", "points", "active")
    list_display_links = ("code", "name")
    list_filter = ("active",)


@admin.register(StarThreshold)
class StarThresholdAdmin(admin.ModelAdmin):
    list_display = ("stars", "min_score")


class RubricItemInline(admin.TabularInline):
    model = RubricItem
    extra = 0
    fields = ("order", "group", "text", "points")

    def has_change_permission(self, request, obj=None):
        return obj is None or not ScoringPeriod.objects.filter(rubric=obj).exists()

    has_add_permission = has_change_permission  # type: ignore[assignment]
    has_delete_permission = has_change_permission  # type: ignore[assignment]


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):
    list_display = ("name", "active")
    inlines = [RubricItemInline]
