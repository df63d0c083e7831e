"""Scope on the pages: outside it every page, export and attachment is 404."""

import pytest

from fengqiao.events.actions import event_attach
from tests.factories import register


@pytest.fixture
def event_b(world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    event = register(world, region=world.village_b, title="剑山村的事")
    event_attach(event=event, actor=world.secretary_b.user,
                 upload=SimpleUploadedFile("a.txt", b"x", content_type="text/plain"))
    return event


def test_village_a_secretary_gets_404_for_village_b_event_page(world, as_user, event_b):
    assert as_user(world.secretary_a).get(f"/events/{event_b.id}/").status_code == 404


def test_village_a_secretary_gets_404_for_village_b_export(world, as_user, event_b):
    assert as_user(world.secretary_a).get(f"/events/{event_b.id}/export.xlsx").status_code == 404


def test_village_a_secretary_gets_404_for_village_b_attachment(world, as_user, event_b):
    att = event_b.attachments.get()
    assert as_user(world.secretary_a).get(f"/events/{event_b.id}/attachments/{att.id}").status_code == 404


def test_an_attachment_of_another_event_is_404_even_within_scope(world, as_user, event_b):
    mine = register(world, title="洋坂村的事")
    att = event_b.attachments.get()
    assert as_user(world.town_cadre).get(f"/events/{mine.id}/attachments/{att.id}").status_code == 404
    assert as_user(world.town_cadre).get(f"/events/{event_b.id}/attachments/{att.id}").status_code == 200


def test_village_a_secretary_cannot_act_on_village_b_event(world, as_user, event_b):
    r = as_user(world.secretary_a).post(f"/events/{event_b.id}/act/comment", {"comment-text": "hi"})
    assert r.status_code == 404
    assert not event_b.audit_entries.filter(action="comment").exists()


def test_the_event_list_shows_only_visible_events(world, as_user, event_b):
    register(world, title="洋坂村的事")
    html = as_user(world.secretary_a).get("/events/").content.decode()
    assert "洋坂村的事" in html and "剑山村的事" not in html
