"""一键催办 and 一键拨号 confirm first, with an optional note that goes into the text and into the
record — on the event's page and in the command centre's overdue list."""

from __future__ import annotations

import re

import pytest

from fengqiao.audit.models import AuditEntry
from fengqiao.notify.models import OutboxMessage
from tests.command.test_pages import overdue_event
from tests.events.helpers import event_in

pytestmark = pytest.mark.django_db

NOTE = "请今天下班前反馈进展"


def _forms_outside_details(html: str, action_url: str) -> int:
    """Forms posting to `action_url` that are not inside a <details> (a click would send at once)."""
    outside = re.sub(r"<details.*?</details>", "", html, flags=re.S)
    return outside.count(f'action="{action_url}"') + outside.count(f'hx-post="{action_url}"')


def test_the_event_page_confirms_a_call_and_records_its_note(world, client):
    event = event_in(world, "in_progress", world.admin.user)
    client.force_login(world.town_cadre.user)  # may not see the secretary's number: a call-back request
    url = f"/events/{event.pk}/act/call"
    html = client.get(f"/events/{event.pk}/").content.decode()
    assert html.count(f'action="{url}"') >= 2 and _forms_outside_details(html, url) == 0
    assert "确认拨打" in html and 'name="call-note"' in html
    r = client.post(url, {"call-person_id": world.secretary_a.pk, "call-note": NOTE})
    assert r.status_code == 302
    entry = AuditEntry.objects.get(event=event, action="call")
    assert entry.note == NOTE
    text = OutboxMessage.objects.filter(event=event, template="call_request").get()
    assert NOTE in text.body and "13900000003" in text.body  # the cadre's own number to ring


def test_the_event_page_urges_after_confirming_with_the_note_in_the_texts(world, client):
    event = event_in(world, "in_progress", world.admin.user)
    client.force_login(world.town_cadre.user)
    url = f"/events/{event.pk}/act/urge"
    html = client.get(f"/events/{event.pk}/").content.decode()
    assert _forms_outside_details(html, url) == 0 and 'name="urge-note"' in html
    client.post(url, {"urge-note": NOTE})
    assert AuditEntry.objects.get(event=event, action="urge").note == NOTE
    texts = OutboxMessage.objects.filter(event=event, template="urged")
    assert texts.exists() and all(NOTE in t.body for t in texts)


def test_the_overdue_list_confirms_urges_and_calls_with_a_note(world, client):
    late = overdue_event(world)
    client.force_login(world.operator.user)
    html = client.get("/command/rankings/").content.decode()
    for url in (f"/command/overdue/{late.pk}/urge", f"/command/overdue/{late.pk}/call"):
        assert f'hx-post="{url}"' in html and _forms_outside_details(html, url) == 0
    assert 'data-testid="urge-note"' in html and 'data-testid="urge-confirm"' in html
    r = client.post(f"/command/overdue/{late.pk}/urge", {"note": NOTE}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'data-testid="action-ok"' in r.content.decode()
    assert AuditEntry.objects.get(event=late, action="urge").note == NOTE
    assert all(NOTE in t.body for t in OutboxMessage.objects.filter(event=late, template="urged"))
    r = client.post(f"/command/overdue/{late.pk}/call", {"person_id": world.secretary_a.pk, "note": NOTE})
    assert r.status_code == 200
    assert AuditEntry.objects.get(event=late, action="call").note == NOTE


def test_an_urge_without_a_note_adds_no_words_of_its_own(world, client):
    late = overdue_event(world)
    client.force_login(world.operator.user)
    client.post(f"/command/overdue/{late.pk}/urge", {"note": ""}, HTTP_HX_REQUEST="true")
    assert AuditEntry.objects.get(event=late, action="urge").note == ""
    body = OutboxMessage.objects.filter(event=late, template="urged").first().body
    assert body.endswith("请抓紧处置。")
