"""/api/v1/petitions…: bounded pages, registration, detail, the actions endpoint with its JSON
errors (400, 403 before anything else, 404 outside scope, 409 with the state or the guard), the
timeline, the backlog."""

from __future__ import annotations

import pytest

from fengqiao.audit.models import AuditEntry
from fengqiao.petitions.models import Petition, Status
from tests.petitions.helpers import ID_KE, at, local, petition_in, register

pytestmark = pytest.mark.django_db

HUGE = "9999999999999999999"
NEW = {
    "form": "letter", "kind": "first", "title": "反映村务公开问题", "content": "村集体收支未按时公开。",
    "category_code": "petition.first", "region_code": "350322103208",
    "petitioners": [{"name": "柯志明", "id_number": ID_KE, "phone": "13912345678", "is_representative": True}],
}


def _error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] and body["message"]
    if code is not None:
        assert body["code"] == code, body
    return body


@pytest.mark.parametrize("field, value", [("page", "0"), ("page", HUGE), ("page", "100001"),
                                          ("page_size", "0"), ("page_size", "201"), ("page_size", HUGE)])
def test_a_page_out_of_range_is_a_400_naming_it(api, world, field, value):
    body = _error(api.get("/petitions", user=world.operator.user, **{field: value}), 400, "invalid")
    assert body["message"].startswith(f"{field}:")


def test_pages_are_bounded_and_past_the_end_empty(api, world):
    for i in range(3):
        register(world, title=f"信访{i}", when=local(2026, 3, 2 + i))
    first = api.get("/petitions", user=world.operator.user, page_size=2).json()
    assert first["count"] == 3 and len(first["items"]) == 2
    assert first["items"][0]["title"] == "信访2"  # newest first
    assert api.get("/petitions", user=world.operator.user, page=2, page_size=2).json()["items"][0]["title"] == "信访0"
    assert api.get("/petitions", user=world.operator.user, page=100000).json()["items"] == []


@pytest.mark.parametrize("field, value", [("status", "lost"), ("kind", "third"), ("form", "pigeon"),
                                          ("region_code", "999")])
def test_unknown_filter_values_are_a_400_naming_the_filter(api, world, field, value):
    body = _error(api.get("/petitions", user=world.operator.user, **{field: value}), 400, "invalid")
    assert body["field"] == field


def test_the_overdue_filter_follows_the_running_limits(api, world):
    late = register(world, title="超期未转送", when=local(2026, 1, 5))
    register(world, title="刚登记", when=local(2026, 1, 25))
    with at(local(2026, 1, 26)):
        items = api.get("/petitions", user=world.operator.user, overdue="true").json()["items"]
    assert [i["id"] for i in items] == [late.pk] and items[0]["overdue"] is True


def test_registering_through_the_api(api, world):
    with at(local(2026, 3, 2)):
        r = api.post("/petitions", NEW, user=world.town_cadre.user)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "registered" and body["code"].startswith("XF-350322-20260302-")
    assert body["petitioners"][0]["id_number"] == ID_KE  # whoever registered it took it down
    assert [c["key"] for c in body["clocks"]] == ["petition.route", "petition.village_week"]
    assert "route" in body["available_actions"]
    p = Petition.objects.get(pk=body["id"])
    assert p.registered_by_id == world.town_cadre.user.pk and p.village_id == world.village_a.pk


@pytest.mark.parametrize("change, field", [
    ({"region_code": "000000"}, "region_code"), ({"category_code": "nope"}, "category_code"),
    ({"petitioners": [{"name": "柯志明", "id_number": "350322198001011234"}]}, "petitioners[0].id_number"),
    ({"joint": True, "headcount": 1}, "headcount"), ({"event_code": "no-such"}, "event_code"),
])
def test_bad_registrations_are_a_400_naming_the_field(api, world, change, field):
    with at(local(2026, 3, 2)):
        body = _error(api.post("/petitions", {**NEW, **change}, user=world.operator.user), 400)
    assert body.get("field") == field, body
    assert not Petition.objects.exists()


def test_who_may_not_register_gets_a_403_even_for_another_towns_village(api, world):
    _error(api.post("/petitions", NEW, user=world.secretary_a.user), 403, "forbidden")
    _error(api.post("/petitions", NEW, user=world.other_town_cadre.user), 403, "forbidden")
    assert not Petition.objects.exists()


BAD_DATA = [
    ("route", {"department_code": "no-such"}), ("route", {}), ("object", {"reason": ""}), ("accept", {}),
    ("not_accept", {}), ("start", {"handler_id": 999999}), ("extend", {"days": 99}), ("answer", {}),
    ("apply_review", {}), ("answer_review", {}), ("apply_rereview", {}), ("answer_rereview", {}),
    ("close", {"closing": "maybe"}), ("assign", {"team_ids": [999999]}), ("urge", {}), ("escalate", {}),
    ("link_event", {"event_code": "x"}), ("list_backlog", {"batch": "some"}), ("resort", {}),
    ("settle_backlog", {}),
]


