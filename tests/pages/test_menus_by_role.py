"""Each role's menu offers what its posts can do: 受理登记 for the desk's posts only (a grid worker
files 网格采集, a mediator works the centre, a department liaison takes what is handed over), and
a grid worker follows what they reported and what is filed in their grid — in the worklist and on
the event's page (scope decided in events/scope.py)."""

from __future__ import annotations

import re

import pytest

from fengqiao.events import actions
from fengqiao.events.queries import worklist, worklist_counts
from fengqiao.people.models import Role
from tests.factories import make_person, register

pytestmark = pytest.mark.django_db


def nav(client, user) -> dict[str, str]:
    client.force_login(user)
    html = client.get("/").content.decode()
    return {name: url for url, name in re.findall(r'href="([^"]+)" data-nav="([a-z_]+)"', html)}


@pytest.fixture
def field(world):
    return {
        "worker": make_person("网格员甲", Role.GRID_WORKER, world.grid_a, login="gw", phone="13900000099"),
        "mediator": make_person("调解员丙", Role.MEDIATOR, world.town, login="med", phone="13900000097"),
    }


def test_the_desk_is_in_the_menu_of_the_desk_posts_only(world, field, client):
    for who in ("operator", "town_cadre", "secretary_a", "police_a", "liaison_a", "work_team_a", "admin"):
        assert "event_new" in nav(client, world.user(who)), who
    for user in (field["worker"].user, field["mediator"].user, world.dept_liaison.user,
                 world.grid_head_a.user, world.county_leader.user):
        links = nav(client, user)
        assert "event_new" not in links, user.username
        assert client.get("/events/new/").status_code == 403  # and the page agrees with the menu


def test_a_grid_worker_has_field_collection_not_the_desk(world, field, client):
    links = nav(client, field["worker"].user)
    assert "field_report" in links and "event_new" not in links
    html = client.get("/").content.decode()
    assert 'data-testid="field-report"' in html and 'data-testid="register-event"' not in html
    assert "网格采集" in html and "受理登记" not in html


def test_every_link_of_every_role_opens(world, field, client):
    people = [world.operator, world.town_cadre, world.secretary_a, world.dept_liaison, world.county_leader,
              world.grid_head_a, field["worker"], field["mediator"]]
    for person in people:
        for name, url in nav(client, person.user).items():
            assert client.get(url).status_code == 200, (person.name, name, url)


def test_a_grid_worker_follows_their_grid_and_what_they_reported(world, field):
    worker = field["worker"].user
    in_grid = register(world, region=world.grid_a, title="第一网格内的事")
    reported = register(world, region=world.village_a, title="网格员上报的村里的事", actor=worker)
    elsewhere = register(world, region=world.village_a, title="村里别人登记的事")
    assert reported.registered_by_person_id == field["worker"].pk
    followed = {e.pk for e in worklist(worker, "to_acknowledge")}
    assert followed == {in_grid.pk, reported.pk}
    assert worklist_counts(worker)["to_acknowledge"] == 2
    actions.event_acknowledge(event=in_grid, actor=world.admin.user)
    assert [e.pk for e in worklist(worker, "in_progress")] == [in_grid.pk]
    assert elsewhere.pk not in {e.pk for e in worklist(worker, "to_acknowledge")}


def test_a_grid_worker_opens_the_village_event_they_reported_and_no_other(world, field, client):
    worker = field["worker"].user
    reported = register(world, region=world.village_a, title="网格员上报的村里的事", actor=worker)
    elsewhere = register(world, region=world.village_a, title="村里别人登记的事")
    client.force_login(worker)
    assert client.get(f"/events/{reported.pk}/").status_code == 200
    assert client.get(f"/events/{elsewhere.pk}/").status_code == 404
    r = client.get("/api/v1/events", {"q": "村里"})
    assert [e["id"] for e in r.json()["items"]] == [reported.pk]
