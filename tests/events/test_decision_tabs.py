"""Every decision waiting on a person is a worklist tab with its count, in scope: 待审批 (an
extension one tier down), 提级待签收 (an escalation received), 退回待分拨 (a return to dispatch
again) and 待分流 (triage). A tab is shown to those whose posts decide it."""

from __future__ import annotations

import re

import pytest
from django.db import transaction

from fengqiao.events import actions
from fengqiao.events.queries import buckets_for, worklist, worklist_counts
from fengqiao.triage.actions import triage_open
from tests.events.helpers import event_in
from tests.factories import register

pytestmark = pytest.mark.django_db


def _tabs(client, user) -> dict[str, str]:
    client.force_login(user)
    html = client.get("/").content.decode()
    return dict(re.findall(r'data-tab="([a-z_]+)"[^>]*>\s*<span class="tab-label">[^<]*</span> '
                           r'<span class="count[^"]*">(\d+)</span>', html))


def test_a_town_cadre_decides_the_extension_a_village_asked_for_from_a_tab(world, client):
    event = event_in(world, "in_progress", world.admin.user)
    actions.event_request_extension(event=event, actor=world.secretary_a.user, days=3, reason="等待鉴定")
    cadre = world.town_cadre.user
    assert worklist_counts(cadre)["to_approve"] == 1
    assert list(worklist(cadre, "to_approve")) == [event]
    assert _tabs(client, cadre)["to_approve"] == "1"
    client.force_login(cadre)
    page = client.get("/?tab=to_approve").content.decode()
    assert "待审批" in page and event.code in page
    # in scope: the other town's cadre decides nothing here; the asker has no such tab
    assert worklist_counts(world.other_town_cadre.user)["to_approve"] == 0
    assert "to_approve" not in {b.key for b in buckets_for(world.secretary_a.user)}
    assert "to_approve" not in _tabs(client, world.secretary_a.user)
    actions.event_approve_extension(event=event, actor=cadre)
    assert worklist_counts(cadre)["to_approve"] == 0


def test_an_escalation_waits_in_the_tab_of_the_tier_it_went_to(world):
    event = event_in(world, "in_progress", world.admin.user)
    actions.event_escalate(event=event, actor=world.secretary_a.user, reason="村级无法化解")
    assert list(worklist(world.town_cadre.user, "escalated")) == [event]
    assert worklist_counts(world.other_town_cadre.user)["escalated"] == 0
    assert worklist_counts(world.operator.user)["escalated"] == 0  # not at the county yet
    actions.event_acknowledge(event=event, actor=world.town_cadre.user)
    assert worklist_counts(world.town_cadre.user)["escalated"] == 0
    actions.event_escalate(event=event, actor=world.town_cadre.user, reason="需县级协调")
    assert list(worklist(world.operator.user, "escalated")) == [event]
    assert worklist_counts(world.town_cadre.user)["escalated"] == 0


def test_a_returned_event_waits_to_be_dispatched_again(world):
    event = event_in(world, "dispatched", world.admin.user)
    assert worklist_counts(world.operator.user)["returned"] == 0
    actions.event_return(event=event, actor=world.secretary_a.user, reason="不属本村管辖")
    assert list(worklist(world.operator.user, "returned")) == [event]
    assert list(worklist(world.town_cadre.user, "returned")) == [event]
    assert worklist_counts(world.other_town_cadre.user)["returned"] == 0
    assert "returned" not in {b.key for b in buckets_for(world.secretary_a.user)}


def test_triage_is_a_tab_of_those_who_triage(world, client):
    event = register(world, region=world.county, title="路灯不亮", category="other")
    with transaction.atomic():
        triage_open(event=event, reasons=["unrouted"])
    assert list(worklist(world.operator.user, "triage")) == [event]
    assert _tabs(client, world.operator.user)["triage"] == "1"
    assert worklist_counts(world.town_cadre.user)["triage"] == 0  # a county event: not the town's
    assert "triage" not in _tabs(client, world.secretary_a.user)


def test_the_api_counts_the_same_tabs(world, api):
    event = event_in(world, "in_progress", world.admin.user)
    actions.event_request_extension(event=event, actor=world.secretary_a.user, days=3, reason="等待鉴定")
    body = api.get("/me/worklist", user=world.town_cadre.user, bucket="to_approve").json()
    assert body["counts"]["to_approve"] == 1 and [i["id"] for i in body["items"]] == [event.pk]
