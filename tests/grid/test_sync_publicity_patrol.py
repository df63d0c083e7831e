"""The offline app's publicity logs and patrols: sent with the draft's UUID, the first delivery
answers 201, every repeat 200 with the same body and no second record; bad input a 400 JSON."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from fengqiao.audit.models import AuditEntry
from fengqiao.grid import actions
from fengqiao.grid.models import Patrol, Publicity
from fengqiao.lib import clock
from tests.grid.world import START

ROUTE = [[25.5010, 118.8010], [25.5020, 118.8020], [25.5030, 118.8020]]


def _team(gw, region=None):
    return actions.team_create(actor=gw.base.admin.user, region=region or gw.grid_a, name="洋坂巡防队",
                               kind="red_armband")


def test_a_publicity_log_sent_twice_is_one_record(gw, client):
    client.force_login(gw.user("worker_a"))
    data = {"uuid": str(uuid.uuid4()), "grid": gw.grid_a.pk, "day": "2026-09-14", "theme": "防诈骗",
            "firms_visited": "3", "households_visited": "25", "leaflets": "120", "online_pushes": "2",
            "offline": "1"}
    with clock.frozen(START):
        first = client.post("/api/v1/grid/sync/publicity", data)
        again = client.post("/api/v1/grid/sync/publicity", data)
    assert (first.status_code, again.status_code) == (201, 200), first.content
    assert first.json() == again.json() and first.json()["kind"] == "publicity"
    row = Publicity.objects.get()
    assert (row.households_visited, row.leaflets, row.online_pushes, row.offline) == (25, 120, 2, True)
    assert AuditEntry.objects.filter(action="publicity").count() == 1


def test_a_patrol_with_its_route_sent_twice_is_one_record(gw, client):
    team = _team(gw)
    client.force_login(gw.user("worker_a"))
    data = {"uuid": str(uuid.uuid4()), "team": team.pk, "started_at": "2026-09-14T08:00:00+08:00",
            "ended_at": "2026-09-14T08:40:00+08:00", "route": json.dumps(ROUTE), "members_count": "3",
            "findings": "无异常", "offline": "1"}
    with clock.frozen(START):
        first = client.post("/api/v1/grid/sync/patrol", data)
        again = client.post("/api/v1/grid/sync/patrol", data)
    assert (first.status_code, again.status_code) == (201, 200), first.content
    assert first.json() == again.json()
    patrol = Patrol.objects.get()
    assert patrol.route == ROUTE and patrol.distance_m > 200 and patrol.offline and patrol.members_count == 3
    with clock.frozen(START + dt.timedelta(hours=1)):
        geo = client.get("/api/v1/grid/map", {"start": "2026-09-14", "end": "2026-09-14"}).json()
    lines = [f for f in geo["features"] if f["geometry"]["type"] == "LineString"]
    assert len(lines) == 1 and lines[0]["geometry"]["coordinates"][0] == [118.8010, 25.5010]


def test_the_uuid_is_the_senders_and_bad_input_is_400(gw, client):
    team = _team(gw)
    key = str(uuid.uuid4())
    good = {"uuid": key, "team": team.pk, "started_at": "2026-09-14T08:00:00+08:00",
            "ended_at": "2026-09-14T08:40:00+08:00", "route": json.dumps(ROUTE)}
    with clock.frozen(START):
        client.force_login(gw.user("worker_a"))
        assert client.post("/api/v1/grid/sync/patrol", good).status_code == 201
        cases = [
            good | {"uuid": str(uuid.uuid4()), "route": "[[1,2"},
            good | {"uuid": str(uuid.uuid4()), "route": json.dumps([[91, 0], [0, 0]])},
            good | {"uuid": str(uuid.uuid4()), "route": json.dumps([[25.5, 118.8]] * 2001)},
            good | {"uuid": str(uuid.uuid4()), "ended_at": "2026-09-14T07:00:00+08:00"},
            good | {"uuid": str(uuid.uuid4()), "started_at": "gestern"},
            good | {"uuid": str(uuid.uuid4()), "members_count": "9999"},
        ]
        for bad in cases:
            response = client.post("/api/v1/grid/sync/patrol", bad)
            assert response.status_code == 400 and set(response.json()) >= {"code", "message"}, bad
        publicity = {"uuid": str(uuid.uuid4()), "grid": gw.grid_a.pk, "day": "2026-13-01", "theme": "普法"}
        assert client.post("/api/v1/grid/sync/publicity", publicity).status_code == 400
        assert client.post("/api/v1/grid/sync/publicity", publicity | {"day": "2026-09-14",
                                                                       "leaflets": "-1"}).status_code == 400
        assert client.post("/api/v1/grid/sync/publicity", publicity | {"day": "2026-09-14", "grid": gw.grid_b.pk}
                           ).status_code == 403
        # Another worker sending the same UUID is refused, not answered with the first's record.
        client.force_login(gw.user("worker_a2"))
        assert client.post("/api/v1/grid/sync/patrol", good).status_code in (404, 409)
        # A team of another village is not found.
        other = _team(gw, region=gw.grid_b)
        client.force_login(gw.user("worker_a"))
        assert client.post("/api/v1/grid/sync/patrol", good | {"uuid": str(uuid.uuid4()),
                                                               "team": other.pk}).status_code == 404
    assert Patrol.objects.count() == 1 and not Publicity.objects.exists()


def test_the_bootstrap_lists_the_teams_the_worker_patrols_with(gw, api):
    mine = _team(gw)
    _team(gw, region=gw.grid_a2)
    body = api.get("/grid/app/bootstrap", user=gw.user("worker_a")).json()
    assert [t["id"] for t in body["teams"]] == [mine.pk]
