"""三源 in the command centre: disputes by 警源, 诉源, 访源 across events, mediation cases and
petitions, two periods compared — counted from real actions, printed to the digit on the page (with
its chart's data), in the API and the export; scope."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from openpyxl import load_workbook

from fengqiao.command.figures_sources import sources_figures
from fengqiao.events import actions as event_actions
from fengqiao.mediation import actions as mediation
from tests.command.helpers import at
from tests.factories import register
from tests.mediation.world import build_centre
from tests.petitions.helpers import local
from tests.petitions.helpers import register as register_petition

pytestmark = pytest.mark.django_db

MARCH = {"period": "custom", "start": "2026-03-01", "end": "2026-03-31",
         "a_start": "2026-02-01", "a_end": "2026-02-28"}


@pytest.fixture
def sources(world):
    """March 2026 in 度尾镇: 警源 3 events (2 taken to mediation), 诉源 1, 访源 1 event (linked to a
    petition) + 2 petitions of their own, an untagged event, a refused 警源 one (left out);
    in 郊尾镇 诉源 1. February: 警源 1. March 2025: 警源 2, 诉源 2."""
    from fengqiao.lib import clock

    centre = build_centre(world)
    with clock.frozen(at(2025, 3, 4)):
        for _ in range(2):
            register(world, dispute_source="police")
            register(world, dispute_source="litigation")
    with clock.frozen(at(2026, 2, 10)):
        register(world, dispute_source="police")
    with clock.frozen(at(2026, 3, 2)):
        police = [register(world, dispute_source="police", title=f"警情转来纠纷{i}") for i in range(3)]
        register(world, dispute_source="litigation", title="诉前分流")
        visit = register(world, dispute_source="petition", title="信访转来纠纷")
        register(world, title="未标来源的纠纷")
        refused = register(world, dispute_source="police", region=world.town, title="重复报警")
        event_actions.event_refuse(event=refused, actor=world.operator.user, reason="不属于受理范围")
        register(world, dispute_source="litigation", region=world.village_c, title="郊尾诉源")
        for e in police[:2]:
            mediation.case_open(actor=centre.user("town_mediator"), event=e, org=centre.town_committee,
                                kind="people")
    register_petition(world, when=local(2026, 3, 3), title="信访甲", event=visit)
    register_petition(world, when=local(2026, 3, 3, 10), title="信访乙")
    register_petition(world, when=local(2026, 3, 3, 11), title="信访丙")
    return world


def figures(world, who="operator", region=None):
    from fengqiao.command.queries import Span

    return sources_figures(user=world.user(who), region=region or world.county, start=dt.date(2026, 3, 1),
                           end=dt.date(2026, 3, 31), previous=Span(dt.date(2026, 2, 1), dt.date(2026, 2, 28)))


def test_the_three_sources_are_counted_across_events_cases_and_petitions(sources):
    f = figures(sources)
    rows = {r.source: r for r in f.rows}
    assert [(s, rows[s].current, rows[s].events, rows[s].cases, rows[s].petitions) for s in rows] == [
        ("police", 3, 3, 2, None), ("litigation", 2, 2, 0, None), ("petition", 3, 1, 0, 3)]
    assert f.current.total == 8
    # Shares of the 8 disputes: 3/8 = 37.5%, 2/8 = 25.0%, 3/8 = 37.5%; 2 of 3 警源 mediated (66.6%).
    assert [rows[s].share.display for s in rows] == ["37.5%", "25.0%", "37.5%"]
    assert rows["police"].mediated.display == "66.6%"
    # Compared: February 警源 1 → +200.0%; March 2025 警源 2, 诉源 2 → +50.0% and 0.0%.
    assert (rows["police"].previous, rows["police"].period_on_period.display) == (1, "+200.0%")
    assert (rows["police"].year_earlier, rows["police"].year_on_year.display) == (2, "+50.0%")
    assert (rows["litigation"].year_earlier, rows["litigation"].year_on_year.display) == (2, "0.0%")
    assert rows["petition"].period_on_period.display == "—"  # nothing in February: no baseline
    assert (f.total.display, f.year_total.display) == ("+700.0%", "+100.0%")
    assert [(p.region.name, p.counts.total) for p in f.places] == [("郊尾镇", 1), ("度尾镇", 7)]


def test_the_chart_carries_the_same_counts(sources):
    f = figures(sources)
    chart = f.chart()
    assert chart["categories"] == ["警源", "诉源", "访源"]
    assert [s["values"] for s in chart["series"]] == [[2, 2, 0], [1, 0, 0], [3, 2, 3]]
    stacked = f.place_chart()
    assert stacked["stacked"] and [s["values"] for s in stacked["series"]] == [[0, 3], [1, 1], [0, 3]]


def test_a_town_sees_its_own_sources_only(sources):
    from django.http import Http404

    town = figures(sources, who="town_cadre", region=sources.town)
    assert town.current.total == 7 and [p.region.name for p in town.places] == ["洋坂村委会", "剑山村委会"]
    with pytest.raises(Http404):
        figures(sources, who="town_cadre", region=sources.county)


def test_the_page_api_and_export_say_the_same(sources, client, api):
    client.force_login(sources.operator.user)
    r = client.get("/command/sources/", {"region": sources.county.code, **MARCH})
    assert r.status_code == 200
    raw = r.content.decode()
    html = re.sub(r"\s+", " ", raw)
    assert [re.search(rf'data-testid="kpi-{s}">([^<]+)<', html).group(1) for s in ("police", "litigation",
                                                                                   "petition")] == ["3", "2", "3"]
    assert re.search(r'data-testid="kpi-total">([^<]+)<', html).group(1) == "8"
    chart = json.loads(re.search(r'<script id="sources-chart" type="application/json">(.*?)</script>', raw,
                                 re.S).group(1))
    assert chart["series"][2]["values"] == [3, 2, 3]
    assert "<script>" not in raw  # no inline scripts: the chart is drawn by command.js from the JSON

    body = api.get("/stats/sources", user=sources.operator.user, region=sources.county.code, start="2026-03-01",
                   end="2026-03-31", a_start="2026-02-01", a_end="2026-02-28").json()
    assert [(s["source"], s["disputes"], s["share"]["display"]) for s in body["sources"]] == [
        ("police", 3, "37.5%"), ("litigation", 2, "25.0%"), ("petition", 3, "37.5%")]
    assert api.get("/stats/sources", user=sources.operator.user, region=sources.county.code,
                   a_start="2026-02-01").status_code == 400

    x = client.get("/command/sources.xlsx", {"region": sources.county.code, **MARCH})
    ws = load_workbook(io.BytesIO(x.content)).worksheets[0]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[1], r[2], r[3]) for r in rows[:3]] == [("警源", 3, 1, 2), ("诉源", 2, 0, 2), ("访源", 3, 0, 0)]
    assert rows[3][:4] == ("合计", 8, 1, 4)

    client.force_login(sources.other_town_cadre.user)
    assert client.get("/command/sources/", {"region": sources.county.code}).status_code == 404
