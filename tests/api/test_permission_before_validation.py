"""The actor's posts are checked before their input: someone whose posts do not allow an action
gets 403 whatever they send — not a 400 about the data, nor a 404 about an id they named."""

from __future__ import annotations

import pytest

from fengqiao.events import actions
from fengqiao.events.models import Event
from fengqiao.lib.errors import NotPermitted
from tests.factories import register

pytestmark = pytest.mark.django_db

# Every action but comment and call (open to everyone who sees the event), each with data that is
# empty or wrong.
BAD_DATA = [
    ("dispatch", {"region_code": "no-such-region"}),
    ("acknowledge", {}),
    ("return", {"reason": ""}),
    ("add_assignee", {"person_id": 999999, "role": "no-such-role"}),
    ("resolve", {"result": ""}),
    ("call_back", {"satisfaction": "maybe"}),
    ("close", {}),
    ("refuse", {"reason": ""}),
    ("escalate", {"reason": ""}),
    ("request_extension", {"days": 0, "reason": ""}),
    ("approve_extension", {}),
    ("reject_extension", {}),
    ("urge", {"note": "x" * 600}),
    ("supervise", {}),
    ("supervise", {"level": "purple"}),
    ("flag_risk", {}),
    ("unflag_risk", {}),
    ("merge", {}),
    ("merge", {"into_id": 999999}),
    ("recategorise", {"category_code": "no-such-category"}),
    ("recategorise", {}),
]


@pytest.mark.parametrize("action, data", BAD_DATA)
def test_a_work_team_member_not_bound_to_the_event_gets_403_whatever_they_send(api, world, action, data):
    event = register(world)  # dispatched to 洋坂村; the work team sees it but is not bound
    before = Event.objects.values().get(pk=event.pk)
    r = api.post(f"/events/{event.pk}/actions", {"action": action, **data}, user=world.work_team_a.user)
    assert r.status_code == 403, (action, r.json())
    assert r.json()["code"] == "forbidden"
    assert Event.objects.values().get(pk=event.pk) == before


@pytest.mark.parametrize("action, data", [("supervise", {}), ("merge", {}), ("merge", {"into_id": 999999}),
                                          ("refuse", {}), ("recategorise", {}), ("dispatch", {"region_code": "x"})])
def test_a_grid_head_bound_to_the_event_gets_403_for_what_their_post_does_not_allow(api, world, action, data):
    event = register(world, region=world.grid_a)  # the grid head is bound (the N of 3+N)
    assert api.get(f"/events/{event.pk}", user=world.grid_head_a.user).status_code == 200
    r = api.post(f"/events/{event.pk}/actions", {"action": action, **data}, user=world.grid_head_a.user)
    assert r.status_code == 403, (action, r.json())


@pytest.mark.parametrize("call", [
    lambda e, w: actions.event_supervise(event=e, actor=w.work_team_a.user, level="purple"),
    lambda e, w: actions.event_add_assignee(event=e, actor=w.work_team_a.user, person_id=None, role="x"),
    lambda e, w: actions.event_request_extension(event=e, actor=w.work_team_a.user, days="lots", reason=""),
    lambda e, w: actions.event_recategorise(event=e, actor=w.work_team_a.user, category=None),
])
def test_the_actions_themselves_check_the_posts_before_the_input(world, call):
    event = register(world)
    with pytest.raises(NotPermitted):
        call(event, world)
