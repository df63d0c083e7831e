"""Scope is decided in one place: a user sees their posts' subtrees and what they are bound to;
everything else is 404. Within scope, posts decide which actions are allowed (403 otherwise)."""

import pytest

from fengqiao.events import actions
from fengqiao.events.permissions import available_actions
from fengqiao.events.scope import visible_events
from tests.factories import register


@pytest.fixture
def event_a(world):
    return register(world)


def test_secretary_of_village_b_gets_404_for_village_a_event(api, world, event_a):
    user = world.secretary_b.user
    assert api.get(f"/events/{event_a.pk}", user=user).status_code == 404
    assert api.get(f"/events/{event_a.pk}/timeline", user=user).status_code == 404
    assert api.post(f"/events/{event_a.pk}/actions", {"action": "comment", "text": "x"}, user=user).status_code == 404
    assert api.get("/events", user=user).json()["count"] == 0
    assert api.get("/events", user=user, q=event_a.code).json()["count"] == 0


def test_unknown_and_malformed_ids_are_404_too(api, world):
    assert api.get("/events/999999", user=world.operator.user).status_code == 404


def test_town_cadre_sees_the_town_but_not_the_other_town(world, event_a):
    event_c = register(world, region=world.village_c)
    seen = set(visible_events(world.town_cadre.user).values_list("pk", flat=True))
    assert event_a.pk in seen and event_c.pk not in seen
    assert set(visible_events(world.operator.user).values_list("pk", flat=True)) >= {event_a.pk, event_c.pk}


def test_someone_bound_from_outside_sees_the_event(world, event_a):
    actions.event_add_assignee(event=event_a, actor=world.operator.user,
                               person_id=world.secretary_c.pk, role="work_team")
    assert visible_events(world.secretary_c.user).filter(pk=event_a.pk).exists()


def test_department_liaison_sees_only_what_was_handed_to_the_department(world, event_a):
    other = register(world, title="另一件事")
    assert not visible_events(world.dept_liaison.user).exists()
    actions.event_add_assignee(event=event_a, actor=world.operator.user,
                               person_id=world.dept_liaison.pk, role="department_liaison")
    event_a.refresh_from_db()
    assert event_a.department == world.department
    seen = set(visible_events(world.dept_liaison.user).values_list("pk", flat=True))
    assert event_a.pk in seen and other.pk not in seen


def test_the_grid_head_is_bound_when_the_event_is_filed_under_the_grid(world):
    event = register(world, region=world.grid_a)
    bound = {(a.person, a.kind) for a in event.assignments.all()}
    assert (world.grid_head_a, "N") in bound
    assert (world.secretary_a, "3") in bound


def test_a_town_cadre_not_bound_cannot_acknowledge_a_village_event(api, world, event_a):
    r = api.post(f"/events/{event_a.pk}/actions", {"action": "acknowledge"}, user=world.town_cadre.user)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_the_secretary_cannot_refuse_or_close(api, world, event_a):
    r = api.post(f"/events/{event_a.pk}/actions", {"action": "refuse", "reason": "x"}, user=world.secretary_a.user)
    assert r.status_code == 403


def test_extensions_are_decided_one_tier_up(api, world, event_a):
    sec = world.secretary_a.user
    api.post(f"/events/{event_a.pk}/actions", {"action": "acknowledge"}, user=sec)
    r = api.post(f"/events/{event_a.pk}/actions", {"action": "request_extension", "days": 3, "reason": "等待鉴定"}, user=sec)
    assert r.status_code == 200
    # the village cannot approve its own request; the other town's cadre cannot see it at all
    assert api.post(f"/events/{event_a.pk}/actions", {"action": "approve_extension"}, user=sec).status_code == 403
    assert api.post(f"/events/{event_a.pk}/actions", {"action": "approve_extension"}, user=world.other_town_cadre.user).status_code == 404
    r = api.post(f"/events/{event_a.pk}/actions", {"action": "approve_extension"}, user=world.town_cadre.user)
    assert r.status_code == 200 and r.json()["event"]["extension_count"] == 1


