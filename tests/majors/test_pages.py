"""The pages: registration, the matter page's buttons (only what is legal now and permitted),
forms through the same actions, evidence sniffed by its bytes, the closing queue, the exports."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from openpyxl import load_workbook

from fengqiao.lib import clock
from fengqiao.majors.models import Evidence, Matter, Status
from tests.majors import helpers
from tests.majors.world import local

pytestmark = pytest.mark.django_db

START = local(2026, 9, 1, 10)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _buttons(html: str) -> set[str]:
    return set(re.findall(r'data-action="([a-z_]+)"', html))


def test_registering_through_the_form(mw, client):
    client.force_login(mw.user("operator"))
    with clock.frozen(START):
        assert client.get("/majors/new/").status_code == 200
        r = client.post("/majors/new/", {
            "title": "郊尾镇商贸城项目", "kind": "key_project", "area": "infrastructure", "level": "county",
            "region": [mw.county.code, mw.other_town.code, mw.village_c.code], "owner": mw.zjj.pk,
            "leader": mw.leader.pk, "target_on": "2027-06-30", "description": "新建商贸城,涉及征地80亩。",
            "target": "2027年6月底前主体完工。"})
    m = Matter.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/majors/{m.pk}/"
    assert (m.village_id, m.listing_region_id, m.status) == (mw.village_c.id, mw.county.id, Status.REGISTERED)
    html = client.get(f"/majors/{m.pk}/").content.decode()
    assert "须先评估" in html and "开展风险评估" in html
    assert "start" not in _buttons(html)  # 应评尽评: not offered until assessed


def test_the_form_refuses_a_town_level_matter_at_the_county(mw, client):
    client.force_login(mw.user("operator"))
    with clock.frozen(START):
        r = client.post("/majors/new/", {
            "title": "x", "kind": "risk", "level": "town", "region": [mw.county.code], "owner": mw.zjj.pk,
            "leader": mw.leader.pk, "target_on": "2027-06-30", "description": "x"})
    assert r.status_code == 400 and not Matter.objects.exists()


def test_the_buttons_are_what_is_legal_now_and_permitted(mw, client):
    with clock.frozen(START):
        m = helpers.underway(mw, helpers.register(mw, kind="risk"))
    client.force_login(mw.user("operator"))
    assert {"report", "breakthrough", "urge", "supervise", "escalate", "reassign"} <= _buttons(
        client.get(f"/majors/{m.pk}/").content.decode())
    client.force_login(mw.user("dept"))  # the owner unit: reports, no supervision
    buttons = _buttons(client.get(f"/majors/{m.pk}/").content.decode())
    assert "report" in buttons and "supervise" not in buttons and "approve_close" not in buttons
    client.force_login(mw.user("secretary_a"))  # sees it, does nothing
    assert _buttons(client.get(f"/majors/{m.pk}/").content.decode()) == set()


def test_a_progress_report_keeps_real_evidence_and_refuses_a_page_posing_as_a_picture(mw, client):
    with clock.frozen(START):
        m = helpers.underway(mw, helpers.register(mw, kind="risk"))
    client.force_login(mw.user("dept"))
    with clock.frozen(START):
        bad = client.post(f"/majors/{m.pk}/act/report", {
            "report-text": "现场照片", "report-evidence": SimpleUploadedFile("现场.png", b"<html><script>x</script>",
                                                                             content_type="image/png")})
        assert bad.status_code == 400 and not Evidence.objects.exists()
        good = client.post(f"/majors/{m.pk}/act/report", {
            "report-text": "已完成入户测量。", "report-evidence": SimpleUploadedFile("测量.png", PNG,
                                                                                  content_type="text/plain")})
    assert good.status_code == 302
    ev = Evidence.objects.get()
    assert (ev.content_type, ev.name) == ("image/png", "测量.png")
    assert client.get(f"/majors/{m.pk}/evidence/{ev.pk}").status_code == 200
    client.force_login(mw.user("secretary_c"))  # another village: cannot see the matter or its files
    assert client.get(f"/majors/{m.pk}/evidence/{ev.pk}").status_code == 404


def test_the_assessment_page_records_each_part_and_decides(mw, client):
    with clock.frozen(START):
        m = helpers.register(mw)
        client.force_login(mw.user("operator"))
        assert client.post(f"/majors/{m.pk}/act/assess", {"assess-subject": "", "assess-scope": ""}).status_code == 302
        page = client.get(f"/majors/{m.pk}/assessment/").content.decode()
        assert 'data-testid="gaps"' in page and "form-add_risk" in page
        posts = [
            ("add_risk", {"dimension": "legality", "description": "用地审批未完成。", "likelihood": "low",
                          "impact": "high", "measure": "先办手续。", "responsible": "县自然资源局"}),
            ("add_opinion", {"channel": "symposium", "held_on": "2026-08-28", "reached": "30", "support": "27",
                             "oppose": "1", "concerns": "补偿款"}),
            ("add_expert", {"name": "林教授", "title": "社会学", "conclusion": "agree", "opinion": "风险可控。"}),
            ("conclude", {"grade": "low", "grade_reason": "多数支持。", "measures": "公示方案。", "contingency": ""}),
        ]
        for op, data in posts:
            r = client.post(f"/majors/{m.pk}/assessment/act/{op}", {f"{op}-{k}": v for k, v in data.items()})
            assert r.status_code == 302, (op, r.content[:500])
        page = client.get(f"/majors/{m.pk}/assessment/").content.decode()
        assert 'data-testid="gaps"' not in page and 'data-testid="decide-form"' in page
        assert "90.0%" in page  # 27 of 30 in favour
        r = client.post(f"/majors/{m.pk}/assessment/act/decide", {"decide-decision": "go", "decide-note": "同意。"})
    assert r.status_code == 302
    assert Matter.objects.get(pk=m.pk).status == Status.ASSESSED
    docx = client.get(f"/majors/{m.pk}/assessment.docx")
    assert docx["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert "准予实施" in "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)


def test_the_closing_queue_approves_at_the_users_level(mw, client):
    with clock.frozen(START):
        m = helpers.underway(mw, helpers.register(mw, kind="risk", level="town", actor="town_cadre"),
                             actor="town_cadre")
        for ms in m.milestones.all():
            client.force_login(mw.user("leader"))
            assert client.post(f"/majors/{m.pk}/milestones/{ms.pk}/act/complete",
                               {f"complete-{ms.pk}-result": "完成"}).status_code == 302
        assert client.post(f"/majors/{m.pk}/act/request_close",
                           {"request_close-summary": "全部完成。"}).status_code == 302
        client.force_login(mw.user("operator"))  # the county: not its level
        assert "全部完成。" not in client.get("/majors/closing/").content.decode()
        client.force_login(mw.user("town_cadre2"))
        queue = client.get("/majors/closing/").content.decode()
        assert "全部完成。" in queue and f'data-matter="{m.pk}"' in queue
        r = client.post(f"/majors/{m.pk}/act/approve_close", {"approve_close-note": "同意销号", "next": "closing"})
    assert r.status_code == 302 and r["Location"] == "/majors/closing/"
    assert Matter.objects.get(pk=m.pk).status == Status.CLOSED


def test_the_exports_open(mw, client):
    with clock.frozen(START):
        helpers.underway(mw, helpers.assess(mw, helpers.register(mw)))
        client.force_login(mw.user("operator"))
        ledger = client.get("/majors/ledger.xlsx?kind=key_project")
        progress = client.get("/majors/progress.docx")
    wb = load_workbook(io.BytesIO(ledger.content))
    header = [c.value for c in wb["台账"][1]]
    assert header[:4] == ["序号", "编号", "事项名称", "类别"]
    row = [c.value for c in wb["台账"][2]]
    assert row[2] == "度尾镇洋坂村安置区土地平整" and row[3] == "重点项目" and row[10] == "中风险"
    doc = Document(io.BytesIO(progress.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "重大事项挂账督办推进情况" in text and "三级挂账督办重大事项1个" in text and "完成率0%" in text


def test_a_bad_filter_is_a_400_with_the_form(mw, client):
    client.force_login(mw.user("operator"))
    assert client.get("/majors/?kind=planet").status_code == 400
    assert client.get("/majors/ledger.xlsx?kind=planet").status_code == 400
    assert client.get("/majors/?by=owner").status_code == 200
    r = client.get("/majors/?by=kind&panel=breakdown", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'id="breakdown"' in r.content.decode() and "<html" not in r.content.decode()
