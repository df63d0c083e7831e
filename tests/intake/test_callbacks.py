"""Calling the sender back: resolved, closed, merged and refused fed events post a signed notice
through the outbox; delivery failures are retried, never lost."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from fengqiao.events import actions
from fengqiao.events.models import Category
from fengqiao.intake.actions import Report, intake_submit, intake_system_create
from fengqiao.lib import clock
from fengqiao.notify.delivery import deliver_due, verify_webhook_signature
from fengqiao.notify.fakes import FakeWebhookReceiver
from fengqiao.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db

SECRET = "whsec-intake-0123456789"


@pytest.fixture
def receiver(settings):
    settings.FENGQIAO_WEBHOOK_SECRET = SECRET
    settings.FENGQIAO_SMS_TIMEOUT = 5
    with FakeWebhookReceiver(secret=SECRET) as fake:
        yield fake


@pytest.fixture
def hotline_to(world, receiver):
    def make(url: str):
        system, _key = intake_system_create(name="仙游县12345平台", source="hotline_12345",
                                            within=world.county, callback_url=url, actor=None)
        receiver.secret = system.callback_secret  # the sender checks with the secret it was given
        return system
    return make


def fed(world, system, ticket="XY-0001", region=None):
    return intake_submit(report=Report(
        source="hotline_12345", title="柯某反映工资被拖欠", system=system, external_id=ticket,
        category=Category.objects.get(code="dispute.wages"), region=region or world.village_a,
    ), actor=None).event


def webhooks():
    return list(OutboxMessage.objects.filter(channel="webhook").order_by("id"))


def resolve(world, event):
    actions.event_acknowledge(event=event, actor=world.secretary_a.user)
    return actions.event_resolve(event=event, actor=world.secretary_a.user, result="已协调支付工资")


def test_resolving_a_fed_event_queues_one_signed_notice_that_reaches_the_sender(world, hotline_to, receiver):
    system = hotline_to(receiver.url + "12345/callback")
    event = fed(world, system)
    assert webhooks() == []  # registering and dispatching tell the sender nothing
    resolve(world, event)
    [row] = webhooks()
    assert row.recipient == receiver.url + "12345/callback" and row.event_id == event.pk
    payload = json.loads(row.body)
    assert payload["type"] == "event.resolved" and payload["ticket_id"] == "XY-0001"
    assert payload["event_code"] == event.code and payload["status"] == "resolved"
    assert payload["result"] == "已协调支付工资" and payload["region_code"] == "350322103208"

    deliver_due()  # the texts of the dispatch go out too
    row.refresh_from_db()
    assert row.state == "sent"
    [got] = receiver.messages
    headers = {k.lower(): v for k, v in got["headers"].items()}
    assert verify_webhook_signature(system.callback_secret, headers["x-fengqiao-timestamp"], got["raw"],
                                    headers["x-fengqiao-signature"])
    # Signed with the system's own secret, not the platform's.
    assert not verify_webhook_signature(SECRET, headers["x-fengqiao-timestamp"], got["raw"],
                                        headers["x-fengqiao-signature"])
    assert got["payload"]["ticket_id"] == "XY-0001" and got["path"].endswith("/12345/callback")
    assert headers["idempotency-key"] == row.idempotency_key


def test_closing_after_the_call_back_sends_a_second_notice(world, hotline_to, receiver):
    event = fed(world, hotline_to(receiver.url))
    resolve(world, event)
    actions.event_call_back(event=event, actor=world.operator.user, satisfaction="satisfied")
    actions.event_close(event=event, actor=world.operator.user)
    kinds = [json.loads(r.body)["type"] for r in webhooks()]
    assert kinds == ["event.resolved", "event.closed"]
    assert json.loads(webhooks()[1].body)["satisfaction"] == "satisfied"


def test_a_dissatisfied_call_back_tells_the_sender_the_matter_is_reopened(world, hotline_to, receiver):
    event = fed(world, hotline_to(receiver.url))
    resolve(world, event)
    actions.event_call_back(event=event, actor=world.operator.user, satisfaction="dissatisfied")
    kinds = [json.loads(r.body)["type"] for r in webhooks()]
    assert kinds == ["event.resolved", "event.reopened"]
    assert json.loads(webhooks()[1].body)["status"] == "in_progress"


def test_refused_and_merged_fed_events_are_reported(world, hotline_to, receiver):
    system = hotline_to(receiver.url)
    kept = fed(world, system, "XY-1")
    twin = fed(world, system, "XY-2")
    actions.event_merge(event=twin, actor=world.operator.user, into=kept)
    unrouted = intake_submit(report=Report(source="hotline_12345", title="无地址的咨询", system=system,
                                           external_id="XY-3", category=Category.objects.get(code="other")),
                             actor=None).event
    actions.event_refuse(event=unrouted, actor=world.operator.user, reason="不属于受理范围")
    merged, refused = (json.loads(r.body) for r in webhooks())
    assert merged["type"] == "event.merged" and merged["ticket_id"] == "XY-2"
    assert merged["merged_into"] == kept.code
    assert refused["type"] == "event.refused" and refused["refuse_reason"] == "不属于受理范围"


def test_events_not_fed_by_a_system_with_a_callback_send_nothing(world, hotline_to, receiver):
    silent = hotline_to("")
    resolve(world, fed(world, silent))
    walk_in = intake_submit(report=Report(source="walk_in", title="来访", region=world.village_a,
                                          category=Category.objects.get(code="dispute.wages")),
                            actor=None).event
    resolve(world, walk_in)
    assert webhooks() == []


def test_a_failed_callback_is_retried_until_the_sender_takes_it(world, hotline_to, receiver):
    event = fed(world, hotline_to(receiver.url))
    resolve(world, event)
    receiver.fail_next(2, status=503)
    first = deliver_due()
    assert first.retried == 1 and receiver.messages == []
    [row] = webhooks()
    assert row.state == "pending" and row.attempts == 1 and "503" in row.last_error
    assert deliver_due().claimed == 0  # not due yet: backing off
    later = clock.now() + dt.timedelta(minutes=5)
    assert deliver_due(now=later).retried == 1
    assert deliver_due(now=later + dt.timedelta(hours=1)).sent == 1
    [got] = receiver.messages
    assert got["payload"]["event_code"] == event.code
    row.refresh_from_db()
    assert row.state == "sent" and row.attempts == 3


def test_a_callback_is_written_in_the_actions_transaction(world, hotline_to, receiver):
    """A resolve that fails (here: the wrong state) leaves no notice behind."""
    from fengqiao.lib.errors import IllegalTransition

    event = fed(world, hotline_to(receiver.url))
    with pytest.raises(IllegalTransition):
        actions.event_close(event=event, actor=world.operator.user)
    assert webhooks() == []



def test_each_sending_system_signs_with_its_own_secret_and_a_rotated_one_signs_what_waits(world, receiver):
    from django.db import connection

    from fengqiao.intake.actions import intake_system_rotate_key
    from fengqiao.intake.models import IntakeSystem
    from fengqiao.notify.delivery import webhook_secret

    hotline, _ = intake_system_create(name="12345", source="hotline_12345", within=world.county,
                                      callback_url=receiver.url + "a", actor=None)
    desk, _ = intake_system_create(name="110", source="police_110", within=world.county,
                                   callback_url=receiver.url + "b", actor=None)
    assert hotline.callback_secret.startswith("fqs_") and hotline.callback_secret != desk.callback_secret
    with connection.cursor() as cur:  # encrypted at rest
        cur.execute("SELECT callback_secret FROM intake_intakesystem WHERE id = %s", [hotline.pk])
        assert hotline.callback_secret not in cur.fetchone()[0]

    resolve(world, fed(world, hotline, ticket="A-1"))
    event_b = intake_submit(report=Report(
        source="police_110", title="噪音扰民", system=desk, external_id="B-1",
        category=Category.objects.get(code="dispute.wages"), region=world.village_b,
    ), actor=None).event
    actions.event_acknowledge(event=event_b, actor=world.secretary_b.user)
    actions.event_resolve(event=event_b, actor=world.secretary_b.user, result="已调解")
    row_a, row_b = webhooks()
    assert webhook_secret(row_a) == hotline.callback_secret
    assert webhook_secret(row_b) == desk.callback_secret

    intake_system_rotate_key(system=hotline, actor=None)
    assert webhook_secret(row_a) == hotline.callback_secret  # the new secret signs what still waits
    receiver.secret = hotline.callback_secret
    deliver_due()
    row_a.refresh_from_db()
    row_b.refresh_from_db()
    assert row_a.state == "sent"
    assert row_b.state != "sent"  # 110's notice does not verify under 12345's secret

    # A system made before secrets existed: the platform's secret signs.
    IntakeSystem.objects.filter(pk=desk.pk).update(callback_secret="")
    assert webhook_secret(row_b) == SECRET
