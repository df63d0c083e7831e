"""The one door: routing by region, point and address; categories; triage reasons; redelivery."""

from __future__ import annotations

import pytest
from django.db import transaction

from fengqiao.audit.models import AuditEntry
from fengqiao.events.models import Category, Event, Party
from fengqiao.intake.actions import (
    UNCATEGORISED,
    UNROUTED,
    Report,
    intake_submit,
    intake_submit_nested,
    intake_system_create,
)
from fengqiao.intake.models import ExternalTicket

pytestmark = pytest.mark.django_db


def wages() -> Category:
    return Category.objects.get(code="dispute.wages")


def test_report_with_region_is_filed_and_dispatched_at_once(world):
    result = intake_submit(
        report=Report(source="walk_in", title="柯某工资拖欠", category=wages(), region=world.village_a,
                      reporter_name="柯某", reporter_phone="139 0000 0099"),
        actor=world.operator.user,
    )
    event = result.event
    assert result.created and result.routed and result.triage_reasons == []
    assert event.status == "dispatched" and event.region == world.village_a
    assert {a.person for a in event.assignments.all()} >= {world.secretary_a, world.liaison_a, world.police_a}
    reporter = Party.objects.get(event=event)
    assert reporter.is_reporter and reporter.phone == "13900000099" and reporter.name == "柯某"
    assert list(AuditEntry.objects.filter(event=event).values_list("action", flat=True)) == [
        "register", "dispatch", "intake"]


def test_report_with_nothing_to_route_is_registered_for_triage_under_the_senders_county(world):
    system, _key = intake_system_create(name="仙游12345", source="hotline_12345", within=world.county,
                                        actor=None)
    result = intake_submit(
        report=Report(source="hotline_12345", title="路灯不亮", category=wages(), system=system,
                      external_id="T-1"),
        actor=None,
    )
    assert result.created and not result.routed
    assert UNROUTED in result.triage_reasons
    assert result.event.status == "registered" and result.event.region == world.county
    assert result.event.code.startswith("350322-")


def test_same_ticket_twice_makes_one_event(world):
    system, _key = intake_system_create(name="仙游110", source="police_110", within=world.county, actor=None)
    report = Report(source="police_110", title="邻里噪音纠纷", category=wages(), region=world.village_a,
                    system=system, external_id="110-0001")
    first = intake_submit(report=report, actor=None)
    second = intake_submit(report=report, actor=None)
    assert first.created and not second.created
    assert second.event.pk == first.event.pk
    assert Event.objects.count() == 1
    assert ExternalTicket.objects.get().deliveries == 2


def test_without_category_or_classifier_confidence_falls_back_to_other(world):
    result = intake_submit(
        report=Report(source="walk_in", title="一件说不清的事", region=world.village_a), actor=None)
    assert result.event.category.code == "other"
    assert UNCATEGORISED in result.triage_reasons


def test_channel_label_equal_to_a_category_name_is_used(world):
    result = intake_submit(
        report=Report(source="walk_in", title="工资没发", category_hint="劳资纠纷", region=world.village_a),
        actor=None)
    assert result.event.category.name == "劳资纠纷"
    assert result.triage_reasons == []


def test_nested_submit_runs_inside_the_callers_transaction(world):
    with transaction.atomic():
        result = intake_submit_nested(report=Report(source="walk_in", title="x", region=world.village_a,
                                                    category=wages()), actor=None)
    assert result.created


def test_an_import_rolled_back_leaves_nothing_of_its_reports(world):
    """intake_submit_nested inside the caller's transaction: all or nothing."""
    from fengqiao.triage.models import TriageItem

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        for n in range(3):
            intake_submit_nested(report=Report(source="hotline_12345", title=f"表格第{n}行",
                                               channel="sheet:hotline_12345", external_id=f"R{n}"),
                                 actor=world.operator.user)
        raise Abort
    assert not Event.objects.exists() and not ExternalTicket.objects.exists()
    assert not TriageItem.objects.exists()


def test_without_a_system_the_channel_namespaces_the_ticket_ids(world):
    a = intake_submit(report=Report(source="hotline_12345", title="甲", channel="sheet:hotline_12345",
                                    external_id="1", region=world.village_a, category=wages()), actor=None)
    b = intake_submit(report=Report(source="hotline_12345", title="乙", channel="sheet:police_110",
                                    external_id="1", region=world.village_a, category=wages()), actor=None)
    again = intake_submit(report=Report(source="hotline_12345", title="甲", channel="sheet:hotline_12345",
                                        external_id="1", region=world.village_a, category=wages()), actor=None)
    assert a.event != b.event and again.event == a.event and not again.created
    assert a.ticket.channel == "sheet:hotline_12345" and a.ticket.system is None


@pytest.mark.parametrize("fields", [
    {"source": "weibo"},
    {"title": ""},
    {"title": "x" * 201},
    {"latitude": 25.5},
    {"reporter_phone": "请回电"},
    {"external_id": "x" * 101},
    {"dispute_source": "rumour"},
])
def test_bad_reports_raise_invalid_input_and_write_nothing(world, fields):
    from fengqiao.lib.errors import InvalidInput

    report = Report(**{"source": "hotline_12345", "title": "路灯不亮", "region": world.village_a,
                       "category": wages(), "external_id": "B-1", "channel": "test", **fields})
    with pytest.raises(InvalidInput):
        intake_submit(report=report, actor=None)
    assert not Event.objects.exists() and not ExternalTicket.objects.exists()
    assert not AuditEntry.objects.filter(action__in=["register", "intake"]).exists()


def test_a_reporter_already_among_the_parties_is_not_added_twice(world):
    from fengqiao.events.actions import PartyInput

    result = intake_submit(report=Report(
        source="walk_in", title="邻里纠纷", region=world.village_a, category=wages(),
        reporter_name="柯某", reporter_phone="13900000099",
        parties=[PartyInput(name="柯某", phone="13900000099", is_reporter=True), PartyInput(name="林某")],
    ), actor=None)
    assert sorted(Party.objects.filter(event=result.event).values_list("name", "is_reporter")) == [
        ("林某", False), ("柯某", True)]