def test_buttons_offered_follow_posts_and_state(world, event_a):
    assert "acknowledge" in available_actions(world.secretary_a.user, event_a)
    assert "acknowledge" not in available_actions(world.operator.user, event_a)
    assert {"urge", "supervise"} <= set(available_actions(world.operator.user, event_a))
    assert "close" not in available_actions(world.operator.user, event_a)


def test_urge_texts_every_bound_person_and_fills_their_inboxes(api, world, event_a):
    from fengqiao.notify.models import OutboxMessage

    before = OutboxMessage.objects.filter(template="urged").count()
    r = api.post(f"/events/{event_a.pk}/actions", {"action": "urge", "note": "请今日内反馈"}, user=world.operator.user)
    assert r.status_code == 200
    texts = OutboxMessage.objects.filter(template="urged")
    assert texts.count() - before == 3
    assert {m.recipient for m in texts} == {"13900000005", "13900000006", "13900000007"}
    assert "催办" in texts.first().body and event_a.code in texts.first().body
    inbox = api.get("/me/notifications", user=world.secretary_a.user).json()
    assert any(n["kind"] == "urged" for n in inbox["items"])


def test_call_returns_a_tel_link_and_logs_the_call(api, world, event_a):
    r = api.post(f"/events/{event_a.pk}/actions", {"action": "call", "person_id": world.secretary_a.pk}, user=world.operator.user)
    assert r.status_code == 200 and r.json()["tel"] == "tel:13900000005"
    assert event_a.calls.count() == 1
    t = api.get(f"/events/{event_a.pk}/timeline", user=world.operator.user).json()[-1]
    assert t["action"] == "call" and t["details"]["phone"] == "139****0005"


def test_bad_action_fields_are_400_and_change_nothing(api, world, event_a):
    sec = world.secretary_a.user
    api.post(f"/events/{event_a.pk}/actions", {"action": "acknowledge"}, user=sec)
    for body in (
        {"action": "resolve"},
        {"action": "resolve", "result": "   "},
        {"action": "request_extension", "days": 0, "reason": "x"},
        {"action": "request_extension", "days": "many", "reason": "x"},
        {"action": "bogus"},
        {"action": "add_assignee", "person_id": 999999, "role": "work_team"},
        {"action": "add_assignee", "person_id": world.work_team_a.pk, "role": "king"},
    ):
        r = api.post(f"/events/{event_a.pk}/actions", body, user=world.operator.user if body["action"] == "add_assignee" else sec)
        assert r.status_code == 400, (body, r.content)
        assert set(r.json()) >= {"code", "message"}
    event_a.refresh_from_db()
    assert event_a.status == "in_progress"


def test_list_scope_is_plain_region_equalities_when_nothing_is_bound_beyond_the_posts(world, event_a):
    # An `OR id IN (subquery)` would defeat the region indexes on a table of millions.
    sql = str(visible_events(world.secretary_a.user).query)
    assert "events_assignment" not in sql and "village_id" in sql


def test_a_binding_kept_after_the_post_moved_still_opens_the_event(api, world, event_a):
    world.secretary_a.posts.update(region=world.village_b)
    r = api.get(f"/events/{event_a.pk}", user=world.secretary_a.user)
    assert r.status_code == 200


def test_checking_one_action_agrees_with_the_full_set_for_every_user(world, event_a):
    from fengqiao.events import statemachine as sm
    from fengqiao.events.permissions import may, permitted_actions

    for who in ("operator", "county_leader", "town_cadre", "secretary_a", "police_a",
                "work_team_a", "dept_liaison", "admin"):
        user = world.user(who)
        allowed = permitted_actions(user, event_a)
        assert {a for a in sm.ACTIONS if may(user, event_a, a)} == allowed, who
