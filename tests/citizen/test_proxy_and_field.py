"""代办 (proxy agents), 网格采集 (grid workers' field reports) and 一窗受理 through the door."""

import pytest

from fengqiao.audit.models import AuditEntry
from fengqiao.citizen.models import CitizenReport
from fengqiao.citizen.validation import display_tracking_code
from fengqiao.events.models import Assignment, Event, Source, Status
from fengqiao.notify.models import OutboxMessage
from fengqiao.people.models import Role
from tests.citizen.conftest import png

pytestmark = pytest.mark.django_db


def _proxy_form(world, **overrides):
    data = {
        "citizen_name": "吴阿婆",
        "citizen_phone": "13711112222",
        "title": "",
        "category": "livelihood.social_security",
        "description": "吴阿婆的养老保险待遇认证办不了,行动不便,委托代办。",
        "region": [world.town.code, world.village_a.code],
        "address": "洋坂村5组",
    }
    data.update(overrides)
    return data


def test_a_proxy_agent_registers_is_bound_and_sees_it_in_their_worklist(world, client, proxy_agent):
    client.force_login(proxy_agent.user)
    assert client.get("/proxy/new/").status_code == 200
    r = client.post("/proxy/new/", {**_proxy_form(world), "photos": [png("card.png")]})
    assert r.status_code == 302, r.content.decode()[:3000]
    event = Event.objects.get()
    assert r["Location"] == f"/events/{event.id}/"
    assert event.source == Source.PROXY and event.village_id == world.village_a.id
    assert event.status == Status.DISPATCHED  # routed by the region the agent chose
    assert event.created_by == proxy_agent.user
    binding = Assignment.objects.get(event=event, person=proxy_agent)
    assert binding.role == Role.PROXY_AGENT and binding.kind == Assignment.Kind.N and binding.active
    assert AuditEntry.objects.filter(event=event, action="add_assignee", details__role="proxy_agent").exists()
    reporter = event.parties.get(is_reporter=True)
    assert (reporter.name, reporter.phone) == ("吴阿婆", "13711112222")
    # The citizen gets a tracking code by text, to follow and rate the matter themselves.
    report = CitizenReport.objects.get(event=event)
    assert report.channel == "proxy" and report.phone == "13711112222"
    text = OutboxMessage.objects.get(template="citizen_receipt")
    assert text.recipient == "13711112222" and display_tracking_code(report.tracking_code) in text.body
    page = client.get(r["Location"]).content.decode()
    assert display_tracking_code(report.tracking_code) in page  # shown to the agent, to hand over

    html = client.get("/proxy/").content.decode()
    assert f'data-event="{event.id}"' in html and event.title in html
    assert "待签收" in html  # status shown
    # The event page is open to the agent.
    assert client.get(f"/events/{event.id}/").status_code == 200


def test_a_proxy_agent_follows_the_matter_but_is_not_given_its_handling(world, client, proxy_agent):
    from fengqiao.events.permissions import available_actions

    client.force_login(proxy_agent.user)
    assert client.post("/proxy/new/", _proxy_form(world)).status_code == 302
    event = Event.objects.get()
    offered = set(available_actions(proxy_agent.user, event))
    assert not offered & {"acknowledge", "return", "escalate", "request_extension", "add_assignee", "resolve"}
    assert {"comment", "call"} <= offered  # they may still add a note or ring the people bound
    r = client.post(f"/events/{event.id}/act/acknowledge", {})
    event.refresh_from_db()
    assert event.status == Status.DISPATCHED and r.status_code in (302, 403)


def test_a_proxied_matter_leaves_the_worklist_when_the_agents_post_there_ends(world, client, proxy_agent):
    from fengqiao.people.models import Post

    Post.objects.create(person=proxy_agent, role=Role.PROXY_AGENT, region=world.other_town)
    client.force_login(proxy_agent.user)
    r = client.post("/proxy/new/", _proxy_form(world, region=[world.other_town.code, world.village_c.code]))
    assert r.status_code == 302
    event = Event.objects.get()
    assert f'data-event="{event.id}"' in client.get("/proxy/").content.decode()  # listed while the post lasts
    Post.objects.filter(person=proxy_agent, region=world.other_town).delete()  # the post ends
    binding = Assignment.objects.get(event=event, person=proxy_agent)
    assert binding.beyond_posts is False  # covered by the post at binding time
    client.force_login(proxy_agent.user)
    # Not in scope any more: the worklist only lists what the agent may still open.
    assert f'data-event="{event.id}"' not in client.get("/proxy/").content.decode()


def test_proxy_junk_is_a_form_error_and_nothing_is_written(world, client, proxy_agent, media_files):
    client.force_login(proxy_agent.user)
    r = client.post("/proxy/new/", {**_proxy_form(world, citizen_phone="123"), "photos": [png()]})
    assert r.status_code == 400
    assert "不是手机号" in r.content.decode()
    assert Event.objects.count() == 0 and media_files() == []


