"""Admin for the Open311 services and their definitions. Service requests are read-only here:
they change only as their events move through the event actions."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from fengqiao.open311.models import (
    LIST_DATATYPES,
    AttributeValue,
    Service,
    ServiceAttribute,
    ServiceRequest,
)


def _touch(service_id: int) -> None:
    """A changed definition moves the discovery changeset (clients refresh their cache)."""
    Service.objects.filter(pk=service_id).update(updated_at=timezone.now())


class AttributeInline(admin.TabularInline):
    model = ServiceAttribute
    extra = 0
    fields = ("order", "code", "description", "datatype", "required", "variable", "active", "edit_values")
    readonly_fields = ("edit_values",)
    show_change_link = True

    @admin.display(description=_("values"))
    def edit_values(self, obj: ServiceAttribute) -> str:
        if obj.pk is None or obj.datatype not in LIST_DATATYPES:
            return "—"
        return format_html("{} ↗", obj.values.count())


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category", "group", "type", "public_details", "active", "sort")
    list_filter = ("active", "type", "public_details", "group")
    search_fields = ("code", "name", "keywords", "category__name", "category__code")
    list_select_related = ("category",)
    raw_id_fields = ("category",)
    readonly_fields = ("updated_at",)
    inlines = [AttributeInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        _touch(form.instance.pk)


class AttributeValueInline(admin.TabularInline):
    model = AttributeValue
    extra = 1
    fields = ("sort", "key", "name")


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin):
    list_display = ("service", "order", "code", "description", "datatype", "required", "variable", "active")
    list_filter = ("datatype", "required", "active")
    search_fields = ("code", "description", "service__code", "service__name")
    list_select_related = ("service",)
    raw_id_fields = ("service",)
    inlines = [AttributeValueInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        attribute = form.instance
        if attribute.datatype in LIST_DATATYPES and not attribute.values.exists():
            # Saved, but say plainly that the list is empty: clients could send nothing valid.
            from django.contrib import messages

            messages.warning(request, _("This list attribute has no values yet: add at least one."))
        _touch(attribute.service_id)


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    list_display = ("event", "service", "system", "token", "requested_at")
    list_filter = ("service", "system")
    search_fields = ("event__code", "token")
    list_select_related = ("event", "service", "system")
    date_hierarchy = "requested_at"
    # The e-mail is personal data: not shown in the admin either.
    exclude = ("email",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in ServiceRequest._meta.fields if f.name != "email"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
