"""GET requests and requests/{id}: only what came in through Open311, the spec's filters and
window, open/closed from our states, who handles it, and no personal data; details of private
services only for the system that sent them."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from fengqiao.events import actions as events
from fengqiao.lib import clock
from fengqiao.open311 import queries
from fengqiao.open311.models import ServiceRequest
from tests.factories import register

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
NOW = timezone.make_aware(dt.datetime(2026, 11, 20, 10, 0))


def post(o311, app, world, *, service_code="hazard.fire", at=NOW, **fields) -> ServiceRequest:
    data = {"api_key": app.key, "service_code": service_code, "address_id": world.village_a.code,
            "description": "楼道堆满杂物,消防通道堵塞", "first_name": "明", "last_name": "柯",
            "phone": "13900000099", "email": "ke@example.cn", "address_string": "洋坂村3号楼"}
    if service_code == "hazard.fire":
        data["attribute[HAZARD_KIND]"] = "blocked_exit"
    data.update(fields)
    with clock.frozen(at):
        response = o311.post("requests.json", urlencode(data, doseq=True), content_type=FORM)
    assert response.status_code == 200, response.content
    return ServiceRequest.objects.select_related("event").latest("id")


def get(o311, path, **params):
    with clock.frozen(NOW + dt.timedelta(hours=1)):
        return o311.get(path, **params)


def ids(o311, response) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["service_request_id"] for r in o311.body(response)]


def test_list_shows_the_spec_fields_of_a_public_request(o311, world, citizen_app):
    row = post(o311, citizen_app, world, media_url="https://img.example.cn/a.jpg")
    body = o311.body(get(o311, "requests.json"))
    assert [r["service_request_id"] for r in body] == [row.event.code]
    (shown,) = body
    assert set(shown) == {"service_request_id", "status", "status_notes", "service_name", "service_code",
                          "description", "agency_responsible", "service_notice", "requested_datetime",
                          "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
                          "lat", "long", "media_url"}
    assert shown["status"] == "open" and shown["status_notes"] is None
    assert shown["service_code"] == "hazard.fire" and shown["service_name"] == "消防安全隐患"
    assert shown["description"] == "楼道堆满杂物,消防通道堵塞"
    assert shown["agency_responsible"] == "洋坂村委会"
    assert shown["requested_datetime"] == "2026-11-20T10:00:00+08:00"
    assert shown["expected_datetime"] == timezone.localtime(row.event.deadline).replace(microsecond=0).isoformat()
    assert shown["expected_datetime"].endswith("+08:00")
    assert shown["address"] == "洋坂村3号楼" and shown["address_id"] == world.village_a.code
    assert shown["media_url"] == "https://img.example.cn/a.jpg"


def test_no_name_phone_or_email_ever_leaves(o311, world, citizen_app):
    post(o311, citizen_app, world)
    for path in ("requests.json", "requests.xml"):
        response = get(o311, path, api_key=citizen_app.key)
        text = response.content.decode()
        for secret in ("柯明", "13900000099", "139****0099", "ke@example.cn"):
            assert secret not in text


def test_private_service_shows_details_only_to_the_system_that_sent_it(o311, world, citizen_app, other_app):
    row = post(o311, citizen_app, world, service_code="dispute.wages", description="老板欠我三个月工资")
    anonymous = o311.body(get(o311, f"requests/{row.event.code}.json"))[0]
    assert anonymous["status"] == "open" and anonymous["service_code"] == "dispute.wages"
    assert anonymous["agency_responsible"] == "洋坂村委会"
    for hidden in ("description", "address", "address_id", "lat", "long", "media_url", "status_notes"):
        assert anonymous[hidden] is None
    stranger = o311.body(get(o311, f"requests/{row.event.code}.json", api_key=other_app.key))[0]
    assert stranger["description"] is None
    sender = o311.body(get(o311, f"requests/{row.event.code}.json", api_key=citizen_app.key))[0]
    assert sender["description"] == "老板欠我三个月工资" and sender["address"] == "洋坂村3号楼"


def test_wrong_api_key_on_a_get_is_a_403(o311, world, citizen_app):
    response = get(o311, "requests.json", api_key="fqi_wrong")
    assert response.status_code == 403 and o311.errors(response)[0][0] == 403


def test_events_from_other_channels_are_not_listed_or_found(o311, world, citizen_app):
    with clock.frozen(NOW):
        walk_in = register(world)
    posted = post(o311, citizen_app, world)
    assert ids(o311, get(o311, "requests.json")) == [posted.event.code]  # and not walk_in's
    response = get(o311, f"requests/{walk_in.code}.json")
    assert response.status_code == 404


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_unknown_request_is_a_404_in_the_spec_shape(o311, fmt):
    response = get(o311, f"requests/350322-20261120-9999.{fmt}")
    assert response.status_code == 404
    ((code, description),) = o311.errors(response)
    assert code == 404 and "350322-20261120-9999" in description


def test_single_request_in_xml(o311, world, citizen_app):
    row = post(o311, citizen_app, world)
    root = o311.body(get(o311, f"requests/{row.event.code}.xml"))
    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    assert request.findtext("service_request_id") == row.event.code
    assert request.findtext("status") == "open"
    assert request.findtext("zipcode") == ""
    assert request.findtext("lat") == ""  # address_id routing: no point was sent


def test_status_follows_the_event_and_notes_carry_its_result(o311, world, citizen_app):
    done = post(o311, citizen_app, world)
    # Nothing to route by: registered under the county, where it can still be refused.
    refused = post(o311, citizen_app, world, address_id="", address_string="", lat="25.36", long="118.69")
    merged = post(o311, citizen_app, world)
    still_open = post(o311, citizen_app, world)
    secretary = world.secretary_a.user
    with clock.frozen(NOW + dt.timedelta(minutes=10)):
        events.event_acknowledge(event=done.event, actor=secretary)
        events.event_resolve(event=done.event, actor=secretary, result="已清理楼道,张贴告示")
        events.event_refuse(event=refused.event, actor=world.operator.user, reason="重复反映")
        events.event_merge(event=merged.event, actor=world.operator.user, into=still_open.event)
    body = {r["service_request_id"]: r for r in o311.body(get(o311, "requests.json"))}
    assert body[done.event.code]["status"] == "closed"
    assert body[done.event.code]["status_notes"] == "已清理楼道,张贴告示"
    assert body[refused.event.code]["status"] == "closed"
    assert "重复反映" in body[refused.event.code]["status_notes"]
    assert body[merged.event.code]["status"] == "closed"
    assert still_open.event.code in body[merged.event.code]["status_notes"]
    assert body[still_open.event.code]["status"] == "open"

    assert set(ids(o311, get(o311, "requests.json", status="open"))) == {still_open.event.code}
    assert set(ids(o311, get(o311, "requests.json", status="closed"))) == {
        done.event.code, refused.event.code, merged.event.code}
    assert len(ids(o311, get(o311, "requests.json", status="open,closed"))) == 4


def test_agency_responsible_follows_escalation(o311, world, citizen_app):
    row = post(o311, citizen_app, world)
    with clock.frozen(NOW + dt.timedelta(minutes=5)):
        events.event_acknowledge(event=row.event, actor=world.secretary_a.user)
        events.event_escalate(event=row.event, actor=world.secretary_a.user, reason="村里无法协调")
    shown = o311.body(get(o311, f"requests/{row.event.code}.json"))[0]
    assert shown["agency_responsible"] == "度尾镇"


def test_service_code_filter_takes_a_comma_list(o311, world, citizen_app):
    fire = post(o311, citizen_app, world)
    noise = post(o311, citizen_app, world, service_code="environment.noise",
                 **{"attribute[NOISE_SOURCE]": "shop"})
    wages = post(o311, citizen_app, world, service_code="dispute.wages")
    assert ids(o311, get(o311, "requests.json", service_code="hazard.fire")) == [fire.event.code]
    assert set(ids(o311, get(o311, "requests.json", service_code="hazard.fire,environment.noise"))) == {
        fire.event.code, noise.event.code}
    assert ids(o311, get(o311, "requests.json", service_code="environment.noise")) == [noise.event.code]
    assert wages.event.code not in {fire.event.code, noise.event.code}


def test_service_request_id_list_overrides_every_other_filter(o311, world, citizen_app):
    a = post(o311, citizen_app, world)
    b = post(o311, citizen_app, world, at=NOW - dt.timedelta(days=200))
    post(o311, citizen_app, world)
    found = ids(o311, get(o311, "requests.json", service_request_id=f"{a.event.code}, {b.event.code},nope",
                          status="closed", service_code="environment.noise"))
    assert set(found) == {a.event.code, b.event.code}


def test_default_window_is_the_last_90_days_newest_first(o311, world, citizen_app):
    old = post(o311, citizen_app, world, at=NOW - dt.timedelta(days=91))
    recent = post(o311, citizen_app, world, at=NOW - dt.timedelta(days=89))
    newest = post(o311, citizen_app, world, at=NOW - dt.timedelta(days=1))
    found = ids(o311, get(o311, "requests.json"))
    assert found == [newest.event.code, recent.event.code]
    assert old.event.code not in found


def test_date_range_selects_on_requested_datetime(o311, world, citizen_app):
    early = post(o311, citizen_app, world, at=timezone.make_aware(dt.datetime(2026, 9, 1, 9, 0)))
    mid = post(o311, citizen_app, world, at=timezone.make_aware(dt.datetime(2026, 10, 1, 9, 0)))
    late = post(o311, citizen_app, world, at=timezone.make_aware(dt.datetime(2026, 11, 1, 9, 0)))
    found = ids(o311, get(o311, "requests.json", start_date="2026-09-15T00:00:00+08:00",
                          end_date="2026-10-15T00:00:00Z"))
    assert found == [mid.event.code]
    # Only a start: 90 days from it (capped at now).
    assert set(ids(o311, get(o311, "requests.json", start_date="2026-08-25T00:00:00Z"))) == {
        early.event.code, mid.event.code, late.event.code}
    # Only an end: the 90 days before it.
    assert ids(o311, get(o311, "requests.json", end_date="2026-09-02")) == [early.event.code]


def test_an_unencoded_plus_in_the_offset_is_understood(o311, world, citizen_app):
    row = post(o311, citizen_app, world)
    with clock.frozen(NOW + dt.timedelta(hours=1)):
        response = o311.client.get("/open311/v2/requests.json?start_date=2026-11-20T09:00:00+08:00")
    assert ids(o311, response) == [row.event.code]


@pytest.mark.parametrize("params, needle", [
    ({"start_date": "yesterday"}, "start_date"),
    ({"end_date": "2026-13-45T00:00:00Z"}, "end_date"),
    ({"start_date": "2026-11-01T00:00:00"}, "start_date"),  # no zone
    ({"start_date": "2026-11-10T00:00:00Z", "end_date": "2026-11-01T00:00:00Z"}, "end_date"),
    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-11-01T00:00:00Z"}, "90"),
    ({"status": "pending"}, "pending"),
    ({"service_code": "hazard.fire,potholes"}, "potholes"),
])
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_bad_filters_are_400s(o311, params, needle, fmt):
    response = get(o311, f"requests.{fmt}", **params)
    assert response.status_code == 400
    ((code, description),) = o311.errors(response)
    assert code == 400 and needle in description


def test_at_most_the_spec_volume_is_returned(o311, world, citizen_app, monkeypatch):
    for _ in range(3):
        post(o311, citizen_app, world)
    monkeypatch.setattr(queries, "MAX_RESULTS", 2)
    assert len(ids(o311, get(o311, "requests.json"))) == 2


def test_list_costs_the_same_queries_for_many_requests(o311, world, citizen_app, django_assert_max_num_queries):
    for _ in range(2):
        post(o311, citizen_app, world)
    with django_assert_max_num_queries(3) as captured:
        get(o311, "requests.xml")
    few = len(captured.captured_queries)
    for _ in range(6):
        post(o311, citizen_app, world)
    with django_assert_max_num_queries(few):
        response = get(o311, "requests.xml")
    assert len(o311.body(response).findall("request")) == 8


def test_text_that_xml_cannot_carry_is_escaped_or_dropped(o311, world, citizen_app):
    row = post(o311, citizen_app, world, description="<b>火</b> & \"烟\" \x01 ]]> 完")
    root = o311.body(get(o311, f"requests/{row.event.code}.xml"))
    assert root.findtext("request/description") == "<b>火</b> & \"烟\"  ]]> 完"
    body = o311.body(get(o311, f"requests/{row.event.code}.json"))
    assert body[0]["description"] == "<b>火</b> & \"烟\"  ]]> 完"
