"""信访 in the command centre: first-time petitions against a year earlier (seed 004: down 52%),
settled inside the village within a week, backlog settled, the 清零 column by 四个一批 — built
through the petitions' real actions, printed to the digit on the page, in the API and the export."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from fengqiao.command.figures_petitions import petition_figures
from fengqiao.petitions import actions
from fengqiao.petitions.models import Petition
from tests.petitions.helpers import at, local, register

pytestmark = pytest.mark.django_db

MARCH = {"period": "custom", "start": "2026-03-01", "end": "2026-03-31"}


def _answered_by_the_village(world, p, answer_day):
    with at(local(2026, 3, 3)):
        actions.petition_route(petition=p, actor=world.town_cadre.user, office=world.village_a)
    with at(local(2026, 3, 4)):
        actions.petition_accept(petition=Petition.objects.get(pk=p.pk), actor=world.secretary_a.user)
    with at(local(2026, 3, answer_day)):
        actions.petition_answer(petition=Petition.objects.get(pk=p.pk), actor=world.secretary_a.user,
                                answer="村两委协调,已解决。")


def _backlog(world, p, year, batch, *, settle_on=None):
    with at(local(2026, 3, 5)):
        actions.petition_list_backlog(petition=p, actor=world.operator.user, first_raised_year=year, batch=batch)
    if settle_on is not None:
        with at(settle_on):
            actions.petition_settle_backlog(petition=Petition.objects.get(pk=p.pk), actor=world.operator.user,
                                            settlement="包案领导约谈,落实帮扶,息诉罢访。")


@pytest.fixture
def petitions(world):
    """March 2025: 25 first-time petitions; March 2026: 12 (seed 004's 下降52%), three of them
    answered by the village office — two within the week, one on the eighth day; February 2026:
    4. Backlog: 化解一批 2 (one settled, first raised 2003), 争取化解一批 1 (settled), 稳控一批 1,
    依法打击一批 1, plus a repeat petition not counted as first-time."""
    for i in range(25):
        register(world, when=local(2025, 3, 3 + i % 20, 9, i), title=f"去年反映{i}")
    for i in range(4):
        register(world, when=local(2026, 2, 10, 9, i), title=f"二月反映{i}")
    march = [register(world, when=local(2026, 3, 2, 9, i), title=f"今年反映{i}") for i in range(12)]
    _answered_by_the_village(world, march[0], 6)
    _answered_by_the_village(world, march[1], 9)
    _answered_by_the_village(world, march[2], 10)  # the eighth day: late
    repeat = register(world, kind="repeat", when=local(2026, 3, 2, 11), title="重复反映")
    _backlog(world, march[3], 2003, "resolve", settle_on=local(2026, 3, 20))
    _backlog(world, march[4], 2015, "resolve")
    _backlog(world, march[5], 2019, "strive", settle_on=local(2026, 3, 25))
    _backlog(world, march[6], 2020, "stabilise")
    _backlog(world, repeat, 2010, "by_law")
    return world


def figures(world, who="operator", region=None):
    return petition_figures(user=world.user(who), region=region or world.county, start=dt.date(2026, 3, 1),
                            end=dt.date(2026, 3, 31))


def test_first_time_petitions_are_down_52_percent_year_on_year(petitions):
    f = figures(petitions)
    assert (f.first_time, f.first_time_year_earlier) == (12, 25)
    assert f.headline == "-52%"  # (12 − 25) / 25 = −52% exactly, as seed 004 prints it
    assert f.year_on_year_exact.display == "-52.0%"
    assert (f.first_time_previous, f.period_on_period.display) == (4, "+200.0%")


def test_settled_inside_the_village_in_a_week_and_the_backlog(petitions):
    f = figures(petitions)
    assert (f.village_week, f.village_week_settled, f.village_week_rate.display) == (12, 2, "16.6%")  # not 16.7%
    assert (f.backlog_settled, f.backlog_settled_over_twenty, f.backlog_open) == (2, 1, 3)
    assert f.backlog_settled_by_age == {"under_5": 0, "5_to_10": 1, "10_to_20": 0, "20_plus": 1}


def test_the_campaign_column_counts_each_batch_toward_zero(petitions):
    f = figures(petitions)
    assert [(b.key, b.label, b.open, b.settled, b.progress.display) for b in f.campaign] == [
        ("resolve", "化解一批", 1, 1, "50.0%"), ("strive", "争取化解一批", 0, 1, "100%"),
        ("stabilise", "稳控一批", 1, 0, "0%"), ("by_law", "依法打击一批", 1, 0, "0%")]
    t = f.campaign_total
    assert (t.open, t.settled, t.total, t.progress.display) == (3, 2, 5, "40.0%")
    assert [(p.region.name, p.first_time, p.village_week_rate.display, p.rank) for p in f.places] == [
        ("度尾镇", 12, "16.6%", 1), ("郊尾镇", 0, "—", None)]


def test_the_page_api_and_export_print_the_same_and_keep_to_scope(petitions, client, api):
    client.force_login(petitions.operator.user)
    html = re.sub(r"\s+", " ", client.get("/command/petitions/", {"region": petitions.county.code, **MARCH})
                  .content.decode())

    def kpi(name):
        return re.search(rf'data-testid="{name}">([^<]+)<', html).group(1).strip()

    assert (kpi("kpi-first-time"), kpi("yoy-first-time"), kpi("kpi-village-week")) == ("12", "-52%", "16.6%")
    assert (kpi("kpi-backlog-settled"), kpi("kpi-backlog-open")) == ("2", "3")
    column = re.search(r'data-testid="campaign"(.*?)</table>', html).group(1)
    assert re.findall(r'data-testid="progress"><strong>([^<]+)<', column) == ["50.0%", "100%", "0%", "0%", "40.0%"]

    body = api.get("/stats/petitions", user=petitions.operator.user, region=petitions.county.code,
                   start="2026-03-01", end="2026-03-31").json()
    assert body["first_time"]["year_on_year"] == {"current": 12, "baseline": 25, "difference": -13,
                                                  "percent": "-52", "display": "-52%"}
    assert body["campaign"]["total"]["progress"]["display"] == "40.0%"
    assert body["village_week"]["rate"]["display"] == "16.6%"

    x = client.get("/command/petitions.xlsx", {"region": petitions.county.code, **MARCH})
    wb = load_workbook(io.BytesIO(x.content))
    summary = {row[0]: row[1] for row in wb.worksheets[0].iter_rows(min_row=3, values_only=True)}
    assert summary["初信初访"] == 12 and summary["去年同期初信初访"] == 25
    assert summary["一周内不出村解决率(%)"] == 16.6
    zero = list(wb["积案化解清零"].iter_rows(min_row=2, values_only=True))
    assert zero[-1] == ("合计", 3, 2, 5, 40.0)

    client.force_login(petitions.other_town_cadre.user)
    assert client.get("/command/petitions/", {"region": petitions.town.code}).status_code == 404
    assert api.get("/stats/petitions", user=petitions.other_town_cadre.user,
                   region=petitions.county.code).status_code == 404
    # The other town's own figures: none of 度尾镇's petitions.
    other = figures(petitions, who="other_town_cadre", region=petitions.other_town)
    assert (other.first_time, other.campaign_total.total) == (0, 0)
