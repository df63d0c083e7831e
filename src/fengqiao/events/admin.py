"""Admin for the events registries: the category tree, deadline policies and the calendar
corrections. Events themselves change only through their actions (the state machine), so they
are not edited here."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fengqiao.events.models import Category, DeadlinePolicy


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("tree_name", "code", "parent", "sort", "active")
    list_display_links = ("tree_name",)
    list_filter = ("active", ("parent", admin.RelatedOnlyFieldListFilter))
    search_fields = ("code", "name")
    list_select_related = ("parent__parent",)
    raw_id_fields = ("parent",)
    ordering = ("sort", "code")

    @admin.display(description=_("name"), ordering="sort")
    def tree_name(self, obj: Category) -> str:
        depth, node = 0, obj.parent
        while node is not None and depth < 5:
            depth, node = depth + 1, node.parent
        return "\u3000" * depth + ("└ " if depth else "") + obj.name


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    list_display = ("category", "tier", "source", "days", "day_kind", "note")
    list_filter = ("tier", "day_kind", "source")
    search_fields = ("category__name", "category__code", "note")
    list_select_related = ("category",)
    raw_id_fields = ("category",)
