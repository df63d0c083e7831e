"""Attachments are what their bytes are: an HTML page declared as image/png is refused, a real
picture is stored under the type its bytes show, whatever the sender declared."""

from __future__ import annotations

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fengqiao.events.models import Attachment, Event
from tests.factories import register
from tests.intake.conftest import feed, hotline  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"


def _upload(client, world, event, name, data, content_type):
    client.force_login(world.operator.user)
    return client.post(f"/api/v1/events/{event.pk}/attachments",
                       {"file": SimpleUploadedFile(name, data, content_type=content_type)})


def test_html_sent_as_a_png_is_refused_and_not_kept(client, world):
    event = register(world)
    r = _upload(client, world, event, "photo.png", HTML, "image/png")
    assert r.status_code == 400, r.content
    assert r.json()["field"] == "attachments"
    assert not Attachment.objects.exists()


def test_a_picture_is_stored_as_what_its_bytes_are(client, world):
    event = register(world)
    r = _upload(client, world, event, "现场.dat", PNG, "application/octet-stream")
    assert r.status_code == 201, r.content
    assert Attachment.objects.get().content_type == "image/png"


def test_plain_text_is_kept_as_plain_text(client, world):
    event = register(world)
    assert _upload(client, world, event, "说明.txt", "现场说明".encode(), "image/jpeg").status_code == 201
    assert Attachment.objects.get().content_type == "text/plain"


def test_a_feed_attachment_of_html_declared_as_jpeg_is_refused(world, hotline, feed):  # noqa: F811
    body = {"ticket_id": "T-1", "title": "路灯坏了", "region_code": "350322103208",
            "attachments": [{"name": "snap.jpg", "content_type": "image/jpeg",
                             "data": base64.b64encode(HTML).decode()}]}
    r = feed("hotline_12345", body, key=hotline.key)
    assert r.status_code == 400, r.content
    assert not Event.objects.exists() and not Attachment.objects.exists()
