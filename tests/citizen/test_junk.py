"""Junk and oversize from strangers: clear errors in Chinese, nothing written — no event, no
tracking code, no text, no file on disk."""

import pytest

from fengqiao.citizen.models import CitizenReport, RateCounter
from fengqiao.events.models import Attachment, Event
from fengqiao.notify.models import OutboxMessage
from tests.citizen.conftest import PNG, citizen_form, jpeg, png

pytestmark = pytest.mark.django_db


def _nothing_written(media_files):
    assert Event.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert CitizenReport.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert RateCounter.objects.filter(count__gt=0).count() == 0
    assert media_files() == []


@pytest.mark.parametrize("overrides, message", [
    ({"description": ""}, "请描述"),
    ({"description": "有问题"}, "至少"),
    ({"description": "啊啊啊啊啊啊啊啊啊啊啊啊啊啊"}, "没有说明"),
    ({"description": "x" * 2050}, "2000"),
    ({"phone": ""}, "手机号"),
    ({"phone": "12345"}, "不是手机号"),
    ({"phone": "0594-1234567"}, "不是手机号"),
    ({"address": "", "latitude": "", "longitude": ""}, "地址"),
    ({"latitude": "abc", "longitude": "118.7"}, "位置"),
    ({"latitude": "95", "longitude": "118.7"}, "位置"),
    ({"category": "no.such"}, ""),
    ({"category": "petition.first"}, ""),  # active, but petitions have their own channel
    ({"name": "名" * 60}, ""),
])
def test_junk_is_a_form_error_and_nothing_is_written(world, client, media_files, overrides, message):
    data = citizen_form(**overrides)
    data["photos"] = [png()]
    r = client.post("/report/", data)
    assert r.status_code == 400
    html = r.content.decode()
    assert 'role="alert"' in html
    if message:
        assert message in html
    _nothing_written(media_files)


def test_a_phone_with_country_code_and_spaces_is_accepted(world, client):
    r = client.post("/report/", citizen_form(phone="+86 138-1234 5678"))
    assert r.status_code == 302
    assert CitizenReport.objects.get().phone == "13812345678"


def test_a_map_pin_alone_is_enough(world, client):
    r = client.post("/report/", citizen_form(address="", latitude="25.4512", longitude="118.7061"))
    assert r.status_code == 302
    event = Event.objects.get()
    assert (event.latitude, event.longitude) == (25.4512, 118.7061)


def test_a_file_that_is_not_an_image_is_refused(world, client, media_files):
    fake = png("virus.png", data=b"MZ\x90\x00" + b"\x00" * 100)  # says image/png, is an .exe
    r = client.post("/report/", {**citizen_form(), "photos": [png(), fake]})
    assert r.status_code == 400
    assert "不是照片" in r.content.decode()
    _nothing_written(media_files)


def test_a_photo_over_the_size_limit_is_refused(world, client, settings, media_files):
    settings.FENGQIAO_MAX_ATTACHMENT_BYTES = 1024 * 1024
    big = jpeg("big.jpg", data=b"\xff\xd8\xff\xe0" + b"\x00" * (1024 * 1024 + 10))
    r = client.post("/report/", {**citizen_form(), "photos": [jpeg(), big]})
    assert r.status_code == 400
    html = r.content.decode()
    assert "big.jpg" in html and "1 MB" in html
    _nothing_written(media_files)


def test_too_many_photos_are_refused(world, client, settings, media_files):
    settings.FENGQIAO_CITIZEN_MAX_PHOTOS = 2
    r = client.post("/report/", {**citizen_form(), "photos": [png("1.png"), png("2.png"), png("3.png")]})
    assert r.status_code == 400
    assert "最多" in r.content.decode()
    _nothing_written(media_files)


def test_an_oversize_body_is_refused_before_it_is_read(world, client, settings, media_files):
    settings.FENGQIAO_MAX_ATTACHMENT_BYTES = 10 * 1024
    settings.FENGQIAO_CITIZEN_MAX_PHOTOS = 2
    huge = png("huge.png", data=PNG + b"\x00" * (2 * 1024 * 1024))
    r = client.post("/report/", {**citizen_form(), "photos": [huge]})
    assert r.status_code == 413
    assert "照片太大" in r.content.decode()
    _nothing_written(media_files)


def test_an_empty_photo_is_refused(world, client, media_files):
    r = client.post("/report/", {**citizen_form(), "photos": [png("empty.png", data=b"")]})
    assert r.status_code == 400
    _nothing_written(media_files)


def test_without_a_county_to_serve_the_page_says_so(world, client, settings, media_files):
    settings.FENGQIAO_PUBLIC_COUNTY = "999999"
    r = client.post("/report/", citizen_form())
    assert r.status_code == 400
    assert "尚未开通" in r.content.decode()
    _nothing_written(media_files)


def test_the_only_county_is_served_when_none_is_configured(world, client, settings):
    settings.FENGQIAO_PUBLIC_COUNTY = ""
    assert client.post("/report/", citizen_form()).status_code == 302
    assert Event.objects.get().county_id == world.county.id
