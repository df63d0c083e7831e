"""群众自主上报 through the public page: report → tracking code → progress → rating."""

import re

import pytest

from fengqiao.audit.models import AuditEntry
from fengqiao.citizen.models import CitizenRating, CitizenReport, RateCounter
from fengqiao.events import actions
from fengqiao.events.models import Event, Source, Status
from fengqiao.notify.models import OutboxMessage
from tests.citizen.conftest import citizen_form, png

pytestmark = pytest.mark.django_db


def _report(client, **overrides):
    files = overrides.pop("photos", None)
    data = citizen_form(**overrides)
    if files is not None:
        data["photos"] = files
    return client.post("/report/", data)


def _code_from(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    m = re.match(r"^/track/([0-9A-Z-]+)/\?new=1$", response["Location"])
    assert m, response["Location"]
    return m.group(1)


def _dispatch(world, event):
    """The door may have routed the address already; otherwise the operator dispatches."""
    event.refresh_from_db()
    if event.status == Status.REGISTERED:
        actions.event_dispatch(event=event, actor=world.operator.user, region=world.village_a)
    event.refresh_from_db()
    assert event.village_id == world.village_a.id


def _resolve(world, event, result="已拆除私拉电线,重新布线并加装漏电保护。"):
    _dispatch(world, event)
    actions.event_acknowledge(event=event, actor=world.secretary_a.user)
    return actions.event_resolve(event=event, actor=world.secretary_a.user, result=result)


def test_the_page_offers_citizen_categories_without_a_login(world, client):
    r = client.get("/report/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "反映问题" in html or "我要反映" in html
    assert 'value="hazard.fire"' in html
    assert 'value="petition.first"' not in html  # petitions have their own channel
    assert 'type="tel"' in html and 'accept="image/*"' in html


def test_a_report_gets_a_tracking_code_a_text_and_an_event(world, client, media_files):
    r = _report(client, photos=[png("a.png"), png("b.png")])
    code = _code_from(r)
    raw = code.replace("-", "")
    assert len(raw) == 20

    event = Event.objects.get()
    assert event.source == Source.CITIZEN
    assert event.county_id == world.county.id  # filed in the county the page serves
    assert event.category.code == "hazard.fire"
    assert event.attachments.count() == 2 and len(media_files()) == 2
    assert all(a.content_type == "image/png" for a in event.attachments.all())
    reporter = event.parties.get(is_reporter=True)
    assert reporter.name == "林女士" and reporter.phone == "13812345678"

    report = CitizenReport.objects.get()
    assert report.event == event and report.tracking_code == raw
    assert raw not in report.tracking_digest and event.code != raw
    assert AuditEntry.objects.filter(event=event, action="intake").exists()  # through the door

    text = OutboxMessage.objects.get(template="citizen_receipt")
    assert text.recipient == "13812345678"
    assert code in text.body and f"https://fq.example.gov.cn/track/{code}/" in text.body

    page = client.get(r["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert code in html and "已收到" in html
    assert 'data-testid="citizen-status"' in html


def test_codes_are_not_sequential_or_reused(world, client):
    codes = {_code_from(_report(client, phone=f"1381234567{i}")) for i in range(3)}
    assert len(codes) == 3


def test_the_tracking_page_follows_the_loop_without_staff_names_or_phones(world, client):
    code = _code_from(_report(client))
    event = Event.objects.get()
    _dispatch(world, event)
    html = client.get(f"/track/{code}/").content.decode()
    assert "已分派" in html
    for person in (world.secretary_a, world.liaison_a, world.police_a, world.operator):
        assert person.name not in html
        assert person.phone not in html
    assert "13812345678" not in html  # not even the reporter's own number

    _resolve(world, event, result="已联系供电所处理,电话13900000005,已重新布线。")
    html = client.get(f"/track/{code}/").content.decode()
    assert "已办结" in html and "已重新布线" in html
    assert "13900000005" not in html and "139****0005" in html
    assert 'data-testid="rating-form"' in html


def test_a_lowercase_code_without_dashes_finds_the_report(world, client):
    code = _code_from(_report(client))
    assert client.get(f"/track/{code.replace('-', '').lower()}/").status_code == 200
    r = client.get("/track/", {"code": code.lower()})
    assert r.status_code == 302 and r["Location"] == f"/track/{code}/"


def test_unknown_and_malformed_codes_are_404(world, client):
    _report(client)
    assert client.get("/track/0000-0000-0000-0000-0000/").status_code == 404
    r = client.get("/track/not-a-code/")
    assert r.status_code == 404 and "查询码" in r.content.decode()
    assert client.post("/track/0000-0000-0000-0000-0000/rate", {"satisfaction": "satisfied"}).status_code == 404
    assert client.get("/track/", {"code": "abc"}).status_code == 400


def test_rating_after_resolution_is_the_call_back_and_once_only(world, client):
    code = _code_from(_report(client))
    event = Event.objects.get()
    _resolve(world, event)
    r = client.post(f"/track/{code}/rate", {"satisfaction": "satisfied", "comment": "处理很及时"})
    assert r.status_code == 302
    event.refresh_from_db()
    assert event.satisfaction == "satisfied" and event.status == Status.RESOLVED
    entry = AuditEntry.objects.get(event=event, action="call_back")
    assert entry.actor is None and "处理很及时" in entry.note
    assert CitizenRating.objects.get().satisfaction == "satisfied"
    html = client.get(f"/track/{code}/").content.decode()
    assert 'data-testid="rating-form"' not in html and "满意" in html

    again = client.post(f"/track/{code}/rate", {"satisfaction": "dissatisfied"})
    assert again.status_code == 409
    event.refresh_from_db()
    assert event.satisfaction == "satisfied" and event.status == Status.RESOLVED
    assert CitizenRating.objects.count() == 1
    # The operator can now close it.
    actions.event_close(event=event, actor=world.operator.user)
    assert "已归档" in client.get(f"/track/{code}/").content.decode()


def test_dissatisfied_reopens_and_the_next_resolution_can_be_rated(world, client):
    code = _code_from(_report(client))
    event = Event.objects.get()
    _resolve(world, event)
    r = client.post(f"/track/{code}/rate", {"satisfaction": "dissatisfied", "comment": "电线还在"})
    assert r.status_code == 302
    event.refresh_from_db()
    assert event.status == Status.IN_PROGRESS and event.reopen_count == 1
    assert OutboxMessage.objects.filter(template="reopened").exists()
    assert "处置中" in client.get(f"/track/{code}/").content.decode()

    actions.event_resolve(event=event, actor=world.secretary_a.user, result="电线已全部拆除。")
    r = client.post(f"/track/{code}/rate", {"satisfaction": "basically_satisfied"})
    assert r.status_code == 302
    event.refresh_from_db()
    assert event.satisfaction == "basically_satisfied"
    assert CitizenRating.objects.count() == 2


def test_rating_before_resolution_is_refused(world, client):
    code = _code_from(_report(client))
    event = Event.objects.get()
    _dispatch(world, event)
    r = client.post(f"/track/{code}/rate", {"satisfaction": "satisfied"})
    assert r.status_code == 409
    assert "办结后" in r.content.decode()
    event.refresh_from_db()
    assert event.satisfaction == "" and not AuditEntry.objects.filter(event=event, action="call_back").exists()
    assert CitizenRating.objects.count() == 0


def test_a_bad_rating_is_a_form_error(world, client):
    code = _code_from(_report(client))
    _resolve(world, Event.objects.get())
    r = client.post(f"/track/{code}/rate", {"satisfaction": "great"})
    assert r.status_code == 400
    assert Event.objects.get().satisfaction == ""


def test_the_outcome_is_texted_to_the_citizen(world, client):
    code = _code_from(_report(client))
    _resolve(world, Event.objects.get())
    text = OutboxMessage.objects.get(template="citizen_resolved")
    assert text.recipient == "13812345678" and f"/track/{code}/" in text.body


# ------------------------------------------------------------------------------ rate limits


def test_too_many_reports_for_one_phone_is_429_and_nothing_written(world, client, settings, media_files):
    settings.FENGQIAO_CITIZEN_REPORTS_PER_HOUR_PER_PHONE = 2
    for _ in range(2):
        _code_from(_report(client, photos=[png()]))
    before = len(media_files())
    r = _report(client, photos=[png()])
    assert r.status_code == 429
    assert "小时" in r.content.decode()
    assert Event.objects.count() == 2 and CitizenReport.objects.count() == 2
    assert len(media_files()) == before
    assert OutboxMessage.objects.filter(template="citizen_receipt").count() == 2
    # Another phone from the same address still gets through.
    _code_from(_report(client, phone="13700000000"))


def test_too_many_reports_from_one_address_is_429(world, client, settings):
    settings.FENGQIAO_CITIZEN_REPORTS_PER_HOUR_PER_IP = 2
    for i in range(2):
        _code_from(client.post("/report/", citizen_form(phone=f"1360000000{i}"), REMOTE_ADDR="10.1.1.1"))
    r = client.post("/report/", citizen_form(phone="13600000009"), REMOTE_ADDR="10.1.1.1")
    assert r.status_code == 429
    assert Event.objects.count() == 2
    _code_from(client.post("/report/", citizen_form(phone="13600000009"), REMOTE_ADDR="10.1.1.2"))
    # Counters hold digests, never the address or the phone.
    assert RateCounter.objects.filter(key__startswith="ip:").exists()
    assert RateCounter.objects.filter(key__startswith="phone:").exists()
    assert not RateCounter.objects.filter(key__contains="10.1.1").exists()
    assert not RateCounter.objects.filter(key__contains="1360000000").exists()


def test_the_window_passes(world, client, settings):
    import datetime as dt

    from fengqiao.lib import clock

    settings.FENGQIAO_CITIZEN_REPORTS_PER_HOUR_PER_PHONE = 1
    start = dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC)
    with clock.frozen(start):
        _code_from(_report(client))
        assert _report(client).status_code == 429
    with clock.frozen(start + dt.timedelta(hours=1)):
        _code_from(_report(client))


def test_a_refused_report_shows_why_and_texts_the_citizen(world, client):
    code = _code_from(_report(client, address="某个地方", description="我家门口的路灯坏了很久,一直没人修理。"))
    event = Event.objects.get()
    if event.status != Status.REGISTERED:
        pytest.skip("the door routed the address; refusal needs a registered event")
    actions.event_refuse(event=event, actor=world.operator.user, reason="不属于本县管辖,请联系市政热线。")
    html = client.get(f"/track/{code}/").content.decode()
    assert "不予受理" in html and "不属于本县管辖" in html
    assert 'data-testid="rating-form"' not in html
    assert OutboxMessage.objects.get(template="citizen_refused").recipient == "13812345678"


def test_a_merged_report_follows_the_event_that_is_kept(world, client):
    first = _code_from(_report(client))
    second = _code_from(_report(client, phone="13700001111", description="老街电线乱拉,晚上冒火花,很危险。"))
    kept, dup = Event.objects.order_by("id")
    _dispatch(world, kept)
    dup.refresh_from_db()
    actions.event_merge(event=dup, actor=world.operator.user, into=kept)
    html = client.get(f"/track/{second}/").content.decode()
    assert "合并" in html and "已分派" in html
    _resolve(world, kept)
    # Both reporters are told, each with their own code.
    texts = {t.recipient: t.body for t in OutboxMessage.objects.filter(template="citizen_resolved")}
    assert set(texts) == {"13812345678", "13700001111"} and second in texts["13700001111"]
    assert 'data-testid="rating-form"' in client.get(f"/track/{second}/").content.decode()
    assert client.post(f"/track/{second}/rate", {"satisfaction": "satisfied"}).status_code == 302
    kept.refresh_from_db()
    assert kept.satisfaction == "satisfied"
    # The other reporter finds it rated already.
    assert client.post(f"/track/{first}/rate", {"satisfaction": "dissatisfied"}).status_code == 409


def test_behind_a_trusted_proxy_the_forwarded_address_is_limited(world, client, settings):
    settings.FENGQIAO_TRUSTED_PROXIES = 1
    settings.FENGQIAO_CITIZEN_REPORTS_PER_HOUR_PER_IP = 1
    proxy = {"REMOTE_ADDR": "192.168.0.1"}
    _code_from(client.post("/report/", citizen_form(phone="13600000001"),
                           HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.9", **proxy))
    # Another citizen behind the same proxy is not held back by the first one's count …
    _code_from(client.post("/report/", citizen_form(phone="13600000002"),
                           HTTP_X_FORWARDED_FOR="10.0.0.8", **proxy))
    # … while a forged left-hand entry does not get a sender a fresh count.
    r = client.post("/report/", citizen_form(phone="13600000003"),
                    HTTP_X_FORWARDED_FOR="6.6.6.6, 10.0.0.9", **proxy)
    assert r.status_code == 429
