"""代办机构 and 代办员: agencies with their brand names, agents appointed to them, the matters an
agent takes recorded for their agency (群众点单、专人代办); who may keep agencies; scope (404
outside); the pages; the back-fill of matters registered before agencies were kept."""

from __future__ import annotations

import re

import pytest

from fengqiao.audit.models import AuditEntry
from fengqiao.citizen import actions
from fengqiao.citizen.models import ProxyAgency, ProxyAgent, ProxyOrder
from fengqiao.events import actions as event_actions
from fengqiao.events.models import Assignment, Category, Event, Status
from fengqiao.lib.errors import Conflict, InvalidInput, NotPermitted
from fengqiao.people.models import Role
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def _matter(world, agent, region=None, description="张大爷的低保年审材料不会填,委托代办。"):
    return actions.proxy_register(actor=agent.user, submission=actions.ProxySubmission(
        citizen_name="张大爷", citizen_phone="13711113333", description=description,
        category=Category.objects.get(code="livelihood.social_security"), region=region or world.village_a,
    ))


@pytest.fixture
def agency(world):
    return actions.agency_create(actor=world.town_cadre.user, name="洋坂村代办点", brand="“老村长”代办",
                                 kind=ProxyAgency.Kind.VILLAGE, region=world.village_a, address="洋坂村村部")


def test_a_town_cadre_sets_up_an_agency_in_their_town_with_its_brand(world, agency):
    assert (agency.name, agency.brand, agency.kind) == ("洋坂村代办点", "“老村长”代办", "village")
    assert (agency.county_id, agency.town_id, agency.village_id) == (world.county.id, world.town.id,
                                                                      world.village_a.id)
    entry = AuditEntry.objects.get(stream="proxy", action="create_agency")
    assert entry.details["agency"] == agency.pk and entry.details["region"] == world.village_a.code
    assert entry.actor == world.town_cadre.user
    assert str(agency) == "洋坂村代办点 (“老村长”代办)" and agency.display_name == "“老村长”代办"


def test_only_the_places_keepers_set_up_agencies(world):
    for who in ("other_town_cadre", "secretary_a", "county_leader"):
        with pytest.raises(NotPermitted):
            actions.agency_create(actor=world.user(who), name="剑山村代办点", kind="village", region=world.village_b)
    assert actions.agency_create(actor=world.operator.user, name="剑山村代办点", kind="village",
                                 region=world.village_b).pk
    assert not AuditEntry.objects.filter(stream="proxy").exclude(action="create_agency").exists()


def test_an_agency_sits_where_its_kind_says_and_its_name_is_checked(world, agency):
    cadre = world.town_cadre.user
    with pytest.raises(InvalidInput) as exc:
        actions.agency_create(actor=cadre, name="度尾镇代办点", kind="village", region=world.town)
    assert exc.value.field == "region"
    with pytest.raises(InvalidInput):
        actions.agency_create(actor=cadre, name="度尾镇代办中心", kind="county", region=world.town)
    with pytest.raises(InvalidInput) as exc:
        actions.agency_create(actor=cadre, name="  ", kind="town", region=world.town)
    assert exc.value.field == "name"
    with pytest.raises(InvalidInput):
        actions.agency_create(actor=cadre, name="x", brand="品" * 51, kind="town", region=world.town)
    with pytest.raises(InvalidInput) as exc:
        actions.agency_create(actor=cadre, name="x", kind="pigeon", region=world.town)
    assert exc.value.field == "kind"
    with pytest.raises(Conflict):
        actions.agency_create(actor=cadre, name="洋坂村代办点", kind="village", region=world.village_a)
    park = actions.agency_create(actor=cadre, name="度尾工业园区平安超市", kind="park", region=world.town)
    assert park.kind == "park" and ProxyAgency.objects.count() == 2


