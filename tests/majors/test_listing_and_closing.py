"""Three-level listed supervision (三级挂账督办): who lists a matter at which level, and whose office
closes it (销号) — the city's for a city-listed matter, the county's for a county one, the town's
for a town one; nobody approves their own request; escalation moves the approver up."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.audit import chain as audit
from fengqiao.audit.models import AuditEntry
from fengqiao.lib import clock
from fengqiao.lib.errors import IllegalTransition, InvalidInput, NotPermitted
from fengqiao.majors import actions
from fengqiao.majors.models import Matter, Status
from fengqiao.notify.models import OutboxMessage
from fengqiao.workflow.models import Clock
from tests.majors import helpers
from tests.majors.world import local

pytestmark = pytest.mark.django_db

START = local(2026, 9, 1, 10)  # a Tuesday


def _done(mw, matter, *, actor="operator"):
    """Every milestone completed by the leader in charge."""
    for ms in matter.milestones.order_by("seq"):
        actions.milestone_complete(actor=mw.user("leader"), milestone=ms, result=f"{ms.title}已完成。")
    return Matter.objects.get(pk=matter.pk)


def _ready_to_close(mw, *, level, region, registrar, kind="risk"):
    with clock.frozen(START):
        m = helpers.register(mw, kind=kind, level=level, region=region, actor=registrar)
        m = helpers.underway(mw, m, actor=registrar)
        m = _done(mw, m)
        return actions.close_request(actor=mw.user("leader"), matter=m, summary="节点全部完成,群众无异议。")


# ----------------------------------------------------------------------------------- listing


def test_a_town_cadre_lists_town_matters_in_their_town_only(mw):
    with clock.frozen(START):
        m = helpers.register(mw, kind="risk", level="town", region=mw.village_a, actor="town_cadre")
        assert (m.level, m.listing_region_id) == ("town", mw.town.id)
        with pytest.raises(NotPermitted):
            helpers.register(mw, kind="risk", level="county", region=mw.village_a, actor="town_cadre")
        with pytest.raises(NotPermitted):  # 郊尾镇's village: not theirs
            helpers.register(mw, kind="risk", level="town", region=mw.village_c, actor="town_cadre")


def test_the_county_lists_county_and_town_matters_and_the_city_lists_city_ones(mw):
    with clock.frozen(START):
        county = helpers.register(mw, kind="risk", level="county", region=mw.village_c, actor="operator")
        town = helpers.register(mw, kind="risk", level="town", region=mw.village_c, actor="operator")
        assert county.listing_region_id == mw.county.id and town.listing_region_id == mw.other_town.id
        with pytest.raises(NotPermitted):
            helpers.register(mw, kind="risk", level="city", region=mw.village_c, actor="operator")
        city = helpers.register(mw, kind="risk", level="city", region=mw.village_c, actor="city_officer")
        assert city.listing_region_id == mw.city.id
        assert city.code.startswith("ZD-350322-2026-") and county.code != city.code


def test_a_town_level_matter_must_lie_within_a_town(mw):
    with clock.frozen(START), pytest.raises(InvalidInput) as refused:
        helpers.register(mw, kind="risk", level="town", region=mw.county, actor="operator")
    assert refused.value.field == "region_code"
    assert not Matter.objects.exists()


def test_someone_without_an_office_post_gets_403_whatever_they_send(mw):
    with clock.frozen(START), pytest.raises(NotPermitted):
        actions.matter_register(actor=mw.user("secretary_a"), title="", description="", kind="nonsense",
                                level="planet", region=mw.village_a, owner=mw.zjj, leader=mw.leader,
                                target_on="not a date")


# ----------------------------------------------------------------------------------- closing


@pytest.mark.parametrize("level, region, registrar, approver, refused", [
    ("town", "village_a", "town_cadre", "town_cadre2", ("operator", "city_officer", "other_town_cadre")),
    ("county", "village_a", "operator", "operator2", ("town_cadre", "city_officer", "leader2")),
    ("city", "village_a", "city_officer", "city_officer", ("operator", "town_cadre")),
])
def test_closing_is_approved_by_the_office_at_the_listing_level_only(mw, level, region, registrar, approver, refused):
    m = _ready_to_close(mw, level=level, region=getattr(mw, region), registrar=registrar)
    assert m.status == Status.CLOSING
    review = Clock.objects.get(workflow="major", record_id=m.pk, policy__key="major.close_review")
    assert review.stopped_at is None
    # The office at the listing region was told (its duty person).
    office = {"town": mw.town_cadre, "county": mw.operator, "city": mw.city_officer}[level]
    assert OutboxMessage.objects.filter(template="major_close_requested", person=office).exists()
    with clock.frozen(START + dt.timedelta(days=1)):
        for who in refused:
            with pytest.raises(NotPermitted):
                actions.close_approve(actor=mw.user(who), matter=m)
        assert Matter.objects.get(pk=m.pk).status == Status.CLOSING
        closed = actions.close_approve(actor=mw.user(approver), matter=m, note="经核查,同意销号。")
    assert closed.status == Status.CLOSED and closed.closed_by == getattr(mw, approver)
    review.refresh_from_db()
    assert review.outcome == Clock.Outcome.MET
    assert not Clock.objects.filter(workflow="major", record_id=m.pk, stopped_at=None).exists()
    row = AuditEntry.objects.filter(stream=f"major:{m.pk}", action="approve_close").get()
    assert (row.from_state, row.to_state, row.details["level"]) == ("closing", "closed", level)
    assert audit.verify() is None


def test_nobody_approves_a_closing_they_asked_for(mw):
    with clock.frozen(START):
        m = helpers.register(mw, kind="risk", level="county", region=mw.village_a)
        m = _done(mw, helpers.underway(mw, m))
        m = actions.close_request(actor=mw.user("operator2"), matter=m, summary="已完成。")
        with pytest.raises(NotPermitted):
            actions.close_approve(actor=mw.user("operator2"), matter=m)
        assert actions.close_approve(actor=mw.user("operator"), matter=m).status == Status.CLOSED


def test_closing_needs_every_milestone_done(mw):
    with clock.frozen(START):
        m = helpers.underway(mw, helpers.register(mw, kind="risk"))
        first = m.milestones.order_by("seq").first()
        actions.milestone_complete(actor=mw.user("leader"), milestone=first, result="完成。")
        with pytest.raises(IllegalTransition) as refused:
            actions.close_request(actor=mw.user("leader"), matter=m, summary="申请销号。")
    assert refused.value.code == "milestones_open"
    assert Matter.objects.get(pk=m.pk).status == Status.UNDERWAY


def test_a_closing_sent_back_returns_underway_and_stops_the_review(mw):
    m = _ready_to_close(mw, level="county", region=mw.village_a, registrar="operator")
    with clock.frozen(START + dt.timedelta(days=2)):
        back = actions.close_reject(actor=mw.user("operator"), matter=m, reason="佐证材料不全,请补充验收文件。")
    assert back.status == Status.UNDERWAY and back.close_requested_at is None
    assert Clock.objects.get(workflow="major", record_id=m.pk, policy__key="major.close_review").stopped_at
    assert OutboxMessage.objects.filter(template="major_close_decided", person=mw.leader).exists()
    with clock.frozen(START + dt.timedelta(days=3)):  # asked again, approved
        actions.close_request(actor=mw.user("leader"), matter=m, summary="已补充验收文件。")
        assert actions.close_approve(actor=mw.user("operator2"), matter=m).status == Status.CLOSED


def test_escalation_lists_the_matter_a_level_up_and_moves_who_closes_it(mw):
    with clock.frozen(START):
        m = helpers.underway(mw, helpers.register(mw, kind="risk", level="town", region=mw.village_a,
                                                  actor="town_cadre"), actor="town_cadre")
        m = actions.matter_escalate(actor=mw.user("town_cadre"), matter=m, reason="涉及跨镇协调,提级县级挂账。")
        assert (m.level, m.listing_region_id, m.escalation_count) == ("county", mw.county.id, 1)
        m = _done(mw, m)
        actions.close_request(actor=mw.user("leader"), matter=m, summary="完成。")
        with pytest.raises(NotPermitted):  # the town no longer closes it
            actions.close_approve(actor=mw.user("town_cadre2"), matter=m)
        assert actions.close_approve(actor=mw.user("operator"), matter=m).status == Status.CLOSED
    row = AuditEntry.objects.get(stream=f"major:{m.pk}", action="escalate")
    assert (row.details["from_level"], row.details["to_level"]) == ("town", "county")


def test_a_city_listed_matter_cannot_be_escalated(mw):
    with clock.frozen(START):
        m = helpers.register(mw, kind="risk", level="city", region=mw.village_a, actor="city_officer")
        with pytest.raises(IllegalTransition) as refused:
            actions.matter_escalate(actor=mw.user("city_officer"), matter=m, reason="再提级")
    assert refused.value.code == "top_level"
