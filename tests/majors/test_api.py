"""The JSON API: register, list with filters and the completion figure, detail, every move, the
milestones' moves, the timeline — errors as {"code", "message"} with 400/403/404/409."""

from __future__ import annotations

import pytest

from fengqiao.lib import clock
from fengqiao.majors.models import Matter, Status
from tests.majors.world import local

pytestmark = pytest.mark.django_db

START = local(2026, 9, 1, 10)


def _register(api, mw, **over):
    data = {"title": "度尾镇文旦柚产业园", "description": "新建产业园,涉及流转土地300亩。", "kind": "key_project",
            "level": "county", "region_code": mw.village_a.code, "owner_code": "zjj", "leader_id": mw.leader.pk,
            "target_on": "2027-03-31", "area": "infrastructure"}
    data.update(over)
    return api.post("/majors", data, user=mw.user("operator"))


def test_a_matter_through_its_assessment_to_closing_over_json(mw, api):
    op = mw.user("operator")
    with clock.frozen(START):
        r = _register(api, mw)
        assert r.status_code == 201, r.json()
        m = r.json()
        assert (m["status"], m["needs_assessment"], m["listing_region"]) == ("registered", True, "350322")
        assert "assess" in m["offered"] and "start" not in m["offered"]
        pk = m["id"]
        steps = [
            {"action": "assess"},
            {"action": "add_risk", "dimension": "reasonable", "description": "流转价格分歧。", "likelihood": "medium",
             "impact": "medium", "measure": "统一价格。"},
            {"action": "add_opinion", "channel": "questionnaire", "held_on": "2026-08-30", "reached": 200,
             "support": 180, "oppose": 8},
            {"action": "add_expert", "name": "王研究员", "title": "农业经济", "conclusion": "agree", "opinion": "可行。"},
            {"action": "conclude", "grade": "low", "grade_reason": "群众支持率高。", "measures": "公开流转合同。"},
            {"action": "decide", "decision": "go", "note": "准予实施。"},
            {"action": "plan", "milestones": [{"title": "土地流转签约", "due_on": "2026-10-31"},
                                              {"title": "场地平整", "due_on": "2026-12-31"}]},
            {"action": "team", "members": [{"person_id": mw.town_cadre.pk, "post": "head", "identity": "cadre"},
                                           {"name": "陈党员", "post": "member", "identity": "party_member",
                                            "unit": "洋坂村"}]},
            {"action": "start"},
            {"action": "report", "text": "已签约120亩。"},
            {"action": "breakthrough", "text": "最后一户签约,流转全部完成。"},
        ]
        for step in steps:
            r = api.post(f"/majors/{pk}/actions", step, user=op)
            assert r.status_code == 200, (step["action"], r.json())
        detail = r.json()
        assert detail["status"] == "underway" and detail["breakthroughs"] == 1
        assert detail["assessment"]["gaps"] == [] and detail["assessment"]["number"] == "仙稳评〔2026〕1号"
        assert {t["name"] for t in detail["team"]} == {mw.town_cadre.name, "陈党员"}
        for ms in detail["milestones"]:
            assert ms["state"] == "running" and "complete" in ms["offered"]
            r = api.post(f"/majors/{pk}/milestones/{ms['id']}/actions", {"action": "complete", "result": "完成"},
                         user=mw.user("town_cadre"))  # the task force's head completes milestones
            assert r.status_code == 200, r.json()
        assert api.post(f"/majors/{pk}/actions", {"action": "request_close", "summary": "全部完成。"},
                        user=mw.user("leader")).status_code == 200
        r = api.post(f"/majors/{pk}/actions", {"action": "approve_close", "note": "同意"}, user=op)
    assert r.status_code == 200 and r.json()["status"] == "closed"
    timeline = api.get(f"/majors/{pk}/timeline", user=op).json()
    assert timeline[0]["action"] == "register" and timeline[-1]["action"] == "approve_close"
    assert [e["seq"] for e in timeline] == list(range(1, len(timeline) + 1))
    assert any(e["action"] == "complete" and e["label"] == "节点完成" for e in timeline)


def test_lists_filter_by_level_kind_owner_and_leader(mw, api):
    with clock.frozen(START):
        _register(api, mw)
        _register(api, mw, title="某楼盘逾期交房", kind="risk", area="real_estate", level="town")
        _register(api, mw, title="非法集资隐患", kind="risk", area="fund_raising", leader_id=mw.leader2.pk)
    op = mw.user("operator")
    assert api.get("/majors", user=op).json()["count"] == 3
    assert [i["title"] for i in api.get("/majors", user=op, level="town").json()["items"]] == ["某楼盘逾期交房"]
    assert api.get("/majors", user=op, kind="risk").json()["count"] == 2
    assert api.get("/majors", user=op, owner="zjj").json()["count"] == 3
    assert api.get("/majors", user=op, leader=mw.leader2.pk).json()["items"][0]["title"] == "非法集资隐患"
    assert api.get("/majors", user=op, area="real_estate").json()["count"] == 1
    body = api.get("/majors/figures", user=op, by="kind").json()
    assert body["completion"]["listed"] == 0 and body["completion"]["text"] == "—"
    assert api.get("/majors", user=op, kind="planet").status_code == 400
    assert api.get("/majors/figures", user=op, by="weather").status_code == 400
    assert api.get("/majors", user=op, page_size=201).status_code == 400


def test_bad_input_is_a_400_naming_the_field_and_an_unknown_action_too(mw, api):
    with clock.frozen(START):
        r = _register(api, mw, region_code="999999")
        assert r.status_code == 400 and r.json()["field"] == "region_code"
        r = _register(api, mw, target_on="2020-01-01")
        assert r.status_code == 400 and r.json()["field"] == "target_on"
        pk = _register(api, mw).json()["id"]
        r = api.post(f"/majors/{pk}/actions", {"action": "fly"}, user=mw.user("operator"))
        assert r.status_code == 400 and r.json()["code"] == "unknown_action"
        api.post(f"/majors/{pk}/actions", {"action": "assess"}, user=mw.user("operator"))
        r = api.post(f"/majors/{pk}/actions", {"action": "add_opinion", "channel": "visit", "held_on": "2026-08-30",
                                               "reached": 5, "support": 4, "oppose": 4}, user=mw.user("operator"))
        assert r.status_code == 400 and r.json()["field"] == "support"
    assert api.get("/majors/99999999999999999999", user=mw.user("operator")).status_code in (400, 404)
    assert Matter.objects.get(pk=pk).status == Status.ASSESSING


def test_anonymous_callers_are_401(api):
    r = api.get("/majors")
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
