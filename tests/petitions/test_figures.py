"""The figures, to the digit, from petitions built through the real actions: seed 004's first-time
petitions down 52% year on year, settled inside the village within a week, 210 backlog cases
settled of which 13 over twenty years old, and the three sources counted once each."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.lib.rates import format_rate, relative_change
from fengqiao.petitions import actions, queries
from fengqiao.petitions.actions import PetitionerInput
from fengqiao.petitions.models import Petition
from tests.factories import register as register_event
from tests.petitions.helpers import at, local, register

pytestmark = pytest.mark.django_db

SPAN = (dt.date(2026, 1, 1), dt.date(2026, 8, 20))  # 百日攻坚's report: January to 20 August


def _quick(world, when, **kw) -> Petition:
    """A petition with one petitioner without identity (the figures never read it)."""
    return register(world, when=when, petitioners=[PetitionerInput(name="信访人")], **kw)


def test_first_time_petitions_this_period_against_the_same_period_last_year_down_52_percent(world, client):
    for i in range(25):  # 2025: 25 first-time petitions between January and 20 August
        _quick(world, local(2025, 1, 6) + dt.timedelta(days=8 * i), title=f"去年初信{i}")
    _quick(world, local(2025, 8, 21), title="去年同期之外")  # the day after the span: not counted
    for i in range(12):  # 2026: 12
        _quick(world, local(2026, 1, 5) + dt.timedelta(days=18 * i), title=f"今年初信{i}")
    for i in range(5):  # repeats are not first-time petitions
        _quick(world, local(2026, 2, 1) + dt.timedelta(days=i), kind="repeat", title=f"重复{i}")
    _quick(world, local(2026, 3, 1), region=world.village_c, title="郊尾镇初信")  # another town

    figure = queries.first_time_petitions(region=world.town, start=SPAN[0], end=SPAN[1])
    assert (figure.current, figure.baseline) == (12, 25)
    assert (figure.baseline_start, figure.baseline_end) == (dt.date(2025, 1, 1), dt.date(2025, 8, 20))
    assert relative_change(figure.current, figure.baseline, 0) == -52
    county = queries.first_time_petitions(region=world.county, start=SPAN[0], end=SPAN[1])
    assert (county.current, county.baseline) == (13, 25)

    client.force_login(world.town_cadre.user)
    with at(local(2026, 8, 21)):
        page = client.get("/petitions/figures/", {"start": "2026-01-01", "end": "2026-08-20"}).content.decode()
    assert "同比下降52%" in page


def test_first_time_petitions_settled_inside_the_village_within_a_week(world):
    def village_answer(day_answered: int, *, title: str, region=None):
        p = _quick(world, local(2026, 3, 2), title=title, region=region or world.village_a)
        with at(local(2026, 3, 3)):
            actions.petition_route(petition=p, actor=world.town_cadre.user, office=p.village)
        with at(local(2026, 3, 4)):
            actor = world.secretary_a.user if p.village_id == world.village_a.pk else world.secretary_b.user
            actions.petition_accept(petition=p, actor=actor)
        with at(local(2026, 3, day_answered, 16)):
            actions.petition_answer(petition=Petition.objects.get(pk=p.pk), actor=actor, answer="村里已协调解决。")
        return p

    village_answer(6, title="四天内解决")
    village_answer(9, title="第七天解决")  # received 2 March: the 7 days end on 9 March
    village_answer(10, title="第八天才解决")
    # Answered in time, but by a county department: it left the village.
    p = _quick(world, local(2026, 3, 2), title="转县人社局")
    with at(local(2026, 3, 3)):
        actions.petition_route(petition=p, actor=world.operator.user, department=world.department)
    with at(local(2026, 3, 4)):
        actions.petition_accept(petition=p, actor=world.dept_liaison.user)
    with at(local(2026, 3, 6)):
        actions.petition_answer(petition=Petition.objects.get(pk=p.pk), actor=world.dept_liaison.user, answer="已解决。")
    _quick(world, local(2026, 3, 2), title="还没办", region=world.village_b)  # still open: counted, not settled
    _quick(world, local(2026, 3, 2), title="重复信访", kind="repeat")  # not first-time: not counted

    figure = queries.settled_in_village_week(region=world.town, start=SPAN[0], end=SPAN[1])
    assert (figure.settled, figure.first_time) == (2, 5)
    assert format_rate(figure.settled, figure.first_time, 1) == "40.0%"


def test_210_backlog_cases_settled_13_of_them_over_twenty_years_old(world):
    leaders = [world.county_leader, world.town_cadre]
    for i in range(215):
        p = _quick(world, local(2026, 1, 5), title=f"积案{i}")
        year = 2003 - (i % 13) if i < 13 else 2016 - (i % 10)  # 13 raised in 1991–2003, the rest later
        with at(local(2026, 1, 6)):
            actions.petition_list_backlog(petition=p, actor=world.operator.user, first_raised_year=year,
                                          batch=["resolve", "strive", "stabilise", "by_law"][i % 4],
                                          leader=leaders[i % 2])
        if i < 210:
            with at(local(2026, 3, 1) + dt.timedelta(hours=i)):
                actions.petition_settle_backlog(petition=p, actor=world.operator.user, settlement="息诉罢访")
    figure = queries.backlog_settled(region=world.county, start=SPAN[0], end=SPAN[1])
    assert figure.settled == 210
    assert figure.over_twenty == 13
    assert figure.by_age == {"under_5": 0, "5_to_10": 0, "10_to_20": 197, "20_plus": 13}
    assert figure.open == 5
    batches = {r.key: (r.open, r.settled) for r in queries.backlog_counts(region=world.county, by="batch")}
    assert batches == {"resolve": (1, 53), "strive": (1, 53), "stabilise": (2, 52), "by_law": (1, 52)}
    by_leader = {r.label: r.total for r in queries.backlog_counts(region=world.county, by="leader")}
    assert by_leader == {"郑县长": 108, "林镇干": 107}
    assert {r.key: r.total for r in queries.backlog_counts(region=world.county, by="town")} == {"350322103": 215}


def test_the_three_sources_count_disputes_and_petitions_each_matter_once(world):
    with at(local(2026, 3, 1)):
        for source, n in (("police", 2), ("litigation", 1), ("petition", 3)):
            for i in range(n):
                register_event(world, dispute_source=source, title=f"{source}{i}")
        register_event(world, title="未标记的事项")
        tagged = register_event(world, dispute_source="petition", title="信访人到村反映工资问题")
    for i in range(3):
        _quick(world, local(2026, 3, 2), title=f"信访{i}")
    _quick(world, local(2026, 3, 2), title="同一件事", event=tagged)
    figure = queries.three_sources(region=world.county, start=SPAN[0], end=SPAN[1])
    assert (figure.police, figure.litigation, figure.petition_events, figure.petitions) == (2, 1, 4, 4)
    assert figure.petition_total == 7  # 4 tagged events + 3 petitions not linked to one


def test_the_api_gives_the_figures_the_page_prints(world, api):
    for i in range(3):
        _quick(world, local(2025, 3, 2 + i), title=f"去年{i}")
    _quick(world, local(2026, 3, 2), title="今年")
    with at(local(2026, 8, 21)):
        body = api.get("/petitions/figures", user=world.operator.user, start="2026-01-01", end="2026-08-20").json()
    assert body["region"] == "350322"
    assert body["first_time"]["current"] == 1 and body["first_time"]["baseline"] == 3
    assert body["three_sources"]["petitions"] == 1
    with at(local(2026, 8, 21)):
        assert api.get("/petitions/figures", user=world.operator.user, start="2026-08-20",
                       end="2026-01-01").status_code == 400
        assert api.get("/petitions/figures", user=world.town_cadre.user,
                       region_code=world.other_town.code).status_code == 404
