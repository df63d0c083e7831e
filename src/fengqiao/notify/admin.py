"""Admin views of the outbox and the inbox: for looking, and for sending a stuck text again."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from fengqiao.lib.masking import mask_phone
from fengqiao.notify import delivery
from fengqiao.notify.models import Notification, OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "channel", "template", "masked_recipient", "state", "attempts",
                    "next_attempt_at", "sent_at", "short_error"]
    list_filter = ["state", "channel", "template"]
    search_fields = ["idempotency_key", "provider_id", "template"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    list_select_related = ["event"]
    exclude = ["recipient"]  # encrypted personal data: shown masked
    readonly_fields = [
        "channel", "idempotency_key", "masked_recipient", "person", "event", "template", "params",
        "body", "state", "attempts", "max_attempts", "next_attempt_at", "lease_until", "last_error",
        "provider_id", "created_at", "sent_at",
    ]
    actions = ["retry_now"]

    @admin.display(description=_("recipient"))
    def masked_recipient(self, obj: OutboxMessage) -> str:
        if obj.channel == OutboxMessage.Channel.WEBHOOK:
            return obj.recipient
        return mask_phone(obj.recipient)

    @admin.display(description=_("last error"))
    def short_error(self, obj: OutboxMessage) -> str:
        return obj.last_error[:80]

    @admin.action(description=_("Retry now"), permissions=["change"])
    def retry_now(self, request, queryset) -> None:
        count = delivery.retry_now(ids=queryset.values_list("id", flat=True), actor=request.user)
        skipped = queryset.count() - count
        self.message_user(
            request,
            ngettext("%(n)d message will be sent again shortly.",
                     "%(n)d messages will be sent again shortly.", count) % {"n": count},
            messages.SUCCESS if count else messages.WARNING,
        )
        if skipped:
            self.message_user(
                request,
                ngettext("%(n)d message was skipped: already sent or being sent.",
                         "%(n)d messages were skipped: already sent or being sent.", skipped)
                % {"n": skipped},
                messages.WARNING,
            )

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "kind", "title", "event", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "user__username"]
    date_hierarchy = "created_at"
    list_select_related = ["user", "event"]
    readonly_fields = ["user", "event", "kind", "title", "body", "created_at", "read_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