@pytest.mark.parametrize("action, data", BAD_DATA)
def test_a_community_police_officer_who_sees_it_gets_403_whatever_they_send(api, world, action, data):
    p = petition_in(world, "handling")
    before = Petition.objects.values().get(pk=p.pk)
    with at(local(2026, 3, 20)):
        _error(api.post(f"/petitions/{p.pk}/actions", {"action": action, **data}, user=world.police_a.user),
               403, "forbidden")
    assert Petition.objects.values().get(pk=p.pk) == before


def test_an_illegal_move_is_a_409_naming_the_state_and_a_guard_its_own_code(api, world):
    p = petition_in(world, "handling")
    with at(local(2026, 3, 20)):
        body = _error(api.post(f"/petitions/{p.pk}/actions", {"action": "accept"}, user=world.dept_liaison.user),
                      409, "illegal_transition")
        assert "办理中" in body["message"]
        ok = api.post(f"/petitions/{p.pk}/actions", {"action": "extend", "days": 15, "reason": "需调查"},
                      user=world.dept_liaison.user)
        assert ok.status_code == 200 and ok.json()["extended_days"] == 15
        _error(api.post(f"/petitions/{p.pk}/actions", {"action": "extend", "days": 5, "reason": "再延"},
                        user=world.dept_liaison.user), 409, "already_extended")
        _error(api.post(f"/petitions/{p.pk}/actions", {"action": "fly"}, user=world.dept_liaison.user),
               400, "unknown_action")


def test_the_actions_endpoint_runs_the_line_and_the_timeline_tells_it(api, world):
    p = register(world, when=local(2026, 3, 2))
    steps = [("operator", {"action": "route", "department_code": "rsj", "routing": "assign"}),
             ("dept_liaison", {"action": "accept"}), ("dept_liaison", {"action": "start"}),
             ("dept_liaison", {"action": "answer", "answer": "已协调企业支付。"}),
             ("operator", {"action": "close", "closing": "settled", "note": "信访人表示满意"})]
    for day, (who, data) in enumerate(steps, start=3):
        with at(local(2026, 3, day)):
            r = api.post(f"/petitions/{p.pk}/actions", data, user=world.user(who))
        assert r.status_code == 200, r.content
    assert r.json()["status"] == Status.CLOSED and r.json()["closing"] == "settled"
    with at(local(2026, 3, 9)):
        timeline = api.get(f"/petitions/{p.pk}/timeline", user=world.operator.user).json()
    assert [t["action"] for t in timeline] == ["register", "route", "accept", "start", "answer", "close"]
    assert timeline[-1]["note"] == "信访人表示满意"
    assert AuditEntry.objects.filter(stream=f"petition:{p.pk}").count() == 6
    kinds = [d["kind"] for d in r.json()["documents"]]
    assert kinds == ["acceptance", "answer"]


def test_a_huge_id_is_a_404(api, world):
    _error(api.get(f"/petitions/{HUGE}", user=world.operator.user), 404)
    _error(api.post(f"/petitions/{HUGE}/actions", {"action": "urge"}, user=world.operator.user), 404)


def test_the_backlog_endpoint_counts_by_batch_and_filters(api, world):
    for year, batch in ((1998, "resolve"), (2010, "strive"), (2020, "by_law")):
        p = register(world, title=f"积案{year}", when=local(2026, 1, 5))
        with at(local(2026, 1, 6)):
            api.post(f"/petitions/{p.pk}/actions", {"action": "list_backlog", "first_raised_year": year,
                                                     "batch": batch, "leader_id": world.county_leader.pk},
                     user=world.operator.user)
    with at(local(2026, 2, 1)):
        body = api.get("/petitions/backlog", user=world.operator.user).json()
        assert body["count"] == 3
        assert [(c["key"], c["open"]) for c in body["counts"]["batch"]] == [
            ("resolve", 1), ("strive", 1), ("stabilise", 0), ("by_law", 1)]
        assert {c["key"]: c["open"] for c in body["counts"]["age"]} == {
            "under_5": 0, "5_to_10": 1, "10_to_20": 1, "20_plus": 1}
        old = api.get("/petitions/backlog", user=world.operator.user, age="20_plus").json()
        assert [i["first_raised_year"] for i in old["items"]] == [1998] and old["items"][0]["age"] == 28
        _error(api.get("/petitions/backlog", user=world.operator.user, batch="all"), 400, "invalid")
