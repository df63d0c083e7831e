"""Hazard checks on the admin's checklists: a failed item becomes an event naming the item; a
re-check through the shared transition closes it (or records that it is not fixed yet)."""

from __future__ import annotations

import uuid

import pytest

from fengqiao.audit.models import AuditEntry
from fengqiao.events.models import Event, Source
from fengqiao.grid import actions
from fengqiao.grid.models import Checklist, Finding, FindingStatus, HazardCheck
from fengqiao.lib import clock
from fengqiao.lib.errors import IllegalTransition, InvalidInput, NotPermitted
from tests.grid.world import START


def _fire():
    return Checklist.objects.get(kind="fire")


def _check(gw, *, failed=(), key=None, who="worker_a", subject=None):
    checklist = _fire()
    items = list(checklist.items.filter(active=True))
    results = {str(i.pk): {"passed": i.text not in failed, "note": "楼道堆放电动车" if i.text in failed else ""}
               for i in items}
    return actions.hazard_check_log(actor=gw.user(who), submission=actions.CheckInput(
        client_uuid=key or uuid.uuid4(), checklist_id=checklist.pk, results=results,
        household_id=(subject or gw.households[0]).pk))


def test_a_passed_check_raises_nothing(gw):
    with clock.frozen(START):
        logged = _check(gw)
    assert logged.created and not logged.events and not Finding.objects.exists()


def test_a_failed_item_becomes_an_event_naming_the_item(gw):
    item = "电动自行车未在室内或楼道停放充电"
    with clock.frozen(START):
        logged = _check(gw, failed=[item])
    finding = Finding.objects.get()
    assert finding.item_text == item and finding.status == FindingStatus.OPEN
    event = finding.event
    assert event.source == Source.HAZARD_CHECK and item in event.title
    assert event.category.code == "hazard.fire" and event.region_id == gw.grid_a.pk
    assert logged.events == [event]
    assert AuditEntry.objects.filter(stream=f"hazard:{finding.pk}", action="register").count() == 1


def test_every_item_must_be_answered(gw):
    checklist = _fire()
    first = checklist.items.first()
    with clock.frozen(START), pytest.raises(InvalidInput):
        actions.hazard_check_log(actor=gw.user("worker_a"), submission=actions.CheckInput(
            client_uuid=uuid.uuid4(), checklist_id=checklist.pk, results={str(first.pk): True},
            household_id=gw.households[0].pk))
    assert not HazardCheck.objects.exists()


def test_a_recheck_not_fixed_keeps_it_open_and_a_fixed_one_closes_it(gw):
    with clock.frozen(START):
        _check(gw, failed=["灭火器配备且在有效期内"])
        finding = Finding.objects.get()
        actions.finding_recheck(actor=gw.user("worker_a"), finding=finding, fixed=False, note="尚未更换")
        finding.refresh_from_db()
        assert finding.status == FindingStatus.OPEN and finding.rechecks == 1
        actions.finding_recheck(actor=gw.user("worker_a"), finding=finding, fixed=True, note="已配备新灭火器")
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLOSED and finding.rechecks == 2 and finding.closed_by == gw.worker_a
    rows = list(AuditEntry.objects.filter(stream=f"hazard:{finding.pk}").order_by("seq")
                .values_list("action", "from_state", "to_state"))
    assert rows == [("register", "", "open"), ("recheck", "open", "open"), ("recheck", "open", "closed")]
    with pytest.raises(IllegalTransition):
        actions.finding_recheck(actor=gw.user("worker_a"), finding=finding, fixed=True)


def test_another_grids_worker_may_not_recheck(gw):
    with clock.frozen(START):
        _check(gw, failed=["灭火器配备且在有效期内"])
    with pytest.raises(NotPermitted):
        actions.finding_recheck(actor=gw.user("worker_a2"), finding=Finding.objects.get(), fixed=True)
    assert Finding.objects.get().status == FindingStatus.OPEN


def test_the_same_check_sent_twice_makes_one_check_and_one_event_per_failed_item(gw):
    key = uuid.uuid4()
    with clock.frozen(START):
        first = _check(gw, key=key, failed=["灭火器配备且在有效期内", "疏散通道、安全出口畅通"])
        again = _check(gw, key=key, failed=["灭火器配备且在有效期内", "疏散通道、安全出口畅通"])
    assert again.record.pk == first.record.pk and not again.created
    assert HazardCheck.objects.count() == 1 and Finding.objects.count() == 2
    assert Event.objects.filter(source=Source.HAZARD_CHECK).count() == 2


def test_the_admin_edits_a_checklist_and_retired_items_stay_named(gw):
    checklist = _fire()
    with clock.frozen(START):
        _check(gw, failed=["灭火器配备且在有效期内"])
        actions.checklist_save(actor=gw.base.admin.user, checklist=checklist, kind="fire", name="消防安全检查",
                               items=["疏散通道、安全出口畅通", "烟感报警器完好"])
    texts = list(checklist.items.filter(active=True).values_list("text", flat=True))
    assert texts == ["疏散通道、安全出口畅通", "烟感报警器完好"]
    assert Finding.objects.get().item.active is False  # retired, not deleted
    with pytest.raises(NotPermitted):
        actions.checklist_save(actor=gw.user("worker_a"), checklist=checklist, kind="fire", name="x", items=["y"])
