"""POST /api/v1/intake/{source}: a sending system's key, its own source, its ticket ids."""

from __future__ import annotations

import pytest

from fengqiao.events.models import Event, Party
from fengqiao.intake.actions import intake_system_rotate_key
from fengqiao.intake.models import ExternalTicket, IntakeSystem

pytestmark = pytest.mark.django_db

TICKET = {
    "ticket_id": "XY12345-20261126-0001",
    "title": "柯某反映工资被拖欠",
    "content": "柯某反映在洋坂村务工,工资三个月未发。",
    "category_code": "dispute.wages",
    "region_code": "350322103208",
    "reporter_name": "柯某",
    "reporter_phone": "+86 139 0000 0099",
    "occurred_at": "2026-11-25T08:30:00",
}


def test_first_delivery_creates_a_dispatched_event(world, hotline, feed):
    response = feed("hotline_12345", TICKET, key=hotline.key)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] is True and body["outcome"] == "created"
    assert body["routed"] is True and body["triage"] is False and body["triage_reasons"] == []
    assert body["status"] == "dispatched" and body["region_code"] == "350322103208"
    event = Event.objects.get(code=body["event_code"])
    assert event.source == "hotline_12345" and event.category.code == "dispute.wages"
    assert event.description.startswith("柯某反映")
    reporter = Party.objects.get(event=event)
    assert reporter.is_reporter and reporter.phone == "13900000099"
    ticket = ExternalTicket.objects.get(event=event)
    assert ticket.system == hotline and ticket.external_id == TICKET["ticket_id"]
    assert ticket.occurred_at.isoformat() == "2026-11-25T00:30:00+00:00"  # 08:30 Beijing time


def test_redelivery_answers_200_with_the_same_event(world, hotline, feed):
    first = feed("hotline_12345", TICKET, key=hotline.key).json()
    again = feed("hotline_12345", {**TICKET, "title": "重复推送"}, key=hotline.key)
    assert again.status_code == 200
    assert again.json()["event_code"] == first["event_code"]
    assert again.json()["outcome"] == "duplicate" and again.json()["created"] is False
    assert Event.objects.count() == 1


def test_the_same_ticket_id_from_two_systems_makes_two_events(world, hotline, desk110, feed):
    feed("hotline_12345", TICKET, key=hotline.key)
    response = feed("police_110", TICKET, key=desk110.key)
    assert response.status_code == 201
    assert Event.objects.count() == 2
    assert Event.objects.get(code=response.json()["event_code"]).dispute_source == "police"


def test_numeric_ticket_ids_are_the_same_ticket_as_their_text(world, hotline, feed):
    assert feed("hotline_12345", {**TICKET, "ticket_id": 20261126001}, key=hotline.key).status_code == 201
    assert feed("hotline_12345", {**TICKET, "ticket_id": "20261126001"}, key=hotline.key).status_code == 200


def test_bearer_header_works_too(world, hotline, feed):
    assert feed("hotline_12345", TICKET, bearer=hotline.key).status_code == 201


def test_content_alone_gives_the_title(world, hotline, feed):
    body = {"ticket_id": "A-2", "content": "洋坂村村口路灯坏了一个多星期,晚上出行很不方便,请尽快维修。" * 2,
            "region_code": "350322103208", "category_code": "other"}
    response = feed("hotline_12345", body, key=hotline.key)
    assert response.status_code == 201
    title = Event.objects.get().title
    assert title.startswith("洋坂村村口路灯坏了") and len(title) == 40 and title.endswith("…")


def test_unrouted_ticket_waits_in_triage_under_the_county(world, hotline, feed):
    body = {"ticket_id": "A-3", "title": "某处有人占道经营", "category_code": "other"}
    response = feed("hotline_12345", body, key=hotline.key)
    assert response.status_code == 201
    out = response.json()
    assert out["routed"] is False and out["triage"] is True and "unrouted" in out["triage_reasons"]
    assert out["status"] == "registered" and out["region_code"] == "350322"
    # A redelivery reports the same triage outcome.
    assert feed("hotline_12345", body, key=hotline.key).json()["triage_reasons"] == out["triage_reasons"]


# ------------------------------------------------------------------------------- bad input


def _no_events_written():
    return Event.objects.count() == 0 and ExternalTicket.objects.count() == 0


