"""The mediation API: in scope (404 outside), the posts before the state (403, then 409, then
400), errors as {"code", "message"}, parties masked unless the reader's work needs them (and the
unmasked read logged), 群英 tasks from a phone, spreadsheets whose text stays text."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from fengqiao.mediation import actions
from fengqiao.mediation.models import Case, PartyRead, Task
from tests.factories import register
from tests.mediation.world import Centre, build_centre

PARTIES = [{"side": "applicant", "name": "柯某", "phone": "13912345678", "id_number": "350322199003074570"},
           {"side": "respondent", "name": "=HYPERLINK(\"http://evil.example\",\"点我\")", "phone": "13987654321"}]


@pytest.fixture
def centre(world) -> Centre:
    return build_centre(world)


def opened(api, centre: Centre, region=None, user=None) -> dict:
    w = centre.world
    event = register(w, actor=w.operator.user, region=region or w.village_a)
    r = api.post("/mediation/cases", {"event_id": event.pk, "org_id": centre.town_committee.pk, "kind": "people",
                                      "parties": PARTIES}, user=user or centre.user("town_mediator"))
    assert r.status_code == 201, r.content
    return r.json()


def test_the_document_lists_the_mediation_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/mediation/cases", "/api/v1/mediation/cases/{case_id}",
                 "/api/v1/mediation/cases/{case_id}/actions", "/api/v1/mediation/cases/{case_id}/suggestions",
                 "/api/v1/mediation/tasks", "/api/v1/mediation/tasks/{task_id}/actions",
                 "/api/v1/mediation/cases.xlsx", "/api/v1/mediation/figures"):
        assert path in paths, path


def test_open_list_and_read_in_scope(api, centre):
    case = opened(api, centre)
    assert case["status"] == "applied" and case["available_actions"][:3] == ["accept", "refuse", "assign"]
    mine = api.get("/mediation/cases", user=centre.user("town_mediator")).json()
    assert mine["count"] == 1 and mine["items"][0]["code"] == case["code"]
    assert api.get("/mediation/cases", user=centre.user("other_mediator")).json()["count"] == 0
    r = api.get(f"/mediation/cases/{case['id']}", user=centre.user("other_mediator"))
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert api.get("/mediation/cases/999999999", user=centre.user("town_mediator")).status_code == 404
    assert api.get("/mediation/cases?status=nonsense", user=centre.user("town_mediator")).status_code == 400


def test_refusals_come_in_order_posts_state_input(api, centre):
    case = opened(api, centre)
    secretary = centre.world.secretary_a.user  # sees the village's case, may not accept it
    r = api.post(f"/mediation/cases/{case['id']}/actions", {"action": "accept"}, user=secretary)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    mediator = centre.user("town_mediator")
    r = api.post(f"/mediation/cases/{case['id']}/actions", {"action": "agree", "form": "written"}, user=mediator)
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition" and r.json()["message"]
    r = api.post(f"/mediation/cases/{case['id']}/actions", {"action": "refuse", "reason": " "}, user=mediator)
    assert r.status_code == 400 and r.json()["field"] == "reason"
    r = api.post(f"/mediation/cases/{case['id']}/actions", {"action": "fly"}, user=mediator)
    assert r.status_code == 400 and r.json()["code"] == "unknown_action"
    r = api.post(f"/mediation/cases/{case['id']}/actions", {"action": "accept", "note": "材料齐全"}, user=mediator)
    assert r.status_code == 200 and r.json()["case"]["status"] == "accepted"


def test_a_full_mediation_over_the_api(api, centre):
    case = opened(api, centre)
    user = centre.user("town_mediator")
    url = f"/mediation/cases/{case['id']}/actions"
    suggestions = api.get(f"/mediation/cases/{case['id']}/suggestions", user=user).json()
    assert suggestions[0]["reason"].startswith("专长:劳动争议;同村")
    assert api.post(url, {"action": "accept"}, user=user).status_code == 200
    r = api.post(url, {"action": "assign", "mediator_id": centre.town_mediator.pk, "reason": suggestions[1]["reason"]},
                 user=user)
    assert r.json()["case"]["lead_mediator"] == "程忠定"
    r = api.post(url, {"action": "schedule_session", "scheduled_for": "2025-03-06T09:30:00+08:00",
                       "place": "县矛调中心", "mode": "face_to_face",
                       "seats": [{"kind": "labour", "representative": "张所长"}, {"kind": "court", "representative": "陈法官"}]},
                 user=user)
    session_id = r.json()["created"]["session_id"]
    assert r.json()["case"]["joint"] is True
    r = api.post(url, {"action": "hold_session", "session_id": session_id, "attendees": ["程忠定", "张所长"],
                       "notes": "双方达成一致"}, user=user)
    assert r.json()["case"]["status"] == "mediating"
    r = api.post(url, {"action": "agree", "form": "written", "facts": "拖欠工资", "terms": [
        {"content": "吴某支付工资8000元", "due_on": "2025-03-20"}, {"content": "柯某不再追究", "due_on": None}]},
        user=user)
    body = r.json()["case"]
    assert body["status"] == "agreed" and len(body["agreement"]["terms"]) == 2
    assert {c["key"] for c in body["clocks"]} >= {"mediation.accept", "mediation.handle", "mediation.confirm"}
    term = body["agreement"]["terms"][0]["id"]
    r = api.post(url, {"action": "check_term", "term_id": term, "status": "performed"}, user=user)
    assert r.json()["case"]["agreement"]["terms"][0]["status"] == "performed"
    r = api.post(url, {"action": "follow_up", "method": "phone", "note": "已履行,关系和睦"}, user=user)
    assert len(r.json()["case"]["follow_ups"]) == 1
    assert api.post(url, {"action": "close"}, user=user).json()["case"]["status"] == "closed"
    timeline = api.get(f"/mediation/cases/{case['id']}/timeline", user=user).json()
    assert [e["action"] for e in timeline] == ["open", "accept", "assign", "schedule_session", "hold_session",
                                                "agree", "check_term", "follow_up", "close"]
    assert timeline[1]["action_label"] and timeline[1]["actor"]


def test_parties_masked_for_the_village_and_logged_for_the_mediator(api, centre):
    case = opened(api, centre)
    masked = api.get(f"/mediation/cases/{case['id']}", user=centre.world.secretary_a.user).json()["parties"]
    assert masked[0]["phone"] == "139****5678" and masked[0]["masked"]
    before = PartyRead.objects.count()
    clear = api.get(f"/mediation/cases/{case['id']}", user=centre.user("town_mediator")).json()["parties"]
    assert clear[0]["phone"] == "13912345678" and clear[0]["id_number"] == "350322199003074570"
    assert PartyRead.objects.count() == before + 1 and PartyRead.objects.last().via == "api"


def test_window_and_court_over_the_api(api, centre):
    w = centre.world
    user = centre.user("county_mediator")
    r = api.post("/mediation/cases/window", {"org_id": centre.centre.pk, "kind": "people", "title": "邻里漏水",
                                             "region_code": w.village_b.code, "specialty": "neighbour",
                                             "parties": [{"side": "applicant", "name": "蔡某"}]}, user=user)
    assert r.status_code == 201 and r.json()["channel"] == "window"
    r = api.post("/mediation/cases/court", {"org_id": centre.court_room.pk, "title": "借款纠纷",
                                            "region_code": w.village_c.code, "court_name": "仙游县人民法院",
                                            "court_case_number": "(2025)闽0322民诉前调8号",
                                            "court_deadline": "2099-01-31T17:00:00+08:00",
                                            "parties": [{"side": "applicant", "name": "郑某"}]}, user=user)
    assert r.status_code == 201 and r.json()["kind"] == "pre_litigation"
    assert r.json()["court_deadline"].startswith("2099-01-31")
    r = api.post("/mediation/cases/window", {"org_id": centre.centre.pk, "kind": "people", "title": "x",
                                             "region_code": "000", "parties": [{"side": "applicant", "name": "蔡某"}]},
                 user=user)
    assert r.status_code == 400 and r.json()["field"] == "region_code"
    r = api.post("/mediation/cases/window", {"org_id": centre.centre.pk, "kind": "people", "title": "x",
                                             "region_code": w.village_b.code,
                                             "parties": [{"side": "applicant", "name": "蔡某"}]},
                 user=w.secretary_a.user)
    assert r.status_code == 403


def test_a_qunying_member_takes_and_reports_a_task_over_the_api(api, centre):
    w = centre.world
    event = register(w, actor=w.operator.user)
    members = api.get(f"/mediation/events/{event.pk}/members", user=w.police_a.user).json()
    assert [m["name"] for m in members] == ["吴见来", "柯老"]
    r = api.post("/mediation/tasks", {"event_id": event.pk, "member_id": centre.member.pk,
                                      "instructions": "请调解工资纠纷"}, user=w.police_a.user)
    assert r.status_code == 201, r.content
    task = r.json()
    assert task["status"] == "dispatched" and task["due_at"] and task["available_actions"] == ["cancel"]
    member = centre.user("member")
    mine = api.get("/mediation/tasks?mine=true", user=member).json()
    assert mine["count"] == 1 and mine["items"][0]["available_actions"] == ["accept", "decline"]
    assert api.get(f"/mediation/tasks/{task['id']}", user=centre.user("member_b")).status_code == 404
    url = f"/mediation/tasks/{task['id']}/actions"
    assert api.post(url, {"action": "accept"}, user=member).json()["status"] == "accepted"
    r = api.post(url, {"action": "report", "report": "已调解,老板同意月底前付清"}, user=member)
    assert r.status_code == 400 and r.json()["field"] == "settled"
    assert api.post(url, {"action": "report", "report": "已调解", "settled": True}, user=member).json()["status"] \
        == "reported"
    assert api.post(url, {"action": "close"}, user=member).status_code == 403
    assert api.post(url, {"action": "close", "note": "核实"}, user=w.police_a.user).json()["status"] == "closed"
    r = api.post("/mediation/tasks", {"event_id": event.pk, "member_id": centre.member.pk},
                 user=w.secretary_b.user)  # cannot see 洋坂村's event at all
    assert r.status_code == 404


def test_the_case_spreadsheet_keeps_text_as_text_and_masks_parties(api, centre):
    opened(api, centre)
    r = api.get("/mediation/cases.xlsx", user=centre.world.secretary_a.user)
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["调解案件", "当事人", "协议条款"]
    parties = list(wb["当事人"].iter_rows(min_row=2, values_only=True))
    assert parties[0][3] == "139****5678"
    assert parties[1][2].startswith("=HYPERLINK") and wb["当事人"].cell(3, 3).data_type == "s"
    tasks = api.get("/mediation/tasks.xlsx", user=centre.world.secretary_a.user)
    assert tasks.status_code == 200 and load_workbook(io.BytesIO(tasks.content)).sheetnames == ["群英任务"]


def test_attachments_are_sniffed(api, centre, client):
    case = opened(api, centre)
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(centre.user("town_mediator"))
    png = SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png")
    r = client.post(f"/api/v1/mediation/cases/{case['id']}/attachments", {"file": png})
    assert r.status_code == 201 and r.json()["content_type"] == "image/png"
    html = SimpleUploadedFile("x.png", b"<html><script>alert(1)</script>", content_type="image/png")
    r = client.post(f"/api/v1/mediation/cases/{case['id']}/attachments", {"file": html})
    assert r.status_code == 400 and r.json()["field"] == "file"
    assert Case.objects.get(pk=case["id"]).attachments.count() == 1


def test_figures_and_duty_need_the_centre(api, centre):
    case = opened(api, centre)
    actions.case_accept(case=case["id"], actor=centre.user("town_mediator"))
    rows = api.get("/mediation/figures?by=kind", user=centre.user("county_mediator")).json()
    assert rows == [{"key": "people", "name": "人民调解", "cases": 1, "settled": 0, "ended": 0, "average_days": None,
                     "performed": 0, "performance_checked": 0, "terms_due": 0, "terms_performed": 0}]
    assert api.get("/mediation/figures?by=nonsense", user=centre.user("county_mediator")).status_code == 400
    assert api.get("/mediation/figures", user=centre.world.secretary_a.user).status_code == 403
    assert api.get("/mediation/duty", user=centre.user("county_mediator")).json() == []
    assert Task.objects.count() == 0


def test_the_case_list_costs_the_same_queries_for_three_cases_or_nine(api, centre, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = centre.user("town_mediator")

    def cost() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert api.get("/mediation/cases?page_size=50", user=user).status_code == 200
        return len(seen.captured_queries)

    for _ in range(3):
        opened(api, centre)
    three = cost()
    for _ in range(6):
        opened(api, centre)
    assert cost() == three
    with django_assert_max_num_queries(three):
        api.get("/mediation/cases?page_size=50", user=user)
