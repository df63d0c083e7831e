"""The events API from the outside: register, read, act, list, timeline, worklist, errors."""


from fengqiao.events.models import Event


def _create(api, world, **overrides):
    body = {
        "title": "洋坂村柯某与吴某工资纠纷",
        "description": "柯某称老板吴某拖欠三个月工资",
        "category_code": "dispute.wages",
        "source": "walk_in",
        "region_code": world.village_a.code,
        "address": "度尾镇洋坂村3组",
        "parties": [{"name": "柯某", "phone": "13912345678", "id_number": "350322199001011234", "is_reporter": True}],
    }
    body.update(overrides)
    return api.post("/events", body, user=world.operator.user)


def test_operator_registers_an_event_and_it_is_dispatched_to_the_village_three(api, world):
    r = _create(api, world)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "dispatched"
    assert body["tier"] == "village"
    assert body["region"]["code"] == "350322103208"
    assert body["code"].startswith("350322-")
    assert body["deadline"] is not None and body["overdue"] is False
    roles = {(a["role"], a["kind"]) for a in body["assignees"]}
    assert roles == {("village_liaison", "3"), ("party_secretary", "3"), ("community_police", "3")}


def test_a_bad_category_is_a_400_with_code_and_message(api, world):
    r = _create(api, world, category_code="nope")
    assert r.status_code == 400
    assert r.json()["code"] == "invalid" and "nope" in r.json()["message"]
    assert Event.objects.count() == 0


def test_malformed_json_is_a_400_not_a_500(api, world, client):
    client.force_login(world.operator.user)
    r = client.post("/api/v1/events", "{not json", content_type="application/json")
    assert r.status_code == 400
    assert set(r.json()) >= {"code", "message"}


def test_anonymous_is_401(api, world):
    r = api.get("/events")
    assert r.status_code == 401
    assert r.json()["code"] == "unauthenticated"


def test_illegal_move_is_409_naming_the_state(api, world):
    event_id = _create(api, world).json()["id"]
    r = api.post(f"/events/{event_id}/actions", {"action": "close"}, user=world.operator.user)
    assert r.status_code == 409
    assert "dispatched" in r.json()["message"]


def test_the_loop_through_the_api(api, world):
    event_id = _create(api, world).json()["id"]
    sec = world.secretary_a.user
    assert api.post(f"/events/{event_id}/actions", {"action": "acknowledge"}, user=sec).json()["event"]["status"] == "in_progress"
    r = api.post(f"/events/{event_id}/actions", {"action": "resolve", "result": "已结清工资"}, user=sec)
    assert r.json()["event"]["status"] == "resolved"
    r = api.post(f"/events/{event_id}/actions", {"action": "call_back", "satisfaction": "satisfied"}, user=world.operator.user)
    assert r.json()["event"]["status"] == "resolved"
    r = api.post(f"/events/{event_id}/actions", {"action": "close"}, user=world.operator.user)
    assert r.json()["event"]["status"] == "closed"
    steps = [t["action"] for t in api.get(f"/events/{event_id}/timeline", user=world.operator.user).json()]
    # Registered through the one door (intake), like the page: its "intake" row follows dispatch.
    assert steps == ["register", "dispatch", "intake", "acknowledge", "resolve", "call_back", "close"]


def test_secretary_of_another_village_gets_404(api, world):
    event_id = _create(api, world).json()["id"]
    assert api.get(f"/events/{event_id}", user=world.secretary_b.user).status_code == 404
    r = api.post(f"/events/{event_id}/actions", {"action": "acknowledge"}, user=world.secretary_b.user)
    assert r.status_code == 404


def test_list_filters_and_worklist(api, world):
    _create(api, world)
    _create(api, world, region_code=world.village_c.code, category_code="hazard.fire", source="grid")
    r = api.get("/events", user=world.operator.user, region_code=world.town.code)
    assert r.json()["count"] == 1
    r = api.get("/events", user=world.operator.user, category_code="hazard")
    assert r.json()["count"] == 1
    r = api.get("/events", user=world.operator.user, status="bogus")
    assert r.status_code == 400
    w = api.get("/me/worklist", user=world.secretary_a.user).json()
    assert w["counts"]["to_acknowledge"] == 1 and w["bucket"] == "to_acknowledge"


def test_parties_are_masked_for_a_town_cadre_and_clear_for_the_bound_secretary(api, world):
    event_id = _create(api, world).json()["id"]
    masked = api.get(f"/events/{event_id}", user=world.town_cadre.user).json()["parties"][0]
    assert masked["phone"] == "139****5678" and masked["masked"] is True
    assert masked["id_number"] == "350322********1234"
    clear = api.get(f"/events/{event_id}", user=world.secretary_a.user).json()["parties"][0]
    assert clear["phone"] == "13912345678"


def test_recategorise_over_the_api_needs_a_known_category(world, api):
    from tests.factories import register

    event = register(world)
    r = api.post(f"/events/{event.id}/actions", {"action": "recategorise", "category_code": "nope"},
                 user=world.operator.user)
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    r = api.post(f"/events/{event.id}/actions", {"action": "recategorise", "category_code": "dispute.land"},
                 user=world.operator.user)
    assert r.status_code == 200 and r.json()["event"]["category"] == "dispute.land"
    r = api.post(f"/events/{event.id}/actions", {"action": "recategorise", "category_code": "dispute.wages"},
                 user=world.secretary_a.user)
    assert r.status_code == 403
