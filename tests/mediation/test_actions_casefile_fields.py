"""What the standard case file prints, kept by the actions: the parties' §29 particulars, each
term's sum, manner and place, the agreement's number, who recorded a session or an
investigation, who filed the case and for how long; an opening that names its mediator; the
worklist's tabs; the 群英 and organisations a form offers; the figures' terms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fengqiao.audit.models import AuditEntry
from fengqiao.lib.errors import InvalidInput, NotPermitted
from fengqiao.mediation import actions, queries
from fengqiao.mediation.models import Case, Retention
from fengqiao.workflow import clocks
from tests.factories import register
from tests.mediation.world import OFFICE_TIME, Centre, build_centre, frozen

TZ = OFFICE_TIME.tzinfo


@pytest.fixture
def centre(world) -> Centre:
    return build_centre(world)


def opened(centre: Centre, **kwargs) -> Case:
    w = centre.world
    with frozen(OFFICE_TIME):
        event = register(w, actor=w.operator.user)
        return actions.case_open(actor=kwargs.pop("actor", centre.user("town_mediator")), event=event,
                                 org=centre.town_committee, kind="people", **kwargs)


def test_the_parties_particulars_are_kept_and_the_birth_date_masked(centre):
    case = opened(centre, parties=[
        {"side": "applicant", "name": "王某", "sex": "男", "ethnicity": "汉族", "birth_date": "1980-05-06",
         "occupation": "工人"},
        {"side": "respondent", "name": "某某鞋业有限公司", "is_organisation": True, "representative": "李某"}])
    applicant, firm = case.parties.order_by("id")
    assert (applicant.ethnicity, applicant.birth_date) == ("汉族", dt.date(1980, 5, 6))
    assert firm.representative == "李某"
    assert queries.parties_for(centre.world.secretary_a.user, case, via="api")[0]["birth_date"] is None
    assert queries.parties_for(centre.user("town_mediator"), case, via="api")[0]["birth_date"] == dt.date(1980, 5, 6)
    with pytest.raises(InvalidInput):
        opened(centre, parties=[{"side": "applicant", "name": "x", "birth_date": "2999-01-01"}])


def mediating(centre: Centre) -> Case:
    case = opened(centre, mediator=centre.town_mediator, mediator_reason="专长:劳动争议;同镇;在办0件")
    actor = centre.user("town_mediator")
    with frozen(OFFICE_TIME + dt.timedelta(hours=1)):
        actions.case_accept(case=case, actor=actor)
        actions.case_hold_session(case=case, actor=actor, place="调委会", notes="双方陈述", result="初步一致")
        actions.case_investigate(case=case, actor=actor, held_at=OFFICE_TIME, place="车间", subject="工友",
                                 content="证实受伤经过")
    return Case.objects.get(pk=case.pk)


def test_an_opening_that_names_its_mediator_assigns_in_the_same_transaction(centre):
    case = mediating(centre)
    rows = list(AuditEntry.objects.filter(stream=f"mediation:{case.pk}").order_by("seq"))
    assert [r.action for r in rows][:2] == ["open", "assign"]
    assert rows[1].details["reason"] == "专长:劳动争议;同镇;在办0件"
    assert case.mediators.get().role == "lead"
    # A police officer bound to the event may open a case, but assigning is an officer's move.
    w = centre.world
    event = register(w, actor=w.operator.user)
    with pytest.raises(NotPermitted):
        actions.case_open(actor=w.police_a.user, event=event, org=centre.town_committee, kind="people",
                          mediator=centre.town_mediator)
    assert not Case.objects.filter(event=event).exists()  # nothing half-done
    assert actions.case_open(actor=w.police_a.user, event=event, org=centre.town_committee, kind="people").pk


def test_sessions_and_investigations_name_their_recorder(centre):
    case = mediating(centre)
    session = case.sessions.get()
    assert (session.recorder, session.result) == ("程忠定", "初步一致")
    assert case.investigations.get().recorder == "程忠定"


def test_terms_carry_their_sum_manner_and_place_and_the_agreement_its_number(centre):
    case = mediating(centre)
    actor = centre.user("town_mediator")
    with pytest.raises(InvalidInput) as refused:
        actions.case_agree(case=case, actor=actor, form="written", terms=[{"content": "付款", "amount": "-5"}])
    assert refused.value.field == "terms[0].amount"
    for bad in ("abc", "1e20", "NaN", True):
        with pytest.raises(InvalidInput):
            actions.case_agree(case=case, actor=actor, form="written", terms=[{"content": "付款", "amount": bad}])
    with frozen(OFFICE_TIME + dt.timedelta(days=1)):
        actions.case_agree(case=case, actor=actor, form="written", terms=[
            {"content": "李某赔偿王某各项费用", "amount": "12,000", "manner": "银行转账", "place": "度尾镇调委会",
             "due_on": "2025-03-20"}])
    case = Case.objects.get(pk=case.pk)
    term = case.agreement.terms.get()
    assert (term.amount, term.manner, term.place) == (Decimal("12000.00"), "银行转账", "度尾镇调委会")
    assert case.agreement.number == "XY-" + case.code.removeprefix("TJ-")
    with frozen(OFFICE_TIME + dt.timedelta(days=2)):
        actions.case_close(case=case, actor=actor)
    case.refresh_from_db()
    assert (case.filed_by, case.retention) == ("程忠定", Retention.LONG)


def test_a_case_without_terms_to_perform_is_kept_short_unless_told(centre):
    case = mediating(centre)
    actor = centre.user("town_mediator")
    actions.case_fail(case=case, actor=actor, reason="分歧过大")
    with pytest.raises(InvalidInput):
        actions.case_close(case=case, actor=actor, retention="forever")
    actions.case_close(case=case, actor=actor)
    assert Case.objects.get(pk=case.pk).retention == Retention.SHORT
    other = mediating(centre)
    actions.case_fail(case=other, actor=actor, reason="分歧过大")
    actions.case_close(case=other, actor=actor, retention="permanent")
    assert Case.objects.get(pk=other.pk).retention == Retention.PERMANENT


def test_the_worklist_tabs(centre):
    actor = centre.user("town_mediator")
    applied = opened(centre)
    working = mediating(centre)
    counts = queries.case_worklist_counts(actor)
    assert list(counts) == ["to_accept", "mine", "mediating", "performance", "confirmation", "to_report", "overdue"]
    assert list(queries.case_worklist(actor, "to_accept")) == [applied]
    assert list(queries.case_worklist(actor, "mediating")) == [working]
    # Ten days on: the three working days to accept have passed; the thirty to mediate have not.
    with frozen(OFFICE_TIME + dt.timedelta(days=10)):
        assert list(queries.case_worklist(actor, "overdue")) == [applied]
        assert list(queries.case_worklist(centre.user("other_mediator"), "overdue")) == []
    with frozen(OFFICE_TIME + dt.timedelta(days=40)):
        assert set(queries.case_worklist(actor, "overdue")) == {applied, working}


def test_the_dispatch_form_offers_the_village_pool_first_then_the_town(centre):
    from fengqiao.mediation.models import PoolMember

    w = centre.world
    village_pool = actions.pool_create(actor=None, name="洋坂村群英断事会", region=w.village_a)
    person = w.work_team_a
    local = actions.pool_member_add(actor=None, pool=village_pool, person=person, source="unit_head")
    event = register(w, actor=w.operator.user)
    members = list(queries.pool_members_for_event(event))
    assert members[0] == local and set(members[1:]) == {centre.member, centre.member_b}
    assert centre.other_member not in members
    assert isinstance(members[0], PoolMember)


def test_the_organisations_a_town_mediator_may_choose(centre):
    orgs = set(queries.visible_orgs(centre.user("town_mediator")))
    assert {centre.centre, centre.town_committee, centre.brand_room, centre.court_room} <= orgs
    assert centre.other_committee not in orgs


def test_figures_count_terms_due_and_performed(centre):
    case = mediating(centre)
    actor = centre.user("town_mediator")
    with frozen(OFFICE_TIME + dt.timedelta(days=1)):
        actions.case_agree(case=case, actor=actor, form="written", terms=[
            {"content": "三月付清", "due_on": "2025-03-20"},
            {"content": "六月付清", "due_on": "2025-06-20"},
            {"content": "互不追究"},
            {"content": "年底前修缮围墙", "due_on": "2025-12-31"}])
    terms = list(Case.objects.get(pk=case.pk).agreement.terms.order_by("seq"))
    actions.case_check_term(case=case, actor=actor, term=terms[0].pk, status="performed")
    actions.case_check_term(case=case, actor=actor, term=terms[3].pk, status="performed")  # early
    [row] = queries.figures(by="kind", as_of=dt.date(2025, 4, 1))
    # Due by 1 April: the March term, the one with no date (in force), and the early one.
    assert (row.terms_due, row.terms_performed) == (3, 2)
    [row] = queries.figures(by="kind", as_of=dt.date(2025, 7, 1))
    assert (row.terms_due, row.terms_performed) == (4, 2)
    assert (row.cases, row.settled, row.ended) == (1, 1, 1)
    assert row.performance_checked == 0  # the agreement's own performance waits for every term


def test_the_confirmation_tab_leaves_out_windows_that_have_closed(centre):
    case = mediating(centre)
    actor = centre.user("town_mediator")
    with frozen(OFFICE_TIME + dt.timedelta(days=1)):
        actions.case_agree(case=case, actor=actor, form="written", terms=[{"content": "付款"}])
    with frozen(OFFICE_TIME + dt.timedelta(days=10)):
        assert list(queries.case_worklist(actor, "confirmation")) == [case]
    clocks.scan(now=OFFICE_TIME + dt.timedelta(days=40))
    with frozen(OFFICE_TIME + dt.timedelta(days=40)):
        assert list(queries.case_worklist(actor, "confirmation")) == []
        assert case in queries.case_worklist(actor, "overdue")
