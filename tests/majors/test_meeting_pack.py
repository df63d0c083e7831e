"""The Monday/Friday meeting pack (supervision's bulletin) carries the major matters and the
stationed cadres: the completion figure, the matters behind their milestones, compliance per
town and the paired departments — in the Word file and the Excel ledger."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from openpyxl import load_workbook

from fengqiao.lib import clock
from fengqiao.majors import actions
from fengqiao.supervision.bulletin import build_pack
from fengqiao.workflow import clocks
from tests.majors import helpers
from tests.majors.world import local
from tests.stationing.helpers import night, plan

pytestmark = pytest.mark.django_db


def test_the_pack_has_the_ledger_and_the_stays(mw):
    with clock.frozen(local(2026, 11, 2, 9)):
        late = helpers.underway(mw, helpers.register(mw, kind="risk", title="某楼盘逾期交房风险化解"),
                                due_days=(5, 30))
        done = helpers.underway(mw, helpers.register(mw, kind="risk", title="某企业欠薪风险", level="town",
                                                     actor="town_cadre"), actor="town_cadre", due_days=(3,))
    with clock.frozen(local(2026, 11, 4, 9)):
        actions.milestone_complete(actor=mw.user("leader"), milestone=done.milestones.get(), result="工资全部发放。")
        actions.close_request(actor=mw.user("leader"), matter=done, summary="完成")
        actions.close_approve(actor=mw.user("town_cadre2"), matter=done, note="同意")
    clocks.scan(now=local(2026, 11, 9))
    police = plan(mw, starts_on=dt.date(2026, 11, 2))
    night(mw, police, dt.date(2026, 11, 9))
    with clock.frozen(local(2026, 11, 16, 8)):
        docx, xlsx, pack = build_pack(user=mw.user("operator"), region=mw.county, date_from=dt.date(2026, 11, 9),
                                      date_to=dt.date(2026, 11, 15))
    doc = Document(io.BytesIO(docx))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "三级挂账督办重大事项2个,已完成(销号)1个,完成率50.0%" in text
    assert "节点逾期事项1个" in text
    assert "住村干部应住2晚,按规定住村1晚,落实率50.0%" in text
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert late.code in cells and "1. 节点1" in cells
    assert "度尾镇" in cells
    wb = load_workbook(io.BytesIO(xlsx))
    assert {"重大事项层级", "重大事项逾期", "住村镇街", "挂钩部门", "住村明细"} <= set(wb.sheetnames)
    people = [[c.value for c in r] for r in wb["住村明细"].iter_rows()]
    assert people[1][1] == mw.police_a.name and people[1][5] == "50.0%"
