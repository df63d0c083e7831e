"""调解 in the command centre: the seeds' figures through the same measure code the pages print
with (37,242 → 37,050 shows 99% (99.48%); 23,022 → 11,854 51.48%; 102 → 102 100%; 李中秋's room,
300 cases, performance 100%), then cases built through the mediation actions — per mediator,
room, kind, committee and department — on the page, in the API and the export; scope."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from fengqiao.command import queries
from fengqiao.command.figures import ratio
from fengqiao.command.figures_mediation import mediation_figures, row_of
from fengqiao.command.models import CommandSettings
from fengqiao.mediation import actions
from fengqiao.mediation.models import Case
from fengqiao.mediation.queries import FigureRow
from tests.factories import register
from tests.mediation.world import OFFICE_TIME, build_centre, frozen

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
MARCH = {"period": "custom", "start": "2025-03-01", "end": "2025-03-31",
         "a_start": "2025-02-01", "a_end": "2025-02-28"}


@pytest.mark.parametrize(("cases", "settled", "exact", "whole"), [
    (37242, 37050, "99.48%", "99%"),  # seed 001: "调解成功率达99%" — 99.48% at two decimals
    (23022, 11854, "51.48%", "51%"),  # seed 002: "调解率51.48%" (half up would print 51.49%)
    (102, 102, "100%", "100%"),  # seed 000
])
def test_the_seeds_success_rates_print_to_the_digit(cases, settled, exact, whole):
    row = row_of(FigureRow(key="k", name="全区", cases=cases, settled=settled), queries._options()["rounding"])
    assert row.success.display == exact
    assert ratio(settled, cases, 0).display == whole


def test_half_up_would_print_the_courts_figure_as_51_49():
    CommandSettings.objects.create(rounding="half_up")
    queries.forget_settings()
    row = row_of(FigureRow(key="k", name="中院", cases=23022, settled=11854), queries._options()["rounding"])
    assert row.success.display == "51.49%"


def test_li_zhongqius_room_300_cases_performance_100_percent():
    row = row_of(FigureRow(key="room", name="和合说事工作室", cases=300, settled=300, terms_due=300,
                         terms_performed=300), queries._options()["rounding"])
    assert (row.success.display, row.performance.display) == ("100%", "100%")
    almost = row_of(FigureRow(key="room", name="x", cases=300, settled=300, terms_due=300, terms_performed=299),
                  queries._options()["rounding"])
    assert almost.performance.display == "99.6%"  # 99.66…% cut, never a "100%" that is not


def _case(centre, *, org, mediator, outcome_after, outcome="agree", term_status="performed", kind="people",
          seats=None, refuse=False):
    w = centre.world
    actor = centre.user("town_mediator")
    with frozen(OFFICE_TIME):
        event = register(w, actor=w.operator.user, title="工资纠纷")
        case = actions.case_open(actor=actor, event=event, org=org, kind=kind,
                                 parties=[{"side": "applicant", "name": "柯某"}, {"side": "respondent", "name": "吴某"}])
        if refuse:
            return actions.case_refuse(case=case, actor=actor, reason="不属于人民调解范围")
        actions.case_accept(case=case, actor=actor)
        actions.case_assign(case=case, actor=actor, mediator=mediator)
        actions.case_hold_session(case=case, actor=actor, place="调解室", notes="双方陈述", seats=seats)
    with frozen(OFFICE_TIME + outcome_after * DAY):
        if outcome == "fail":
            return actions.case_fail(case=case, actor=actor, reason="差距过大")
        actions.case_agree(case=case, actor=actor, form="written",
                           terms=[{"content": "吴某支付工资8000元", "due_on": "2025-03-20"}])
    with frozen(dt.datetime(2025, 3, 21, 10, tzinfo=OFFICE_TIME.tzinfo)):
        term = Case.objects.get(pk=case.pk).agreement.terms.get()
        actions.case_check_term(case=case, actor=actor, term=term, status=term_status)
    return case


@pytest.fixture
def centre(world):
    """March 2025. 李中秋's 和合说事工作室: 3 cases, agreed after 1, 2 and 3 days, every term
    performed. 度尾镇人民调解委员会 (程忠定): 3 agreed after 4, 5 and 6 days (one term not
    performed; one administrative, with the labour office seated), one failed after 10 days, and a
    refused application (not counted)."""
    c = build_centre(world)
    for days in (1, 2, 3):
        _case(c, org=c.brand_room, mediator=c.brand_mediator, outcome_after=days)
    _case(c, org=c.town_committee, mediator=c.town_mediator, outcome_after=4)
    _case(c, org=c.town_committee, mediator=c.town_mediator, outcome_after=5, term_status="not")
    _case(c, org=c.town_committee, mediator=c.town_mediator, outcome_after=6, kind="administrative",
          seats=[{"kind": "labour", "representative": "劳动保障所林所长"}])
    _case(c, org=c.town_committee, mediator=c.town_mediator, outcome_after=10, outcome="fail")
    _case(c, org=c.town_committee, mediator=c.town_mediator, outcome_after=0, refuse=True)
    return c


def figures(centre, who="operator", region=None, **kw):
    w = centre.world
    return mediation_figures(user=w.user(who), region=region or w.county, start=dt.date(2025, 3, 1),
                             end=dt.date(2025, 3, 31), **kw)


def test_the_totals_success_days_and_performance(centre):
    f = figures(centre)
    t = f.total
    assert (t.cases, t.settled, t.ended) == (7, 6, 7)
    assert (t.success.display, f.success_whole.display) == ("85.71%", "85%")  # 6/7 = 85.714…%; half up: 86%
    assert str(t.average_days) == "4.4"  # 31 days / 7 = 4.428…, cut
    assert (t.terms_due, t.terms_performed, t.performance.display) == (6, 5, "83.3%")
    assert (f.before.cases, f.cases_change.display, f.success_points) == (0, "—", None)


def test_each_table_is_ranked_by_the_chosen_measure(centre):
    f = figures(centre)

    def table(key):
        return [(r.rank, r.name, r.cases, r.success.display, r.average_display, r.performance.display)
                for r in f.tables[key]]

    assert table("mediator") == [(1, "李中秋", 3, "100%", "2.0", "100%"), (2, "程忠定", 4, "75.00%", "6.2", "66.6%")]
    assert table("room") == [(1, "和合说事工作室", 3, "100%", "2.0", "100%")]
    assert table("committee") == [(1, "度尾镇人民调解委员会", 4, "75.00%", "6.2", "66.6%")]
    assert [(r.key, r.cases, r.success.display) for r in f.tables["kind"]] == [
        ("administrative", 1, "100%"), ("people", 6, "83.33%")]
    assert [(r.key, r.cases) for r in f.tables["department"]] == [("labour", 1)]
    by_days = figures(centre, measure="average_days")
    assert [r.name for r in by_days.tables["mediator"]] == ["李中秋", "程忠定"]  # fewest days first
    by_cases = figures(centre, measure="cases")
    assert [(r.rank, r.name) for r in by_cases.tables["mediator"]] == [(1, "程忠定"), (2, "李中秋")]


def test_a_town_sees_its_cases_and_the_other_town_none(centre):
    from django.http import Http404

    town = figures(centre, who="town_cadre", region=centre.world.town)
    assert town.total.cases == 7
    other = figures(centre, who="other_town_cadre", region=centre.world.other_town)
    assert (other.total.cases, other.total.success.display) == (0, "—")
    with pytest.raises(Http404):
        figures(centre, who="other_town_cadre", region=centre.world.town)


def test_the_page_api_and_export_print_the_same(centre, client, api):
    w = centre.world
    client.force_login(w.operator.user)
    r = client.get("/command/mediation/", {"region": w.county.code, **MARCH})
    assert r.status_code == 200
    html = re.sub(r"\s+", " ", r.content.decode())

    def kpi(name):
        return re.search(rf'data-testid="{name}">([^<]+)<', html).group(1).strip()

    assert (kpi("kpi-cases"), kpi("kpi-settled"), kpi("kpi-success"), kpi("kpi-success-exact")) == (
        "7", "6", "85%", "85.71%")
    assert (kpi("kpi-days"), kpi("kpi-performance")) == ("4.4", "83.3%")
    mediators = re.search(r'data-testid="mediation-mediator"(.*?)</table>', html).group(1)
    assert re.findall(r'data-testid="success"><strong>([^<]+)<', mediators) == ["100%", "75.00%"]

    body = api.get("/stats/mediation", user=w.operator.user, region=w.county.code, start="2025-03-01",
                   end="2025-03-31").json()
    assert body["total"]["success_rate"]["display"] == "85.71%" and body["success_whole"]["display"] == "85%"
    assert body["total"]["performance_rate"] == {"numerator": 5, "denominator": 6, "value": "83.3", "display": "83.3%"}
    assert [m["name"] for m in body["tables"]["mediator"]] == ["李中秋", "程忠定"]
    assert api.get("/stats/mediation", user=w.operator.user, region=w.county.code, start="2025-03-01",
                   end="2025-03-31", measure="loudness").status_code == 400

    x = client.get("/command/mediation.xlsx", {"region": w.county.code, **MARCH})
    wb = load_workbook(io.BytesIO(x.content))
    this_period = next(row for row in wb.worksheets[0].iter_rows(min_row=3, values_only=True) if row[0] == "本期")
    assert this_period[1:4] == (7, 6, 85.71)
    rooms = list(wb["调解室"].iter_rows(min_row=2, values_only=True))
    assert rooms[0][:5] == (1, "和合说事工作室", 3, 3, 100.0)

    client.force_login(w.other_town_cadre.user)
    assert client.get("/command/mediation/", {"region": w.town.code}).status_code == 404
