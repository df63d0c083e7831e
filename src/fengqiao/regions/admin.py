"""Admin for the region tree. New regions go through `region_create` so the ancestor columns
stay true; a region's place in the tree (code, level, parent) is fixed once it exists — the
division import moves and retires NBS units, never a hand edit."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from fengqiao.regions.actions import region_create
from fengqiao.regions.models import ANCESTOR_LEVELS, LEVEL_ORDER, Region, bump_regions_version

ANCESTOR_FIELDS = tuple(ANCESTOR_LEVELS)


class RetiredFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "retired"

    def lookups(self, request, model_admin):
        return [("no", _("Active")), ("yes", _("Retired"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(retired_at=None)
        if self.value() == "yes":
            return queryset.exclude(retired_at=None)
        return queryset


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = (
            "code", "level", "name", "short_name", "aliases", "parent", "village_category",
            "latitude", "longitude", "edition", "retired_at", "replaced_by",
        )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            parent, level = cleaned.get("parent"), cleaned.get("level")
            if parent is not None and level and LEVEL_ORDER.index(level) <= LEVEL_ORDER.index(parent.level):
                self.add_error(
                    "level",
                    _("A %(level)s cannot sit under a %(parent)s.")
                    % {"level": Region(level=level).get_level_display(),
                       "parent": parent.get_level_display()},
                )
            if parent is None and level in ("village", "grid", "unit"):
                self.add_error("parent", _("A village, grid or unit needs a parent."))
        return cleaned


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    form = RegionForm
    list_display = ("code", "name", "short_name", "level", "parent", "village_category", "edition", "retired_at")
    list_filter = ("level", RetiredFilter, "village_category")
    search_fields = ("^code", "name", "short_name")
    raw_id_fields = ("parent", "replaced_by")
    list_select_related = ("parent",)
    show_full_result_count = False  # 660k rows: skip the second COUNT(*)
    ordering = ("code",)
    fieldsets = (
        (None, {"fields": ("code", "level", "name", "short_name", "aliases", "parent")}),
        (_("Village"), {"fields": ("village_category", "latitude", "longitude")}),
        (_("Edition"), {"fields": ("edition", "retired_at", "replaced_by")}),
        (_("Ancestors"), {"fields": ANCESTOR_FIELDS}),
    )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ANCESTOR_FIELDS
        return ("code", "level", "parent", *ANCESTOR_FIELDS)

    def save_model(self, request, obj, form, change):
        if change:
            with transaction.atomic():
                super().save_model(request, obj, form, change)
                bump_regions_version()  # names, aliases or retirement may have changed
            return
        data = form.cleaned_data
        created = region_create(
            parent=data.get("parent"),
            code=data["code"],
            level=data["level"],
            name=data["name"],
            short_name=data.get("short_name") or "",
            aliases=data.get("aliases") or [],
            edition=data.get("edition") or "",
        )
        extra = {
            f: data.get(f) for f in ("village_category", "latitude", "longitude", "retired_at", "replaced_by")
            if data.get(f) not in (None, "")
        }
        if extra:
            Region.objects.filter(pk=created.pk).update(**extra)
        obj.pk = created.pk
        obj.refresh_from_db()