def test_an_agent_with_a_proxy_post_around_the_agency_is_appointed_once(world, agency, proxy_agent):
    member = actions.agent_appoint(actor=world.town_cadre.user, agency=agency, person=proxy_agent, full_time=True)
    assert member.active and member.full_time and member.agency == agency
    assert AuditEntry.objects.filter(stream="proxy", action="appoint_agent", details__person=proxy_agent.pk).exists()
    with pytest.raises(Conflict) as exc:
        actions.agent_appoint(actor=world.town_cadre.user, agency=agency, person=proxy_agent)
    assert exc.value.code == "duplicate"
    other = actions.agency_create(actor=world.town_cadre.user, name="剑山村代办点", kind="village",
                                  region=world.village_b)
    with pytest.raises(Conflict) as exc:
        actions.agent_appoint(actor=world.town_cadre.user, agency=other, person=proxy_agent)
    assert exc.value.code == "serves_elsewhere"
    actions.agent_release(actor=world.town_cadre.user, membership=member)
    moved = actions.agent_appoint(actor=world.town_cadre.user, agency=other, person=proxy_agent)
    assert moved.agency == other
    assert list(ProxyAgent.objects.filter(person=proxy_agent, active=True)) == [moved]
    with pytest.raises(Conflict):
        actions.agent_release(actor=world.town_cadre.user, membership=ProxyAgent.objects.get(pk=member.pk))


def test_no_proxy_post_near_the_agency_no_appointment(world, agency):
    far = make_person("郊尾代办", Role.PROXY_AGENT, world.village_c, phone="13900000031")
    with pytest.raises(InvalidInput) as exc:
        actions.agent_appoint(actor=world.operator.user, agency=agency, person=far)
    assert exc.value.field == "person"
    with pytest.raises(InvalidInput):  # a secretary is no proxy agent
        actions.agent_appoint(actor=world.operator.user, agency=agency, person=world.secretary_a)
    with pytest.raises(NotPermitted):
        actions.agent_appoint(actor=world.other_town_cadre.user, agency=agency, person=far)


def test_the_matter_an_agent_takes_is_recorded_for_their_agency(world, agency, proxy_agent):
    actions.agent_appoint(actor=world.town_cadre.user, agency=agency, person=proxy_agent)
    receipt = _matter(world, proxy_agent, region=world.village_b)
    order = ProxyOrder.objects.get()
    assert order.event == receipt.event and order.agent == proxy_agent and order.agency == agency
    assert order.taken_at == receipt.event.created_at
    # Filed under the agency's place (its work), not the event's village.
    assert (order.region_id, order.village_id) == (world.village_a.id, world.village_a.id)
    binding = AuditEntry.objects.get(event=receipt.event, action="add_assignee")
    assert binding.details["agency"] == agency.pk and binding.details["agency_name"] == str(agency)
    assert Assignment.objects.get(event=receipt.event, person=proxy_agent).role == Role.PROXY_AGENT


def test_an_agent_of_no_agency_still_takes_matters_filed_where_the_matter_is(world, proxy_agent):
    receipt = _matter(world, proxy_agent, region=world.village_b)
    order = ProxyOrder.objects.get()
    assert order.agency is None and order.region_id == world.village_b.id
    assert "agency" not in AuditEntry.objects.get(event=receipt.event, action="add_assignee").details


def test_closing_an_agency_releases_its_agents_and_it_takes_no_more_matters(world, agency, proxy_agent):
    actions.agent_appoint(actor=world.town_cadre.user, agency=agency, person=proxy_agent)
    _matter(world, proxy_agent)
    closed = actions.agency_update(actor=world.town_cadre.user, agency=agency, name=agency.name,
                                   brand=agency.brand, kind=agency.kind, address=agency.address, active=False)
    assert not closed.active and not ProxyAgent.objects.filter(active=True).exists()
    entry = AuditEntry.objects.get(stream="proxy", action="update_agency")
    assert entry.details["agents_released"] == 1 and entry.details["changed"] == {"active": [True, False]}
    _matter(world, proxy_agent, description="第二件:残疾证换证,委托代办。")
    assert [o.agency_id for o in ProxyOrder.objects.order_by("pk")] == [agency.pk, None]
    with pytest.raises(Conflict):
        actions.agent_appoint(actor=world.town_cadre.user, agency=closed, person=proxy_agent)


