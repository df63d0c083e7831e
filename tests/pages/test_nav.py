"""The main navigation offers each person the pages their posts open, and only those."""

import pytest

from fengqiao.people.models import Role
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def nav(client, user) -> list[str]:
    import re

    client.force_login(user)
    html = client.get("/").content.decode()
    return re.findall(r'data-nav="([a-z_]+)"', html)


def test_the_operator_gets_triage_imports_and_the_command_centre(world, client):
    links = nav(client, world.operator.user)
    assert links[:3] == ["worklist", "event_list", "event_new"]
    assert {"triage_queue", "imports", "command_dashboard"} <= set(links)
    assert "proxy_worklist" not in links and "field_report" not in links


def test_a_village_secretary_gets_no_triage_or_imports(world, client):
    links = nav(client, world.secretary_a.user)
    assert "triage_queue" not in links and "imports" not in links
    assert "command_dashboard" in links


def test_a_department_liaison_gets_their_paired_villages_not_the_dashboard(world, client):
    links = nav(client, world.dept_liaison.user)
    assert "supervision_paired_villages" in links and "command_dashboard" not in links


def test_grid_workers_and_proxy_agents_get_their_own_pages(world, client):
    worker = make_person("网格员甲", Role.GRID_WORKER, world.grid_a, login="gw", phone="13900000099")
    agent = make_person("代办员乙", Role.PROXY_AGENT, world.town, login="pa", phone="13900000098")
    assert "field_report" in nav(client, worker.user)
    assert "proxy_worklist" in nav(client, agent.user)


def test_every_offered_link_opens(world, client):
    for person in (world.operator, world.town_cadre, world.secretary_a, world.dept_liaison, world.county_leader):
        for name in nav(client, person.user):
            import re

            html = client.get("/").content.decode()
            url = re.search(rf'href="([^"]+)" data-nav="{name}"', html).group(1)
            assert client.get(url).status_code == 200, (person.name, url)


def test_the_nav_is_in_chinese_by_default(world, client):
    client.force_login(world.operator.user)
    html = client.get("/").content.decode()
    assert "分流" in html and "指挥调度" in html and "导入" in html
