"""一键拨号 hands out a full number only to those who may see it (the same rule as every unmasked
phone, `may_see_personal_data`), and logs each such read; everyone else gets a call-back request
through the outbox, and the number appears nowhere in what they get back."""

import json

import pytest

from fengqiao.events import actions
from fengqiao.events.models import PersonalDataRead
from fengqiao.notify.models import OutboxMessage
from tests.factories import make_person, register

CITIZEN = "15532285639"


@pytest.fixture
def event(world):
    return register(world, region=world.grid_a, parties=[
        actions.PartyInput(name="柯某", phone=CITIZEN, id_number="", is_reporter=True)])


@pytest.fixture
def grid_worker(world):
    """A grid worker of the same grid: sees the event, is not bound to it, sees 155****5639."""
    return make_person("郑网格员", "grid_worker", world.grid_a, login="gridworker_a", phone="13700000001")


def _everything(response) -> str:
    return json.dumps(response.json(), ensure_ascii=False)


def test_a_grid_worker_who_sees_a_masked_phone_gets_no_number_from_call(api, world, event, grid_worker):
    party = event.parties.get()
    seen = api.get(f"/events/{event.pk}", user=grid_worker.user).json()
    assert CITIZEN not in json.dumps(seen)  # the party's phone is masked for them

    r = api.post(f"/events/{event.pk}/actions", {"action": "call", "party_id": party.pk}, user=grid_worker.user)
    assert r.status_code == 200
    body = _everything(r)
    assert CITIZEN not in body and "tel:" not in body.replace('"tel": null', "")
    assert r.json()["tel"] is None and r.json()["call_request"]
    assert not PersonalDataRead.objects.filter(user=grid_worker.user).exists()
    # The platform texts the citizen to call the grid worker back, at the worker's own number.
    text = OutboxMessage.objects.get(template="call_request")
    assert text.recipient == CITIZEN and "13700000001" in text.body and event.code in text.body
    entry = event.audit_entries.filter(action="call").get()
    assert CITIZEN not in json.dumps(entry.details, ensure_ascii=False)
    assert entry.details["mode"] == "call_request"


def test_a_colleagues_full_number_follows_the_same_rule(api, world, event, grid_worker):
    r = api.post(f"/events/{event.pk}/actions", {"action": "call", "person_id": world.grid_head_a.pk},
                 user=grid_worker.user)
    assert r.status_code == 200 and "13900000008" not in _everything(r)
    assert OutboxMessage.objects.filter(template="call_request", person=world.grid_head_a).exists()


def test_someone_with_no_phone_of_their_own_is_refused_clearly(api, world, event):
    worker = make_person("无号码", "grid_worker", world.grid_a, login="nophone", phone="")
    r = api.post(f"/events/{event.pk}/actions", {"action": "call", "party_id": event.parties.get().pk},
                 user=worker.user)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert CITIZEN not in _everything(r)
    assert not event.calls.exists() and not OutboxMessage.objects.filter(template="call_request").exists()


def test_the_operator_gets_the_tel_link_and_the_read_is_logged(api, world, event):
    party = event.parties.get()
    r = api.post(f"/events/{event.pk}/actions", {"action": "call", "party_id": party.pk}, user=world.operator.user)
    assert r.status_code == 200 and r.json()["tel"] == f"tel:{CITIZEN}"
    read = PersonalDataRead.objects.get(via="call")
    assert (read.user, read.event, read.party, read.field) == (world.operator.user, event, party, "phone")
    assert not OutboxMessage.objects.filter(template="call_request").exists()


def test_a_staff_number_given_out_is_logged_too(api, world, event):
    r = api.post(f"/events/{event.pk}/actions", {"action": "call", "person_id": world.grid_head_a.pk},
                 user=world.operator.user)
    assert r.json()["tel"] == "tel:13900000008"
    read = PersonalDataRead.objects.get(via="call")
    assert read.person == world.grid_head_a and read.party is None


def test_the_event_page_offers_no_tel_link_to_a_grid_worker(world, event, grid_worker, client):
    client.force_login(grid_worker.user)
    r = client.post(f"/events/{event.id}/act/call", {"call-party_id": event.parties.get().pk})
    assert r.status_code == 302
    html = client.get(f"/events/{event.id}/").content.decode()
    assert CITIZEN not in html and 'href="tel:' not in html
    assert "回电" in html or "call you back" in html
