"""Admin for the sending systems (the key is shown once, at creation or rotation) and a read-only
list of the tickets they delivered."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from fengqiao.intake.actions import intake_system_create, intake_system_rotate_key
from fengqiao.intake.models import ExternalTicket, IntakeSystem
from fengqiao.lib.errors import DomainError


class IntakeSystemForm(forms.ModelForm):
    callback_url = forms.URLField(label=_("callback URL"), max_length=500, required=False,
                                  assume_scheme="https")

    class Meta:
        model = IntakeSystem
        fields = ("name", "source", "within", "callback_url", "active")


@admin.register(IntakeSystem)
class IntakeSystemAdmin(admin.ModelAdmin):
    form = IntakeSystemForm
    list_display = ("name", "source", "within", "key_prefix", "active", "callback_url", "last_used_at")
    list_filter = ("source", "active")
    search_fields = ("name", "key_prefix")
    raw_id_fields = ("within",)
    list_select_related = ("within",)
    readonly_fields = ("key_prefix", "created_at", "last_used_at")
    actions = ("rotate_keys",)

    def get_fields(self, request, obj=None):
        base = ("name", "source", "within", "callback_url", "active")
        return base if obj is None else (*base, *self.readonly_fields)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: its tickets keep pointing at it

    def save_model(self, request, obj: IntakeSystem, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        try:
            system, raw = intake_system_create(
                name=obj.name, source=obj.source, within=obj.within, callback_url=obj.callback_url,
                actor=request.user,
            )
        except DomainError as exc:  # the form checked the same; a race with another admin
            messages.error(request, exc.message)
            return
        if not obj.active:
            IntakeSystem.objects.filter(pk=system.pk).update(active=False)
        obj.pk = system.pk
        obj.refresh_from_db()
        messages.warning(
            request,
            _("The key of %(name)s is %(key)s — copy it now, it is not shown again. "
              "The system sends it as the X-Api-Key header.") % {"name": system.name, "key": raw},
        )
        self._show_secret(request, system)

    def _show_secret(self, request, system: IntakeSystem) -> None:
        messages.warning(
            request,
            _("Callbacks to %(name)s are signed with the secret %(secret)s — give it to the system "
              "with the key; it is not shown again.") % {"name": system.name, "secret": system.callback_secret},
        )

    @admin.action(description=_("Issue a new key (the old one stops working)"))
    def rotate_keys(self, request, queryset):
        for system in queryset:
            raw = intake_system_rotate_key(system=system, actor=request.user)
            messages.warning(
                request,
                _("The new key of %(name)s is %(key)s — copy it now, it is not shown again.")
                % {"name": system.name, "key": raw},
            )
            self._show_secret(request, system)


@admin.register(ExternalTicket)
class ExternalTicketAdmin(admin.ModelAdmin):
    list_display = ("external_id", "system", "channel", "event", "routed", "triage_reasons",
                    "deliveries", "received_at")
    list_filter = ("routed", "system")
    search_fields = ("external_id", "event__code")
    list_select_related = ("system", "event")
    raw_id_fields = ("event", "system")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
