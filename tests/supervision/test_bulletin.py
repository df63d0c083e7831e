"""The bulletin pack: `fengqiao bulletin` and the dashboard's button write a Chinese .docx and an
.xlsx ledger whose figures are the command queries' own."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from docx import Document
from openpyxl import load_workbook

from fengqiao.command import queries
from fengqiao.events import actions as ev
from fengqiao.lib import clock
from fengqiao.supervision.actions import record_create
from fengqiao.supervision.models import BulletinRun
from tests.factories import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(world):
    for region, secretary in ((world.village_a, world.secretary_a), (world.village_a, world.secretary_a),
                              (world.village_b, world.secretary_b)):
        e = register(world, region=region, title="已办结的事")
        ev.event_acknowledge(event=e, actor=secretary.user)
        ev.event_resolve(event=e, actor=secretary.user, result="已调解")
    register(world, region=world.village_c, title="梅塘村的事")
    with clock.frozen(clock.now() - dt.timedelta(days=40)):
        register(world, region=world.village_a, title="拖了很久的工资纠纷")
    record_create(actor=world.operator.user, kind="summons", title="约谈洋坂村书记", text="逾期",
                  target_region=world.village_a)
    return world


def span():
    today = clock.local_date()
    return today - dt.timedelta(days=6), today


def test_the_command_writes_a_docx_and_an_xlsx(history, tmp_path):
    start, end = span()
    out = io.StringIO()
    err = io.StringIO()
    call_command("bulletin", "--from", start.isoformat(), "--to", end.isoformat(), "--out", str(tmp_path),
                 stdout=out, stderr=err)
    docx_path, xlsx_path = (Path(p) for p in out.getvalue().split())
    assert docx_path.suffix == ".docx" and xlsx_path.suffix == ".xlsx"
    assert "[100%]" in err.getvalue() and "[ 65%] 逾期事项" in err.getvalue()

    m = queries.measures_for(user=history.operator.user, region=history.county, start=start, end=end)
    assert (m.received, m.resolved) == (4, 3)

    doc = Document(str(docx_path))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == "仙游县基层治理事项办理情况通报"
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["一、总体情况", "二、各镇(街道)排名", "三、村(社区)排名", "四、逾期事项清单",
                            "五、专项行动", "六、通报、约谈、问责与考评", "七、重大事项挂账督办", "八、干部住村落实情况"]
    summary = next(p for p in paragraphs if "共受理事项" in p)
    assert "共受理事项4件" in summary and "已办结3件" in summary and "办结率75.0%" in summary
    towns = doc.tables[1]
    assert [c.text for c in towns.rows[0].cells][:3] == ["排名", "名称", "受理量"]
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in towns.rows[1:]}
    ranked = queries.ranking(user=history.operator.user, region=history.county, level="town",
                             measure="score", start=start, end=end)
    for r in ranked:
        assert rows[r.region.name][0] == str(r.rank)
        assert rows[r.region.name][8] == r.display
    overdue = next(t for t in doc.tables if t.rows[0].cells[1].text == "事项编号")
    assert len(overdue.rows) == 2 and overdue.rows[1].cells[2].text == "拖了很久的工资纠纷"

    wb = load_workbook(xlsx_path)
    assert {"概况", "指标", "镇街排名", "村居排名", "逾期事项", "专项行动", "通报问责"} <= set(wb.sheetnames)
    measures = {row[0]: row[1] for row in wb["指标"].iter_rows(min_row=2, values_only=True)}
    assert measures["受理量"] == "4" and measures["办结率"] == "75.0%"
    villages = [row for row in wb["村居排名"].iter_rows(min_row=2, values_only=True)]
    assert {v[1] for v in villages} == {"洋坂村委会", "剑山村委会", "梅塘村委会"}
    assert [row[3] for row in wb["通报问责"].iter_rows(min_row=2, values_only=True)] == ["约谈洋坂村书记"]


def test_the_command_for_a_town_ranks_its_own_villages(history, tmp_path):
    start, end = span()
    out = io.StringIO()
    call_command("bulletin", "--from", start.isoformat(), "--to", end.isoformat(), "--region",
                 history.town.code, "--out", str(tmp_path), "--user", "towncadre", stdout=out,
                 stderr=io.StringIO())
    xlsx_path = Path(out.getvalue().split()[1])
    wb = load_workbook(xlsx_path)
    assert "镇街排名" not in wb.sheetnames
    assert {row[1] for row in wb["村居排名"].iter_rows(min_row=2, values_only=True)} == {"洋坂村委会", "剑山村委会"}


def test_the_command_refuses_bad_input(history, tmp_path):
    with pytest.raises(CommandError):
        call_command("bulletin", "--from", "2026-11-20", "--to", "2026-11-01", "--out", str(tmp_path),
                     stderr=io.StringIO())
    with pytest.raises(CommandError):
        call_command("bulletin", "--from", "yesterday", "--to", "2026-11-01", "--out", str(tmp_path))
    with pytest.raises(CommandError):
        call_command("bulletin", "--from", "2026-11-01", "--to", "2026-11-02", "--region", "999",
                     "--out", str(tmp_path))
    with pytest.raises(CommandError):  # a town cadre cannot make the county's bulletin
        call_command("bulletin", "--from", "2026-11-01", "--to", "2026-11-02", "--user", "towncadre",
                     "--out", str(tmp_path), stderr=io.StringIO())
    assert list(tmp_path.iterdir()) == []


def test_the_button_builds_the_pack_with_progress(history, client, settings, tmp_path,
                                                  django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = str(tmp_path)
    start, end = span()
    client.force_login(history.operator.user)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/supervision/bulletins/", {"region": history.county.code,
                                                    "date_from": start.isoformat(), "date_to": end.isoformat()},
                        HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    run = BulletinRun.objects.get()
    assert run.state == "done" and run.progress == 100
    status = client.get(f"/supervision/bulletins/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "bulletin-docx" in status and "hx-trigger" not in status
    docx = client.get(f"/supervision/bulletins/{run.pk}/docx")
    assert docx.status_code == 200
    doc = Document(io.BytesIO(b"".join(docx.streaming_content)))
    assert doc.paragraphs[0].text == "仙游县基层治理事项办理情况通报"
    xlsx = client.get(f"/supervision/bulletins/{run.pk}/xlsx")
    assert load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))["指标"]["B2"].value == "4"
    # Another town's cadre cannot fetch it.
    client.force_login(history.other_town_cadre.user)
    assert client.get(f"/supervision/bulletins/{run.pk}/docx").status_code == 404


def test_the_button_refuses_a_region_outside_ones_area(history, client):
    client.force_login(history.town_cadre.user)
    r = client.post("/supervision/bulletins/", {"region": history.other_town.code,
                                                "date_from": "2026-11-01", "date_to": "2026-11-02"})
    assert r.status_code == 400
    r = client.post("/supervision/bulletins/", {"region": history.town.code,
                                                "date_from": "2026-11-09", "date_to": "2026-11-02"})
    assert r.status_code == 400
    assert not BulletinRun.objects.exists()
