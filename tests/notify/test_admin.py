"""The outbox in the admin: masked numbers, no editing by hand, and "retry now"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fengqiao.notify import delivery
from fengqiao.notify.models import OutboxMessage
from tests.notify.helpers import make_text

pytestmark = pytest.mark.django_db


def test_the_outbox_list_shows_numbers_masked(admin_client):
    make_text(phone="13912345678")
    r = admin_client.get(reverse("admin:notify_outboxmessage_changelist"))
    assert r.status_code == 200
    page = r.content.decode()
    assert "139****5678" in page and "13912345678" not in page


def test_the_outbox_detail_page_shows_the_row_without_the_number(admin_client):
    row = make_text(phone="13912345678")
    r = admin_client.get(reverse("admin:notify_outboxmessage_change", args=[row.pk]))
    assert r.status_code == 200
    assert "13912345678" not in r.content.decode() and "139****5678" in r.content.decode()


def test_outbox_rows_cannot_be_added_or_deleted_by_hand(admin_client):
    row = make_text()
    assert admin_client.get(reverse("admin:notify_outboxmessage_add")).status_code == 403
    assert admin_client.get(reverse("admin:notify_outboxmessage_delete", args=[row.pk])).status_code == 403


def test_retry_now_in_the_admin_sends_a_failed_text_again(admin_client, aliyun):
    aliyun.fail_next(1)
    failed = make_text(max_attempts=1)
    delivery.deliver_due()
    assert OutboxMessage.objects.get(pk=failed.pk).state == "failed"
    r = admin_client.post(
        reverse("admin:notify_outboxmessage_changelist"),
        {"action": "retry_now", "_selected_action": [failed.pk]},
        follow=True,
    )
    assert r.status_code == 200
    assert [str(m) for m in r.context["messages"]] == ["1 条消息将很快重新发送。"]
    row = OutboxMessage.objects.get(pk=failed.pk)
    assert row.state == "pending" and row.attempts == 0
    delivery.deliver_due()
    assert OutboxMessage.objects.get(pk=failed.pk).state == "sent"
    assert aliyun.delivered_keys() == [failed.idempotency_key]


def test_the_inbox_admin_is_read_only(admin_client, django_user_model):
    r = admin_client.get(reverse("admin:notify_notification_changelist"))
    assert r.status_code == 200
    assert admin_client.get(reverse("admin:notify_notification_add")).status_code == 403
