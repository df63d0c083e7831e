"""Suggested mediators: specialty first, then the nearer area, then the lighter load, then the
level — deterministic, each with its reason in Chinese."""

from __future__ import annotations

import pytest

from fengqiao.mediation import actions, suggest
from fengqiao.mediation.models import Case
from tests.factories import register
from tests.mediation.world import Centre, build_centre


@pytest.fixture
def centre(world) -> Centre:
    return build_centre(world)


def names(suggestions) -> list[str]:
    return [s.mediator.person.name for s in suggestions]


def test_a_labour_dispute_in_yangban_village(centre):
    w = centre.world
    found = suggest.suggest_mediators(specialty="labour", region=w.village_a, limit=10)
    # labour first: the village's own, the town's, then the county's (the other town's full-time
    # mediator before the court's invited one, by level); then the rest by area: 李中秋 (town), 王金牌.
    assert names(found) == ["柯兼职", "程忠定", "郑调解", "特邀甲", "李中秋", "王金牌"]
    assert [s.reason for s in found[:4]] == ["专长:劳动争议;同村;在办0件", "专长:劳动争议;同镇;在办0件",
                                             "专长:劳动争议;同县;在办0件", "专长:劳动争议;同县;在办0件;特邀调解员"]
    assert found[4].reason == "专长:无对口;同镇;在办0件;金牌调解员"


def test_load_orders_mediators_alike_in_specialty_and_area(centre):
    w = centre.world
    second = actions.mediator_create(actor=None, person=w.work_team_a, level="full_time", specialties=["labour"],
                                     region=w.town)
    busy = []
    for _ in range(2):
        event = register(w, actor=w.operator.user)
        case = actions.case_open(actor=w.operator.user, event=event, org=centre.town_committee, kind="people",
                                 parties=[{"side": "applicant", "name": "柯某"}])
        actions.case_assign(case=case, actor=w.operator.user, mediator=centre.town_mediator)
        busy.append(case)
    found = suggest.suggest_mediators(specialty="labour", region=w.village_b, limit=3)
    # 剑山村: nobody of the village; the town's three labour mediators (洋坂村's too: same town) by
    # load, then level (full-time before part-time).
    assert names(found) == ["李队员", "柯兼职", "程忠定"]
    assert found[2].reason == "专长:劳动争议;同镇;在办2件" and found[2].load == 2
    # A closed case no longer weighs.
    actions.case_accept(case=busy[0], actor=w.operator.user)
    actions.case_withdraw(case=busy[0], actor=w.operator.user, reason="撤回")
    assert suggest.suggest_mediators(specialty="labour", region=w.village_b, limit=3)[2].load == 1
    assert second.pk


def test_the_court_s_referrals_put_its_invited_mediators_first_among_equals(centre):
    w = centre.world
    plain = suggest.suggest_mediators(specialty="labour", region=w.county, limit=2)
    referred = suggest.suggest_mediators(specialty="labour", region=w.county, kind="pre_litigation", limit=2)
    # A county-level case: every labour mediator is "同县"; by load and level the full-time ones come
    # first, unless the court referred it.
    assert names(plain)[0] != "特邀甲" and names(referred)[0] == "特邀甲"


def test_the_same_facts_give_the_same_list_and_mediators_on_the_case_are_left_out(centre):
    w = centre.world
    first = names(suggest.suggest_mediators(specialty="neighbour", region=w.village_c, limit=10))
    assert first == names(suggest.suggest_mediators(specialty="neighbour", region=w.village_c, limit=10))
    event = register(w, actor=w.operator.user, region=w.village_c, category="dispute.neighbours")
    case = actions.case_open(actor=w.operator.user, event=event, org=centre.other_committee, kind="people",
                             parties=[{"side": "applicant", "name": "李某"}])
    actions.case_assign(case=case, actor=w.operator.user, mediator=centre.county_mediator)
    case = Case.objects.get(pk=case.pk)
    assert "王金牌" not in names(suggest.suggest_for_case(case, limit=10))
    assert names(suggest.suggest_for_case(case, limit=1)) == ["李中秋"]  # neighbour, 同县 (another town)


def test_inactive_mediators_are_not_suggested(centre):
    actions.mediator_update(actor=None, mediator=centre.village_mediator, active=False)
    assert "柯兼职" not in names(suggest.suggest_mediators(specialty="labour", region=centre.world.village_a))