@pytest.mark.parametrize("key", [None, "", "fqi_wrong", "not-even-a-key"])
def test_missing_or_wrong_key_is_401(world, hotline, feed, key):
    response = feed("hotline_12345", TICKET, key=key)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert _no_events_written()


def test_rotated_key_stops_working(world, hotline, feed):
    new_key = intake_system_rotate_key(system=hotline, actor=None)
    assert feed("hotline_12345", TICKET, key=hotline.key).status_code == 401
    assert feed("hotline_12345", TICKET, key=new_key).status_code == 201


def test_inactive_system_is_401(world, hotline, feed):
    IntakeSystem.objects.filter(pk=hotline.pk).update(active=False)
    assert feed("hotline_12345", TICKET, key=hotline.key).status_code == 401


def test_key_of_another_source_is_403(world, hotline, feed):
    response = feed("police_110", TICKET, key=hotline.key)
    assert response.status_code == 403
    assert response.json()["code"] == "wrong_source"
    assert _no_events_written()


def test_unknown_source_is_404(world, hotline, feed):
    response = feed("weibo", TICKET, key=hotline.key)
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize("raw", [b"{not json", b"", "[1, 2]", b"\xff\xfe{}", b'"text"'])
def test_malformed_json_is_400(world, hotline, feed, raw):
    response = feed("hotline_12345", raw, key=hotline.key)
    assert response.status_code == 400
    assert set(response.json()) >= {"code", "message"} and response.json()["code"] == "invalid_json"
    assert _no_events_written()


@pytest.mark.parametrize("ticket_id", [None, "", "   "])
def test_missing_ticket_id_is_400(world, hotline, feed, ticket_id):
    body = {k: v for k, v in TICKET.items() if k != "ticket_id"}
    if ticket_id is not None:
        body["ticket_id"] = ticket_id
    response = feed("hotline_12345", body, key=hotline.key)
    assert response.status_code == 400
    assert response.json()["code"] == "missing_ticket_id"
    assert _no_events_written()


def test_oversize_body_is_413(world, hotline, feed, settings):
    settings.FENGQIAO_INTAKE_MAX_BODY_BYTES = 2000
    response = feed("hotline_12345", {**TICKET, "content": "很长" * 2000}, key=hotline.key)
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert _no_events_written()


@pytest.mark.parametrize("change, field", [
    ({"title": "", "content": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"latitude": 95.0, "longitude": 118.0}, "latitude"),
    ({"latitude": 25.4}, "latitude"),
    ({"category_code": "no.such"}, "category_code"),
    ({"region_code": "999999"}, "region_code"),
    ({"region_code": "350500"}, "region_code"),
    ({"reporter_phone": "打电话给我"}, "parties[0].phone"),
    ({"occurred_at": "yesterday"}, "occurred_at"),
    ({"ticket_id": "x" * 101}, "ticket_id"),
    ({"ticket_id": 12345, "high_risk": "maybe"}, "high_risk"),
])
def test_bad_fields_are_400_and_write_nothing(world, hotline, feed, change, field):
    from fengqiao.regions.actions import region_create

    region_create(parent=None, code="350500", level="city", name="泉州市")  # outside 仙游县
    response = feed("hotline_12345", {**TICKET, **change}, key=hotline.key)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] in {"invalid"}
    assert field in (body.get("field") or body["message"]), body
    assert _no_events_written()


# --------------------------------------------------------------------------- ticket status


def test_a_sender_can_poll_where_its_ticket_stands(world, hotline, feed, client):
    from fengqiao.events import actions

    code = feed("hotline_12345", TICKET, key=hotline.key).json()["event_code"]
    url = f"/api/v1/intake/hotline_12345/tickets/{TICKET['ticket_id']}"
    r = client.get(url, HTTP_X_API_KEY=hotline.key)
    assert r.status_code == 200
    assert r.json()["event_code"] == code and r.json()["status"] == "dispatched"
    assert r.json()["region_code"] == "350322103208" and r.json()["deadline"]
    event = Event.objects.get(code=code)
    actions.event_acknowledge(event=event, actor=world.secretary_a.user)
    actions.event_resolve(event=event, actor=world.secretary_a.user, result="工资已结清")
    after = client.get(url, HTTP_X_API_KEY=hotline.key).json()
    assert after["status"] == "resolved" and after["result"] == "工资已结清" and after["resolved_at"]