def test_the_agency_pages_list_count_and_appoint_in_scope(world, agency, proxy_agent, client):
    client.force_login(world.town_cadre.user)
    page = client.get("/proxy/agencies/").content.decode()
    assert f'data-agency="{agency.pk}"' in page and "“老村长”代办" in page
    detail = client.get(f"/proxy/agencies/{agency.pk}/").content.decode()
    assert "郑代办 · 139****0020" in detail  # the appointable agent, phone masked
    assert "13900000020" not in detail
    r = client.post(f"/proxy/agencies/{agency.pk}/appoint", {"person": proxy_agent.pk, "full_time": "on"})
    assert r.status_code == 302
    member = ProxyAgent.objects.get(person=proxy_agent)
    assert member.full_time
    # The agent takes a matter; the counts follow.
    _matter(world, proxy_agent)
    detail = re.sub(r"\s+", " ", client.get(f"/proxy/agencies/{agency.pk}/").content.decode())
    assert re.search(r'data-testid="n-matters">1 ', detail)
    assert re.search(rf'data-agent="{proxy_agent.pk}".*?data-testid="agent-matters">1<', detail)
    listing = re.sub(r"\s+", " ", client.get("/proxy/agencies/").content.decode())
    row = re.search(rf'data-agency="{agency.pk}"(.*?)</tr>', listing).group(1)
    assert 'data-testid="n-agents">1<' in row and 'data-testid="n-matters">1<' in row
    r = client.post(f"/proxy/agencies/{agency.pk}/agents/{member.pk}/release")
    assert r.status_code == 302 and not ProxyAgent.objects.get(pk=member.pk).active


def test_outside_the_agencys_region_it_does_not_exist(world, agency, client):
    client.force_login(world.other_town_cadre.user)
    assert client.get(f"/proxy/agencies/{agency.pk}/").status_code == 404
    assert client.get(f"/proxy/agencies/{agency.pk}/edit/").status_code == 404
    assert client.post(f"/proxy/agencies/{agency.pk}/appoint", {"person": "1"}).status_code == 404
    assert f'data-agency="{agency.pk}"' not in client.get("/proxy/agencies/").content.decode()
    assert client.get("/proxy/agencies/999999/").status_code == 404
    # The village's secretary sees it, and may not change it.
    client.force_login(world.secretary_a.user)
    assert client.get(f"/proxy/agencies/{agency.pk}/").status_code == 200
    assert client.get(f"/proxy/agencies/{agency.pk}/edit/").status_code == 403
    assert client.get("/proxy/agencies/new/").status_code == 403


def test_the_new_agency_form_refuses_bad_input_beside_the_field(world, client):
    client.force_login(world.town_cadre.user)
    r = client.post("/proxy/agencies/new/", {"name": "度尾镇代办中心", "kind": "village", "region": world.town.code})
    assert r.status_code == 400 and not ProxyAgency.objects.exists()
    assert "不能设在" in r.content.decode() or "sits in a" in r.content.decode()
    r = client.post("/proxy/agencies/new/", {"name": "度尾镇代办中心", "brand": "乡贤调解", "kind": "town",
                                             "region": world.town.code})
    assert r.status_code == 302
    assert ProxyAgency.objects.get().brand == "乡贤调解"


def test_the_agent_sees_their_agency_on_their_worklist(world, agency, proxy_agent, client):
    actions.agent_appoint(actor=world.town_cadre.user, agency=agency, person=proxy_agent)
    client.force_login(proxy_agent.user)
    html = client.get("/proxy/").content.decode()
    assert 'data-testid="my-agency"' in html and "洋坂村代办点" in html
    # The agent sees their own agency, though their post is the town's.
    assert client.get(f"/proxy/agencies/{agency.pk}/").status_code == 200


def test_matters_registered_before_agencies_are_filled_in_by_the_migration(world, proxy_agent):
    import importlib

    from django.apps import apps

    receipt = _matter(world, proxy_agent)
    ProxyOrder.objects.all().delete()  # as before this release: the binding, no order row
    event_actions.event_acknowledge(event=receipt.event, actor=world.secretary_a.user)
    migration = importlib.import_module("fengqiao.citizen.migrations.0003_fill_proxy_matters_from_bound_agents")
    migration.forwards(apps, None)
    migration.forwards(apps, None)  # twice: nothing doubled
    order = ProxyOrder.objects.get()
    assert (order.event_id, order.agent_id, order.agency_id) == (receipt.event.pk, proxy_agent.pk, None)
    assert order.taken_at == Event.objects.get(pk=receipt.event.pk).created_at
    assert order.village_id == world.village_a.id
    assert Event.objects.get(pk=receipt.event.pk).status == Status.IN_PROGRESS
