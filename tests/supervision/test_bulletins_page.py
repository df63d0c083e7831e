"""The bulletins page (/supervision/bulletins/): it used to answer 405 with an empty body. It lists
the packs made from the dashboard, from itself and by `fengqiao bulletin`, in the user's area;
makes a new one for any span (or a meeting's span at one click) with its progress; and serves the
.docx and .xlsx."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from docx import Document
from openpyxl import load_workbook

from fengqiao.audit.models import AuditEntry
from fengqiao.command.queries import Span
from fengqiao.lib import clock
from fengqiao.supervision.models import BulletinRun
from tests.factories import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path


@pytest.fixture
def county(world, media):
    register(world, region=world.village_a, title="洋坂村的事")
    register(world, region=world.village_c, title="梅塘村的事")
    return world


def _html(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_page_answers_get_with_the_list_and_the_form_in_chinese(county, client):
    client.force_login(county.operator.user)
    r = client.get("/supervision/bulletins/")
    assert r.status_code == 200
    html = _html(r)
    assert "通报与调度会材料" in html and 'data-testid="bulletin-form"' in html
    assert "尚未生成通报材料" in html
    # The one-click spans: the Monday and Friday meetings, the last 30 days, last month.
    for key in ("monday", "friday", "30d", "last_month"):
        assert f'data-testid="quick-{key}"' in html
    # Its tab in the command centre's tabs, current here.
    assert re.search(r'class="tab active" href="/supervision/bulletins/" data-testid="tab-bulletins"', html)


def test_a_pack_for_any_span_is_made_with_progress_and_downloaded(county, client,
                                                                   django_capture_on_commit_callbacks):
    client.force_login(county.operator.user)
    today = clock.local_date()
    start = today - dt.timedelta(days=12)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/supervision/bulletins/", {"region": county.county.code, "date_from": start.isoformat(),
                                                    "date_to": today.isoformat()}, HTTP_HX_REQUEST="true")
    # The answer is the progress panel, polling the pack while the worker builds it…
    assert r.status_code == 200
    panel = r.content.decode()
    assert "<progress" in panel and 'hx-trigger="every 1s"' in panel
    run = BulletinRun.objects.get()
    assert (run.region, run.date_from, run.date_to, run.state, run.progress) == (
        county.county, start, today, "done", 100)
    # …and the next poll finds it done, with its two files and no more polling.
    panel = client.get(f"/supervision/bulletins/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="bulletin-docx"' in panel and "hx-trigger" not in panel
    listing = _html(client.get("/supervision/bulletins/"))
    row = re.search(rf'<tr data-run="{run.pk}">(.*?)</tr>', listing).group(1)
    assert "仙游县" in row and f"{start:%Y-%m-%d} – {today:%Y-%m-%d}" in row and "陈调度" in row
    assert f"/supervision/bulletins/{run.pk}/docx" in row and f"/supervision/bulletins/{run.pk}/xlsx" in row
    docx = client.get(f"/supervision/bulletins/{run.pk}/docx")
    assert Document(io.BytesIO(b"".join(docx.streaming_content))).paragraphs[0].text == "仙游县基层治理事项办理情况通报"
    xlsx = client.get(f"/supervision/bulletins/{run.pk}/xlsx")
    assert load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))["指标"]["B2"].value == "2"


def test_a_pack_being_built_shows_a_progress_bar_that_polls(county, client):
    run = BulletinRun.objects.create(region=county.county, date_from=clock.local_date(),
                                     date_to=clock.local_date(), state="running", progress=45, step="村居排名",
                                     created_at=clock.now(), created_by=county.operator.user)
    client.force_login(county.operator.user)
    html = _html(client.get("/supervision/bulletins/"))
    row = re.search(rf'<tr data-run="{run.pk}">(.*?)</tr>', html).group(1)
    assert '<progress max="100" value="45"' in row and "村居排名" in row
    assert f'hx-get="/supervision/bulletins/{run.pk}/"' in row and 'hx-trigger="every 1s"' in row
    # Five minutes without an end: say the worker may have stopped.
    BulletinRun.objects.filter(pk=run.pk).update(created_at=clock.now() - dt.timedelta(minutes=6))
    panel = client.get(f"/supervision/bulletins/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "后台任务可能已停止" in panel


def test_a_meeting_pack_at_one_click_takes_that_meetings_span(county, client, django_capture_on_commit_callbacks):
    client.force_login(county.town_cadre.user)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/supervision/bulletins/", {"region": county.town.code, "date_from": "", "date_to": "",
                                                    "quick": "monday"})
    run = BulletinRun.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/supervision/bulletins/{run.pk}/"
    week = Span.last_week()
    assert (run.region, run.date_from, run.date_to, run.state) == (county.town, week.start, week.end, "done")
    page = _html(client.get(r["Location"]))
    assert "度尾镇" in page and 'data-testid="bulletin-docx"' in page


def test_bad_input_is_a_form_error_not_a_blank_page(county, client):
    client.force_login(county.town_cadre.user)
    r = client.post("/supervision/bulletins/", {"region": county.town.code, "date_from": "2026-11-09",
                                                "date_to": "2026-11-02"})
    assert r.status_code == 400 and "结束日期早于开始日期" in r.content.decode()
    r = client.post("/supervision/bulletins/", {"region": county.other_town.code, "date_from": "2026-11-01",
                                                "date_to": "2026-11-02"})
    assert r.status_code == 400 and 'data-testid="bulletin-form"' in r.content.decode()
    r = client.post("/supervision/bulletins/", {"region": county.town.code, "date_from": "2025-01-01",
                                                "date_to": "2026-11-02"})
    assert r.status_code == 400
    assert not BulletinRun.objects.exists()


def test_each_sees_the_packs_of_their_own_area(county, client, django_capture_on_commit_callbacks):
    client.force_login(county.operator.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/supervision/bulletins/", {"region": county.county.code, "quick": "30d"})
    county_run = BulletinRun.objects.get()
    client.force_login(county.town_cadre.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/supervision/bulletins/", {"region": county.town.code, "quick": "30d"})
    town_run = BulletinRun.objects.exclude(pk=county_run.pk).get()
    mine = _html(client.get("/supervision/bulletins/"))
    assert f'data-run="{town_run.pk}"' in mine and f'data-run="{county_run.pk}"' not in mine
    client.force_login(county.other_town_cadre.user)
    other = _html(client.get("/supervision/bulletins/"))
    assert f'data-run="{town_run.pk}"' not in other and "尚未生成通报材料" in other
    assert client.get(f"/supervision/bulletins/{town_run.pk}/xlsx").status_code == 404
    # A village's secretary reads the packs of their village but makes none: no form.
    client.force_login(county.secretary_a.user)
    village = _html(client.get("/supervision/bulletins/"))
    assert 'data-testid="bulletin-list"' in village and 'data-testid="bulletin-form"' not in village
    assert client.post("/supervision/bulletins/", {"region": county.village_a.code, "quick": "30d"}).status_code == 403
    # A department liaison has no region's command centre: refused.
    client.force_login(county.dept_liaison.user)
    assert client.get("/supervision/bulletins/").status_code == 403


def test_the_command_line_pack_is_listed_and_served(county, client, tmp_path):
    week = Span.last_week()
    out = io.StringIO()
    call_command("bulletin", "--from", week.start.isoformat(), "--to", week.end.isoformat(), "--out",
                 str(tmp_path / "out"), stdout=out, stderr=io.StringIO())
    run = BulletinRun.objects.get()
    assert (run.state, run.region, run.created_by) == ("done", county.county, None)
    assert AuditEntry.objects.filter(stream="supervision", action="record_bulletin").count() == 1
    client.force_login(county.operator.user)
    row = re.search(rf'<tr data-run="{run.pk}">(.*?)</tr>', _html(client.get("/supervision/bulletins/"))).group(1)
    assert "平台(命令行)" in row
    written = (tmp_path / "out").glob("*.docx")
    served = b"".join(client.get(f"/supervision/bulletins/{run.pk}/docx").streaming_content)
    assert Document(io.BytesIO(served)).paragraphs[0].text == Document(str(next(written))).paragraphs[0].text
    # --no-record only writes the files.
    call_command("bulletin", "--from", week.start.isoformat(), "--to", week.end.isoformat(), "--out",
                 str(tmp_path / "out2"), "--no-record", stdout=io.StringIO(), stderr=io.StringIO())
    assert BulletinRun.objects.count() == 1


def test_the_api_lists_the_same_packs(county, client, api, django_capture_on_commit_callbacks):
    client.force_login(county.operator.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/supervision/bulletins/", {"region": county.county.code, "quick": "friday"})
    run = BulletinRun.objects.get()
    body = api.get("/supervision/bulletins", user=county.operator.user).json()
    assert [i["id"] for i in body["items"]] == [run.pk]
    assert body["items"][0]["files"]["docx"] == f"/supervision/bulletins/{run.pk}/docx"
    assert api.get("/supervision/bulletins", user=county.other_town_cadre.user).json()["items"] == []
