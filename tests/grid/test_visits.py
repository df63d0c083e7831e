"""Visits from the phone: in the worker's own grid, the place checked against the outline, a
demand through the one door (source grid), and each record exactly once for one UUID."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fengqiao.audit.models import AuditEntry
from fengqiao.events.models import Event, Source
from fengqiao.grid import actions
from fengqiao.grid.models import Photo, Visit
from fengqiao.lib import clock
from fengqiao.lib.errors import Conflict, InvalidInput, NotPermitted
from tests.grid.world import FAR_OUTSIDE, INSIDE, START, png


def _visit(gw, *, who="worker_a", household=None, key=None, **kw):
    return actions.visit_log(actor=gw.user(who), submission=actions.VisitInput(
        client_uuid=key or uuid.uuid4(), household_id=(household or gw.households[0]).pk, **kw))


def test_a_visit_inside_the_grid_is_logged_with_its_photo_and_place(gw):
    with clock.frozen(START):
        photo = SimpleUploadedFile("door.png", png(), content_type="application/octet-stream")
        logged = _visit(gw, latitude=INSIDE[0], longitude=INSIDE[1], notes="独居老人身体尚好", photos=[photo])
    visit = logged.record
    assert logged.created and visit.in_grid is True and visit.distance_m == 0
    assert visit.grid_id == gw.grid_a.pk and visit.village_id == gw.base.village_a.pk
    assert visit.visited_on.isoformat() == "2026-09-14"
    stored = Photo.objects.get(visit=visit)
    assert stored.content_type == "image/png"  # what the bytes are, not what the sender said
    assert AuditEntry.objects.filter(stream=f"grid:{gw.grid_a.pk}", action="visit").count() == 1


def test_a_point_far_outside_the_outline_is_kept_and_flagged(gw):
    with clock.frozen(START):
        visit = _visit(gw, latitude=FAR_OUTSIDE[0], longitude=FAR_OUTSIDE[1]).record
    assert visit.in_grid is False and visit.distance_m > 10_000


def test_the_village_secretary_sees_the_household_but_does_not_log_visits(gw):
    with clock.frozen(START), pytest.raises(NotPermitted):
        _visit(gw, who="secretary_a")
    assert not Visit.objects.exists()


def test_another_grids_household_is_not_found_for_a_worker(gw):
    from django.http import Http404

    with clock.frozen(START), pytest.raises(Http404):
        _visit(gw, who="worker_a2")  # grid A2's worker, household of grid A


def test_a_household_outside_the_workers_scope_is_not_found(gw):
    from django.http import Http404

    with clock.frozen(START), pytest.raises(Http404):
        _visit(gw, household=gw.household_b)


def test_a_photo_that_is_not_an_image_is_refused(gw):
    with clock.frozen(START), pytest.raises(InvalidInput):
        _visit(gw, photos=[SimpleUploadedFile("x.png", b"<html><script>alert(1)</script>", "image/png")])


def test_a_demand_becomes_an_event_through_the_one_door_with_source_grid(gw):
    with clock.frozen(START):
        logged = _visit(gw, demand="村道路灯坏了三盏，晚上出行不便", latitude=INSIDE[0], longitude=INSIDE[1])
    event = logged.record.event
    assert event is not None and event.source == Source.GRID
    assert event.region_id == gw.grid_a.pk and "路灯" in event.title
    assert AuditEntry.objects.filter(event_id=event.pk, action="intake").count() == 1


def test_the_same_uuid_twice_makes_one_visit_and_one_event_and_answers_with_the_first(gw):
    key = uuid.uuid4()
    with clock.frozen(START):
        first = _visit(gw, key=key, demand="垃圾未清运")
        again = _visit(gw, key=key, demand="垃圾未清运")
    assert first.created and not again.created
    assert again.record.pk == first.record.pk
    assert Visit.objects.count() == 1 and Event.objects.filter(source=Source.GRID).count() == 1


def test_someone_elses_uuid_is_a_conflict(gw):
    key = uuid.uuid4()
    with clock.frozen(START):
        _visit(gw, key=key)
        actions.appoint(actor=gw.base.admin.user, person=gw.worker_a2, role="assistant", region=gw.grid_a)
        with pytest.raises(Conflict):
            _visit(gw, who="worker_a2", key=key)


def test_a_time_in_the_future_is_refused(gw):
    import datetime as dt

    with clock.frozen(START), pytest.raises(InvalidInput):
        _visit(gw, visited_at=(START + dt.timedelta(hours=2)).isoformat())