def test_only_proxy_agents_use_the_proxy_pages(world, client):
    client.force_login(world.secretary_a.user)
    assert client.get("/proxy/new/").status_code == 403
    assert client.post("/proxy/new/", _proxy_form(world)).status_code == 403
    assert client.get("/proxy/").status_code == 403
    assert Event.objects.count() == 0
    client.logout()
    assert client.get("/proxy/").status_code == 302  # to the login


# ------------------------------------------------------------------------------ field reports


def test_a_field_report_files_under_the_workers_grid_with_the_point(world, client, grid_worker):
    client.force_login(grid_worker.user)
    page = client.get("/field/report/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'capture="environment"' in html and 'name="latitude"' in html
    r = client.post("/field/report/", {
        "grid": world.grid_a.code, "category": "hazard.rental",
        "description": "出租房楼道堆放电动车充电,存在消防隐患。", "address": "",
        "latitude": "25.45123", "longitude": "118.70611", "photos": [png("hall.png")],
    })
    assert r.status_code == 302, r.content.decode()[:3000]
    event = Event.objects.get()
    assert event.source == Source.GRID
    assert event.region_id == world.grid_a.id and event.grid_id == world.grid_a.id
    assert (event.latitude, event.longitude) == (25.45123, 118.70611)
    assert event.status == Status.DISPATCHED
    assert event.attachments.count() == 1
    assert event.created_by == grid_worker.user
    # The grid head of the grid is bound (the N), with the village's 3.
    assert Assignment.objects.filter(event=event, person=world.grid_head_a).exists()


def test_a_field_report_without_a_location_still_files_under_the_grid(world, client, grid_worker):
    client.force_login(grid_worker.user)
    r = client.post("/field/report/", {"grid": world.grid_a.code, "category": "",
                                       "description": "村道边护栏损坏约五米,夜间行人易跌落。"})
    assert r.status_code == 302
    event = Event.objects.get()
    assert event.grid_id == world.grid_a.id and event.latitude is None


def test_a_field_report_cannot_pick_another_grid(world, client, grid_worker):
    from fengqiao.regions.actions import region_create

    other = region_create(parent=world.village_b, code="350322103209G01", level="grid", name="剑山村第一网格")
    client.force_login(grid_worker.user)
    r = client.post("/field/report/", {"grid": other.code, "description": "村道边护栏损坏约五米,夜间行人易跌落。"})
    assert r.status_code == 400
    assert Event.objects.count() == 0


def test_people_without_a_grid_post_do_not_get_the_field_page(world, client):
    client.force_login(world.secretary_a.user)
    assert client.get("/field/report/").status_code == 403


# ---------------------------------------------------------------------------------- walk-in


def _walk_in(world, **overrides):
    data = {
        "title": "洋坂村柯某与吴某工资纠纷", "description": "柯某称老板吴某拖欠三个月工资",
        "category": "dispute.wages", "source": "walk_in", "dispute_source": "", "address": "度尾镇洋坂村3组",
        "region": [world.county.code, world.town.code, world.village_a.code, world.village_a.code],
        "latitude": "", "longitude": "",
        "parties-TOTAL_FORMS": "1", "parties-INITIAL_FORMS": "0", "parties-MIN_NUM_FORMS": "1",
        "parties-MAX_NUM_FORMS": "20", "parties-0-name": "柯某", "parties-0-phone": "13912345678",
        "parties-0-id_number": "", "parties-0-is_reporter": "on",
    }
    data.update(overrides)
    return data


def test_the_walk_in_window_goes_through_the_intake_door(world, client):
    client.force_login(world.operator.user)
    r = client.post("/events/new/", _walk_in(world))
    assert r.status_code == 302
    event = Event.objects.get()
    assert event.source == "walk_in" and event.status == Status.DISPATCHED
    assert event.village_id == world.village_a.id
    intake = AuditEntry.objects.get(event=event, action="intake")
    assert intake.details["routed_by"] == "region"


def test_a_walk_in_filed_only_to_the_town_is_matched_inside_it_or_left_to_triage(world, client):
    client.force_login(world.operator.user)
    r = client.post("/events/new/", _walk_in(world, region=[world.county.code, world.town.code, world.town.code],
                                             address="某地某处"))
    assert r.status_code == 302
    event = Event.objects.get()
    assert event.town_id == world.town.id  # never outside the town the clerk chose
    intake = AuditEntry.objects.get(event=event, action="intake")
    assert intake.details["routed_by"] in (None, "address", "point")
    if event.village_id is None:
        assert event.status == Status.REGISTERED and "unrouted" in intake.details["triage"]
