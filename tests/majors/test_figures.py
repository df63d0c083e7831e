"""The completion figure: done (销号) over listed (挂账). Seed 002's 240 listed and 222 done must
print 92.5% — through the same code the list page, the API, the ledger and the command centre
print with — and only what is on the ledger counts."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from fengqiao.lib import clock
from fengqiao.majors import queries
from fengqiao.majors.models import Matter, Status
from fengqiao.workflow.scope import file_under
from tests.majors import helpers
from tests.majors.world import local

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 20, 10)


def seed_002(mw, *, listed=240, done=222) -> None:
    """240 matters on the ledgers of 莆田市, 仙游县 and its towns, 222 of them closed, plus some not on
    a ledger at all (registered, assessing, stopped). Rows are written directly (a factory): the
    figure is what is counted here, the moves are tested elsewhere."""
    rows = []
    levels = [("city", mw.city), ("county", mw.county), ("town", mw.town)]
    kinds = ["key_project", "decision", "reform", "activity", "risk"]
    for i in range(listed + 12):
        level, listing = levels[i % 3]
        status = (Status.CLOSED if i < done else Status.UNDERWAY if i < listed else
                  [Status.REGISTERED, Status.ASSESSING, Status.STOPPED][i % 3])
        m = Matter(code=f"ZD-350322-2026-{i + 1:04d}", title=f"事项{i + 1}", description="—", kind=kinds[i % 5],
                   target_on=NOW.date(), status=status, level=level, listing_region=listing, owner=mw.zjj,
                   leader=mw.leader if i % 2 else mw.leader2, registered_at=NOW,
                   listed_at=NOW if status in (Status.CLOSED, Status.UNDERWAY) else None,
                   closed_at=NOW if status == Status.CLOSED else None)
        file_under(m, mw.village_a if i % 2 else mw.village_b)
        rows.append(m)
    Matter.objects.bulk_create(rows)


def test_240_listed_and_222_done_print_92_point_5_percent(mw, client, api):
    seed_002(mw)
    with clock.frozen(NOW):
        figure = queries.completion(queries.visible_matters(mw.user("operator")))
        assert (figure.listed, figure.done, figure.open, figure.text, str(figure.rate)) == (240, 222, 18, "92.5%",
                                                                                            "92.5")
        client.force_login(mw.user("operator"))
        html = client.get("/majors/").content.decode()
        shown = re.search(r'data-testid="completion-rate">([^<]+)<', html).group(1)
        assert shown == "92.5%"
        assert re.search(r'data-testid="listed">240<', html) and re.search(r'data-testid="done">222<', html)
        body = api.get("/majors/figures", user=mw.user("operator")).json()
        assert body["completion"] == {"listed": 240, "done": 222, "open": 18, "rate": "92.5", "text": "92.5%"}
        ledger = load_workbook(io.BytesIO(client.get("/majors/ledger.xlsx").content))
        summary = [[c.value for c in row] for row in ledger["汇总"].iter_rows()]
        assert ["合计", 240, 222, 18, "92.5%"] in [r[:5] for r in summary]


def test_the_figure_truncates_as_the_seeds_print_it(mw):
    assert queries.Completion.of(240, 222).text == "92.5%"
    assert queries.Completion.of(3, 2).text == "66.6%"  # truncated, not 66.7%
    assert queries.Completion.of(3, 2, "half_up").text == "66.7%"
    assert queries.Completion.of(0, 0).text == "—" and queries.Completion.of(5, 5).text == "100%"


def test_the_breakdown_by_level_kind_owner_and_leader(mw):
    seed_002(mw)
    qs = queries.visible_matters(mw.user("operator"))
    by_level = {b.key: (b.completion.listed, b.completion.done) for b in queries.breakdown(qs, "level")}
    assert by_level == {"city": (80, 74), "county": (80, 74), "town": (80, 74)}
    by_kind = {b.key: b.completion.listed for b in queries.breakdown(qs, "kind")}
    assert sum(by_kind.values()) == 240 and set(by_kind) == {"key_project", "decision", "reform", "activity", "risk"}
    by_leader = {b.label: b.completion.done for b in queries.breakdown(qs, "leader")}
    assert by_leader == {mw.leader.name: 111, mw.leader2.name: 111}
    assert [b.label for b in queries.breakdown(qs, "owner")] == ["县住建局"]


def test_a_matter_counts_as_listed_only_once_it_starts(mw):
    with clock.frozen(local(2026, 9, 1)):
        registered = helpers.register(mw, kind="risk")
        assert queries.completion(Matter.objects.all()).listed == 0
        helpers.underway(mw, registered)
    assert (queries.completion(Matter.objects.all()).listed, queries.completion(Matter.objects.all()).done) == (1, 0)
