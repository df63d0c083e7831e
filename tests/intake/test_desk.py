"""The registration desk (一窗受理) is one door whichever way staff use it: a walk-in typed on
/events/new/ and the same walk-in POSTed to /api/v1/events are routed, searched for twins and
put in the triage queue alike (defect 12: the API used to skip the door)."""

from __future__ import annotations

import pytest

from fengqiao.events.models import Category, Event, Status
from fengqiao.intake.actions import Report, intake_submit
from fengqiao.triage.models import TriageItem, TwinFlag
from tests.pages.test_registration import _form

pytestmark = pytest.mark.django_db

TITLE = "洋坂村柯某与吴某工资纠纷"
DESCRIPTION = "柯某称老板吴某拖欠三个月工资"


def _earlier_hotline_call(world) -> Event:
    """The same matter, phoned in to 12345 an hour before the walk-in."""
    return intake_submit(actor=world.operator.user, report=Report(
        source="hotline_12345", title="柯某反映洋坂村吴某拖欠工资三个月",
        description="来电人柯某反映老板吴某拖欠其三个月工资", category=Category.objects.get(code="dispute.wages"),
        region=world.village_a, reporter_name="柯某", reporter_phone="13912345678",
    )).event


def _api_walk_in(api, world):
    return api.post("/events", {
        "title": TITLE, "description": DESCRIPTION, "category_code": "dispute.wages",
        "source": "walk_in", "region_code": world.village_a.code, "address": "度尾镇洋坂村3组",
        "parties": [{"name": "柯某", "phone": "13912345678", "id_number": "350322199001011234",
                     "is_reporter": True}],
    }, user=world.operator.user)


def test_a_walk_in_posted_to_the_api_that_twins_an_earlier_call_is_flagged_for_triage(api, world):
    earlier = _earlier_hotline_call(world)
    r = _api_walk_in(api, world)
    assert r.status_code == 201, r.content
    event = Event.objects.get(pk=r.json()["id"])
    item = TriageItem.objects.get(event=event, closed_at__isnull=True)
    assert item.duplicate and item.opened_reasons == ["duplicate"]
    [flag] = TwinFlag.objects.filter(item=item)
    assert flag.twin == earlier
    assert event.status == Status.DISPATCHED  # routed all the same; the operator decides on merging


def test_the_api_and_the_page_treat_the_same_walk_in_alike(api, world, client):
    earlier = _earlier_hotline_call(world)
    client.force_login(world.operator.user)
    r = client.post("/events/new/", _form(world))
    assert r.status_code == 302
    by_page = Event.objects.exclude(pk=earlier.pk).get()
    client.logout()
    by_api = Event.objects.get(pk=_api_walk_in(api, world).json()["id"])
    for event in (by_page, by_api):
        item = TriageItem.objects.get(event=event, closed_at__isnull=True)
        assert item.duplicate and earlier in {f.twin for f in TwinFlag.objects.filter(item=item)}
        assert (event.status, event.village_id, event.source) == (Status.DISPATCHED, world.village_a.id, "walk_in")


def test_a_walk_in_with_no_twin_opens_no_triage_item(api, world):
    r = _api_walk_in(api, world)
    assert r.status_code == 201
    assert not TriageItem.objects.filter(event_id=r.json()["id"]).exists()


def test_someone_without_a_post_is_refused_by_the_page_and_the_api_alike(api, world, client, django_user_model):
    """`intake.permissions.may_register` decides both (the API used to answer 400, "no region in
    your scope", after reading the payload)."""
    nobody = django_user_model.objects.create_user("nobody", password="x-12345678")
    client.force_login(nobody)
    assert client.get("/events/new/").status_code == 403
    r = api.post("/events", {"title": TITLE, "description": DESCRIPTION, "category_code": "dispute.wages",
                             "source": "walk_in", "region_code": world.village_a.code}, user=nobody)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert not Event.objects.exists()
    client.force_login(world.secretary_a.user)
    assert client.get("/events/new/").status_code == 200
    assert _api_walk_in(api, world).status_code == 201
