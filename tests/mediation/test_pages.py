"""The mediation pages through Django's test client, state built by the real actions: the
worklist's tabs and counts, the case page (parties masked or not, buttons only for moves legal now
and permitted), every move posted through its form, the documents and their signed scans, opening
a case from a dispute event with the suggestions and their reasons, the 群英 task pages, the duty
roster, the ledger; scope is a 404."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from fengqiao.audit.models import AuditEntry
from fengqiao.mediation import actions
from fengqiao.mediation.models import (
    Case,
    CaseAttachment,
    PartyRead,
    Session,
    Status,
    Task,
    TaskStatus,
)
from tests.factories import register
from tests.mediation.test_casefile import APPLICANT, KE_ID, RESPONDENT
from tests.mediation.world import Centre, build_centre


@pytest.fixture
def centre(world) -> Centre:
    return build_centre(world)


def _open(centre: Centre, **kwargs) -> Case:
    w = centre.world
    event = register(w, actor=w.operator.user, title="柯某反映吴某拖欠工资", description="拖欠三个月工资")
    return actions.case_open(actor=centre.user("town_mediator"), event=event, org=centre.town_committee,
                             kind="people", title="柯某与吴某劳务报酬纠纷", parties=[APPLICANT, RESPONDENT], **kwargs)


def _buttons(html: str) -> set[str]:
    return set(re.findall(r'data-action="([a-z_]+)"', html))


def _login(client, user):
    client.force_login(user)
    return client


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


# ------------------------------------------------------------------------------ worklist


def test_worklist_tabs_count_and_list_the_cases(client, centre):
    case = _open(centre)
    _login(client, centre.user("town_mediator"))
    page = client.get("/mediation/")
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'data-count="to_accept">1<', html)
    assert re.search(r'data-count="mediating">0<', html)
    assert f'data-case="{case.pk}"' in html and case.code in html
    # An htmx tab click swaps only the panel.
    panel = client.get("/mediation/?tab=mediating", HTTP_HX_REQUEST="true")
    assert panel.status_code == 200 and "<html" not in panel.content.decode()
    assert f'data-case="{case.pk}"' not in panel.content.decode()
    assert panel["Vary"] and "HX-Request" in panel["Vary"]


def test_the_centres_pages_are_for_its_people(client, centre):
    _login(client, centre.world.user("secretary_a"))
    assert client.get("/mediation/").status_code == 403
    assert client.get("/mediation/cases/").status_code == 403


# ------------------------------------------------------------------------------ case page


def test_case_page_offers_only_the_moves_legal_now_and_permitted(client, centre):
    case = _open(centre)
    _login(client, centre.user("town_mediator"))
    html = client.get(f"/mediation/cases/{case.pk}/").content.decode()
    assert {"accept", "refuse"} <= _buttons(html)
    assert not {"agree", "close", "hold_session", "apply_confirmation"} & _buttons(html)
    # The parties in full for an officer who mediates (and that read logged).
    assert KE_ID in html and "13912345678" in html
    assert PartyRead.objects.filter(case=case, via="page").count() == 1
    # 李中秋 (a brand mediator, no post, not on the case) does not see it at all.
    _login(client, centre.user("brand_mediator"))
    assert client.get(f"/mediation/cases/{case.pk}/").status_code == 404
    # The other town's mediator neither.
    _login(client, centre.user("other_mediator"))
    assert client.get(f"/mediation/cases/{case.pk}/").status_code == 404


def test_a_town_cadre_sees_the_case_with_parties_masked(client, centre):
    case = _open(centre)
    _login(client, centre.world.user("town_cadre"))
    html = client.get(f"/mediation/cases/{case.pk}/").content.decode()
    assert KE_ID not in html and "13912345678" not in html
    assert "139****5678" in html and "350322********" + KE_ID[-4:] in html
    assert not PartyRead.objects.filter(case=case).exists()


def test_posting_the_moves_runs_the_case_to_an_agreement_with_its_window(client, centre):
    case = _open(centre)
    c = _login(client, centre.user("town_mediator"))
    assert c.post(f"/mediation/cases/{case.pk}/act/accept/", {"accept-note": "材料齐全"}).status_code == 302
    response = c.post(f"/mediation/cases/{case.pk}/act/assign/", {
        "assign-mediator": centre.town_mediator.pk, "assign-role": "lead", "assign-reason": "专长:劳动争议"})
    assert response.status_code == 302
    when = timezone.localtime() + dt.timedelta(days=1)
    response = c.post(f"/mediation/cases/{case.pk}/act/schedule_session/", {
        "schedule_session-scheduled_for": _local(when), "schedule_session-place": "度尾镇矛调中心联合调解室",
        "schedule_session-mode": "face_to_face",
        "schedule_session-seat_1_kind": "labour", "schedule_session-seat_1_unit": "度尾镇劳动保障所",
        "schedule_session-seat_1_representative": "张所长",
        "schedule_session-seat_2_kind": "police", "schedule_session-seat_2_representative": "林辉",
        "schedule_session-seat_3_kind": "legal_adviser", "schedule_session-seat_3_representative": "陈律师",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    session = Session.objects.get(case=case)
    assert sorted(session.seats.values_list("kind", flat=True)) == ["labour", "legal_adviser", "police"]
    parties = list(case.parties.order_by("id"))
    response = c.post(f"/mediation/cases/{case.pk}/act/hold_session/", {
        "hold_session-session": session.pk, "hold_session-held_at": _local(timezone.localtime()),
        "hold_session-place": "度尾镇矛调中心联合调解室", "hold_session-mode": "face_to_face",
        "hold_session-parties_present": [p.pk for p in parties], "hold_session-attendees": "柯某之妻",
        "hold_session-notes": "双方同意分期支付。"})
    assert response.status_code == 302, response.content.decode()[:2000]
    page = c.get(f"/mediation/cases/{case.pk}/").content.decode()
    assert "度尾镇劳动保障所" in page and "张所长" in page and 'data-testid="joint"' in page
    # An agreement without a term is refused by the form (400), nothing written.
    before = AuditEntry.objects.filter(stream=f"mediation:{case.pk}").count()
    bad = c.post(f"/mediation/cases/{case.pk}/act/agree/", {
        "agree-form": "written", "agree-facts": "拖欠工资", "agree-disputes": "数额", "agree-responsibility": "吴某",
        "agree-signed_at": _local(timezone.localtime())})
    assert bad.status_code == 400
    assert 'id="action-agree" open' in bad.content.decode()
    assert AuditEntry.objects.filter(stream=f"mediation:{case.pk}").count() == before
    due = (timezone.localtime() + dt.timedelta(days=20)).date()
    ok = c.post(f"/mediation/cases/{case.pk}/act/agree/", {
        "agree-form": "written", "agree-facts": "吴某拖欠柯某工资", "agree-disputes": "数额和期限",
        "agree-responsibility": "吴某应按时支付", "agree-performance_manner": "银行转账",
        "agree-signed_at": _local(timezone.localtime()),
        "agree-term_1_content": "吴某支付柯某工资12000元", "agree-term_1_obligor": parties[1].pk,
        "agree-term_1_due_on": due.isoformat()})
    assert ok.status_code == 302, ok.content.decode()[:3000]
    case.refresh_from_db()
    assert case.status == Status.AGREED
    page = c.get(f"/mediation/cases/{case.pk}/").content.decode()
    assert 'data-testid="confirm-warning"' in page and 'data-state="running"' in page
    assert {"check_term", "follow_up", "apply_confirmation", "close"} <= _buttons(page)
    assert not {"accept", "agree", "hold_session"} & _buttons(page)
    assert "吴某支付柯某工资12000元" in page


def test_an_illegal_move_posted_anyway_is_refused_with_the_machines_message(client, centre):
    case = _open(centre)
    c = _login(client, centre.user("town_mediator"))
    response = c.post(f"/mediation/cases/{case.pk}/act/close/", {"close-note": ""})
    assert response.status_code == 409
    assert Case.objects.get(pk=case.pk).status == Status.APPLIED
    # A town cadre of the other town: 404 (scope) before anything.
    _login(client, centre.world.user("other_town_cadre"))
    assert client.post(f"/mediation/cases/{case.pk}/act/accept/", {}).status_code == 404
    # An unknown action is a 404, not a 500.
    _login(client, centre.user("town_mediator"))
    assert client.post(f"/mediation/cases/{case.pk}/act/explode/", {}).status_code == 404


def test_a_mediator_on_the_case_who_may_not_decide_gets_403_before_the_form(client, centre):
    case = _open(centre)
    officer = centre.user("town_mediator")
    actions.case_accept(case=case, actor=officer)
    actions.case_assign(case=case, actor=officer, mediator=centre.brand_mediator)
    _login(client, centre.user("brand_mediator"))
    html = client.get(f"/mediation/cases/{case.pk}/").content.decode()
    assert "hold_session" in _buttons(html) and "close" not in _buttons(html) and "extend" not in _buttons(html)
    response = client.post(f"/mediation/cases/{case.pk}/act/extend/", {"extend-days": "oops"})
    assert response.status_code == 403


# ------------------------------------------------------------------------------ documents


def test_every_document_downloads_as_docx_and_a_missing_one_is_404(client, centre):
    case = _open(centre)
    _login(client, centre.user("town_mediator"))
    page = client.get(f"/mediation/cases/{case.pk}/").content.decode()
    keys = re.findall(r'data-download="([a-z_:0-9]+)"', page)
    assert keys == ["application", "acceptance", "notice", "casefile"]
    for key in keys:
        response = client.get(f"/mediation/cases/{case.pk}/documents/{key}.docx")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
        assert "filename*=UTF-8''" in response["Content-Disposition"]
        Document(io.BytesIO(response.content))  # a real .docx
    assert client.get(f"/mediation/cases/{case.pk}/documents/agreement.docx").status_code == 404
    assert client.get(f"/mediation/cases/{case.pk}/documents/session:9.docx").status_code == 404
    _login(client, centre.user("other_mediator"))
    assert client.get(f"/mediation/cases/{case.pk}/documents/application.docx").status_code == 404


def test_a_signed_scan_is_sniffed_attached_and_listed(client, centre):
    case = _open(centre)
    _login(client, centre.user("town_mediator"))
    fake = SimpleUploadedFile("申请书.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")
    response = client.post(f"/mediation/cases/{case.pk}/documents/application/scan/", {"file": fake})
    assert response.status_code == 400
    assert "PDF, JPG or PNG" in response.content.decode() or "PDF、JPG" in response.content.decode()
    assert not CaseAttachment.objects.filter(case=case).exists()
    png = SimpleUploadedFile("申请书.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")
    response = client.post(f"/mediation/cases/{case.pk}/documents/application/scan/", {"file": png})
    assert response.status_code == 302
    att = CaseAttachment.objects.get(case=case)
    assert att.document == "application" and att.content_type == "image/png"
    page = client.get(f"/mediation/cases/{case.pk}/").content.decode()
    assert f"/mediation/cases/{case.pk}/attachments/{att.pk}/" in page
    assert client.get(f"/mediation/cases/{case.pk}/attachments/{att.pk}/").status_code == 200
    # A scan for a document the case does not hold is refused.
    other = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")
    assert client.post(f"/mediation/cases/{case.pk}/documents/agreement/scan/", {"file": other}).status_code == 404


# ------------------------------------------------------------------------------- opening


def test_opening_a_case_from_the_event_shows_the_suggestions_and_why(client, centre):
    w = centre.world
    event = register(w, actor=w.operator.user, title="洋坂村工资纠纷", description="柯某反映工资拖欠")
    _login(client, centre.user("town_mediator"))
    page = client.get(f"/mediation/events/{event.pk}/open/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "程忠定" in html and 'data-testid="reason"' in html
    reasons = re.findall(r'data-testid="reason">([^<]+)<', html)
    assert any("劳动争议" in r for r in reasons), reasons
    response = client.post(f"/mediation/events/{event.pk}/open/", {
        "org": centre.town_committee.pk, "kind": "people", "specialty": "labour", "title": "柯某与吴某劳务报酬纠纷",
        "facts": "拖欠三个月工资", "claims": "", "mediator": str(centre.town_mediator.pk),
        "parties-TOTAL_FORMS": "2", "parties-INITIAL_FORMS": "0", "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "10",
        "parties-0-side": "applicant", "parties-0-name": "柯某", "parties-0-phone": "13912345678",
        "parties-1-side": "respondent", "parties-1-name": "吴某",
    })
    assert response.status_code == 302
    case = Case.objects.get(event=event)
    assert response["Location"] == f"/mediation/cases/{case.pk}/"
    lead = case.mediators.get(active=True)
    assert lead.mediator_id == centre.town_mediator.pk and lead.role == "lead" and "劳动争议" in lead.reason
    # The event page now links the case.
    event_page = client.get(f"/events/{event.pk}/").content.decode()
    assert f"/mediation/cases/{case.pk}/" in event_page


def test_the_opening_form_refuses_bad_parties_without_a_500(client, centre):
    w = centre.world
    event = register(w, actor=w.operator.user)
    _login(client, centre.user("town_mediator"))
    response = client.post(f"/mediation/events/{event.pk}/open/", {
        "org": centre.town_committee.pk, "kind": "people", "specialty": "labour", "title": "x", "facts": "y",
        "parties-TOTAL_FORMS": "1", "parties-INITIAL_FORMS": "0", "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "10", "parties-0-side": "respondent", "parties-0-name": "吴某",
    })
    assert response.status_code == 400  # no applicant among the parties: the action's refusal
    assert not Case.objects.filter(event=event).exists()


# -------------------------------------------------------------------------------- tasks


def _dispatched_event(centre: Centre):
    w = centre.world
    event = register(w, actor=w.operator.user, title="洋坂村柯某工资纠纷", description="老板吴某拖欠工资")
    return event  # registered to 洋坂村: its 3 (police_a among them) are bound at dispatch


def test_a_police_officer_hands_a_task_and_the_member_takes_reports_and_it_closes(client, centre):
    event = _dispatched_event(centre)
    police = centre.world.user("police_a")
    _login(client, police)
    event_page = client.get(f"/events/{event.pk}/").content.decode()
    assert f"/mediation/events/{event.pk}/dispatch/" in event_page
    page = client.get(f"/mediation/events/{event.pk}/dispatch/").content.decode()
    assert "吴见来" in page and "郊尾群英" not in page  # the village's town pool, not another town's
    response = client.post(f"/mediation/events/{event.pk}/dispatch/",
                           {"member": centre.member.pk, "instructions": "请尽快联系双方"})
    assert response.status_code == 302
    task = Task.objects.get(event=event)
    assert task.status == TaskStatus.DISPATCHED
    # The member's phone list: under 待接单.
    _login(client, centre.user("member"))
    listing = client.get("/mediation/tasks/").content.decode()
    assert f'data-task="{task.pk}"' in listing
    detail = client.get(f"/mediation/tasks/{task.pk}/").content.decode()
    assert {"accept", "decline"} <= _buttons(detail) and "close" not in _buttons(detail)
    assert client.post(f"/mediation/tasks/{task.pk}/act/accept/", {}).status_code == 302
    bad = client.post(f"/mediation/tasks/{task.pk}/act/report/", {"report-report": ""})
    assert bad.status_code == 400
    ok = client.post(f"/mediation/tasks/{task.pk}/act/report/",
                     {"report-report": "双方达成一致,吴某当场支付", "report-settled": "yes"})
    assert ok.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.REPORTED and task.settled is True
    # The member may not close it; the officer may.
    assert client.post(f"/mediation/tasks/{task.pk}/act/close/", {}).status_code == 403
    _login(client, police)
    assert "close" in _buttons(client.get(f"/mediation/tasks/{task.pk}/").content.decode())
    assert client.post(f"/mediation/tasks/{task.pk}/act/close/", {"close-note": "已核实"}).status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.CLOSED
    # Another town's member never sees it.
    _login(client, centre.user("other_member"))
    assert client.get(f"/mediation/tasks/{task.pk}/").status_code == 404


def test_only_people_bound_to_the_event_may_dispatch(client, centre):
    event = _dispatched_event(centre)
    _login(client, centre.world.user("secretary_b"))  # another village's secretary
    assert client.get(f"/mediation/events/{event.pk}/dispatch/").status_code == 404  # not in scope
    _login(client, centre.world.user("town_cadre"))  # sees the event, is not bound to it
    assert client.get(f"/mediation/events/{event.pk}/dispatch/").status_code == 403


# ------------------------------------------------------------------------------- others


def test_duty_roster_shows_who_is_on_now(client, centre):
    now = timezone.now()
    officer = centre.world.police_a
    actions.duty_shift_add(actor=None, org=centre.centre, person=officer, role="police",
                           starts_at=now - dt.timedelta(hours=2), ends_at=now + dt.timedelta(hours=10))
    _login(client, centre.user("county_mediator"))
    html = client.get("/mediation/duty/").content.decode()
    assert "仙游县社会矛盾纠纷调处化解中心" in html
    on_duty = html.split('data-testid="on-duty"')[1].split("</ul>")[0]
    assert "林民警" in on_duty


def test_ledger_export_is_masked_for_a_cadre_and_filters_apply(client, centre):
    case = _open(centre)
    _login(client, centre.world.user("town_cadre"))
    response = client.get("/mediation/cases/export.xlsx?status=applied")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.values)
    assert rows[0][0] == "案号" and rows[1][0] == case.code
    assert "139****5678" in rows[1][12] and "13912345678" not in rows[1][12]
    empty = client.get("/mediation/cases/export.xlsx?status=closed")
    assert len(list(load_workbook(io.BytesIO(empty.content)).active.values)) == 1
    assert client.get("/mediation/cases/?status=nonsense").status_code == 400


def test_the_pages_are_chinese_by_default_and_english_when_asked(client, centre):
    from django.conf import settings

    _open(centre)
    _login(client, centre.user("town_mediator"))
    chinese = client.get("/mediation/").content.decode()
    assert "调解工作台" in chinese and "待受理" in chinese
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/mediation/").content.decode()
    assert "Mediation worklist" in english and "To accept" in english and "调解工作台" not in english