def test_polling_someone_elses_or_an_unknown_ticket_is_404(world, hotline, desk110, feed, client):
    feed("hotline_12345", TICKET, key=hotline.key)
    url = f"/api/v1/intake/police_110/tickets/{TICKET['ticket_id']}"
    assert client.get(url, HTTP_X_API_KEY=desk110.key).status_code == 404  # 110 never sent it
    assert client.get("/api/v1/intake/hotline_12345/tickets/nope", HTTP_X_API_KEY=hotline.key).status_code == 404
    assert client.get(f"/api/v1/intake/hotline_12345/tickets/{TICKET['ticket_id']}",
                      HTTP_X_API_KEY=desk110.key).status_code == 403
    assert client.get(f"/api/v1/intake/hotline_12345/tickets/{TICKET['ticket_id']}").status_code == 401


# ------------------------------------------------------------- online opinion and video alerts


@pytest.fixture
def opinion(world):
    from fengqiao.intake.actions import intake_system_create

    system, key = intake_system_create(name="仙游县网络舆情监测", source="online_opinion", within=world.county,
                                       actor=None)
    system.key = key
    return system


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


JPEG = b"\xff\xd8\xff\xe0" + b"snapshot" * 100 + b"\xff\xd9"


def test_an_online_post_keeps_its_platform_and_link(world, opinion, feed):
    body = {"ticket_id": "DY-778899", "title": "抖音视频反映洋坂村路面塌陷", "content": "网友发布视频称村道塌陷",
            "address": "度尾镇洋坂村", "platform": "抖音", "link": "https://www.douyin.com/video/778899",
            "category_code": "other"}
    response = feed("online_opinion", body, key=opinion.key)
    assert response.status_code == 201, response.content
    event = Event.objects.get(code=response.json()["event_code"])
    assert event.source == "online_opinion" and event.region == world.village_a
    assert event.description.splitlines() == ["网友发布视频称村道塌陷", "来源平台:抖音",
                                              "来源链接:https://www.douyin.com/video/778899"]


def test_a_video_alert_brings_its_snapshot(world, feed, media):
    import base64

    from fengqiao.intake.actions import intake_system_create

    system, key = intake_system_create(name="雪亮工程视频分析", source="video", within=world.county, actor=None)
    body = {"ticket_id": "CAM-17-0001", "title": "河道垃圾堆积", "region_code": "350322103208",
            "category_code": "other",
            "attachments": [{"name": "../../etc/snap.jpg", "content_type": "image/jpeg",
                             "data": base64.b64encode(JPEG).decode()}]}
    response = feed("video", body, key=key)
    assert response.status_code == 201, response.content
    [attachment] = Event.objects.get(code=response.json()["event_code"]).attachments.all()
    assert attachment.name == "snap.jpg" and attachment.size == len(JPEG)
    assert attachment.content_type == "image/jpeg"
    stored = media / attachment.file.name
    assert stored.read_bytes() == JPEG and media in stored.resolve().parents


@pytest.mark.parametrize("change, field", [
    ({"link": "javascript:alert(1)"}, "link"),
    ({"attachments": [{"name": "a.jpg", "content_type": "image/jpeg", "data": "not base64!"}]},
     "attachments[0].data"),
    ({"attachments": [{"name": "a.exe", "content_type": "application/x-msdownload", "data": "TVqQAA=="}]},
     "attachments"),
    ({"attachments": [{"name": "a.jpg", "content_type": "image/jpeg", "data": "AA=="}] * 6}, "attachments"),
])
def test_bad_links_and_attachments_are_400(world, opinion, feed, media, change, field):
    body = {"ticket_id": "DY-1", "title": "舆情", "category_code": "other", **change}
    response = feed("online_opinion", body, key=opinion.key)
    assert response.status_code == 400, response.content
    assert field in (response.json().get("field") or response.json()["message"])
    assert _no_events_written()
    assert not media.exists() or not any(media.rglob("*.*"))


def test_the_operator_sees_the_fed_event_and_who_sent_it_in_its_record(world, hotline, feed, client):
    code = feed("hotline_12345", TICKET, key=hotline.key).json()["event_code"]
    event = Event.objects.get(code=code)
    client.force_login(world.operator.user)
    html = client.get(f"/events/{event.id}/").content.decode()
    assert code in html and "仙游县12345平台" in html  # the intake row names the sending system
    r = client.get(f"/api/v1/events/{event.id}/timeline")
    assert r.status_code == 200
    assert [e["action"] for e in r.json()][:3] == ["register", "dispatch", "intake"]
