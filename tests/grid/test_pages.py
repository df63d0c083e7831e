"""The grid pages answer each kind of user: the grid's worker on a phone, the village's
secretary, a town cadre (masked), an outsider (403), and 404 outside scope."""

from __future__ import annotations

import uuid

import pytest

from fengqiao.grid import actions
from fengqiao.grid.models import Finding, PersonalDataRead
from fengqiao.lib import clock
from tests.factories import PASSWORD
from tests.grid.world import START

PAGES = ["grid_home", "grid_households", "grid_firms", "grid_compliance", "grid_overdue", "grid_coverage",
         "grid_map", "grid_hazards", "grid_publicity", "grid_teams", "grid_posts", "grid_zones"]


def _login(client, user):
    client.force_login(user)


@pytest.mark.parametrize("name", PAGES)
def test_every_page_opens_for_the_secretary(gw, client, name):
    from django.urls import reverse

    _login(client, gw.user("secretary_a"))
    assert client.get(reverse(name)).status_code == 200


def test_the_worker_home_lists_the_households_overdue_in_their_grid(gw, client):
    _login(client, gw.user("worker_a"))
    with clock.frozen(START):
        page = client.get("/grid/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "YB-001" in html and "JS-001" not in html and 'data-testid="open-app"' in html


def test_the_household_page_masks_for_a_town_cadre_and_shows_the_worker(gw, client):
    household = gw.households[0]
    _login(client, gw.user("town_cadre"))
    html = client.get(f"/grid/households/{household.pk}/").content.decode()
    assert "138****0001" in html and "13800000001" not in html
    assert not PersonalDataRead.objects.exists()
    _login(client, gw.user("worker_a"))
    html = client.get(f"/grid/households/{household.pk}/").content.decode()
    assert "13800000001" in html
    assert PersonalDataRead.objects.filter(household=household, via="page").count() == 1


def test_a_household_of_another_village_is_404(gw, client):
    _login(client, gw.user("secretary_a"))
    assert client.get(f"/grid/households/{gw.household_b.pk}/").status_code == 404
    assert client.get("/grid/households/?area=350322103209").status_code == 404


def test_the_department_liaison_is_turned_away(gw, client):
    _login(client, gw.user("dept_liaison"))
    assert client.get("/grid/").status_code == 403


def test_a_recheck_from_the_hazards_page(gw, client):
    checklist = __import__("fengqiao.grid.models", fromlist=["Checklist"]).Checklist.objects.get(kind="fire")
    items = list(checklist.items.all())
    with clock.frozen(START):
        actions.hazard_check_log(actor=gw.user("worker_a"), submission=actions.CheckInput(
            client_uuid=uuid.uuid4(), checklist_id=checklist.pk, household_id=gw.households[0].pk,
            results={str(i.pk): i is not items[0] for i in items}))
    finding = Finding.objects.get()
    _login(client, gw.user("worker_a"))
    assert items[0].text in client.get("/grid/hazards/").content.decode()
    response = client.post(f"/grid/hazards/{finding.pk}/recheck/", {"fixed": "1", "note": "已整改"})
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.status == "closed"


def test_the_households_export_is_an_xlsx(gw, client):
    _login(client, gw.user("secretary_a"))
    response = client.get("/grid/households/?format=xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_the_field_app_and_its_service_worker(gw, client):
    _login(client, gw.user("worker_a"))
    page = client.get("/grid/app/")
    assert page.status_code == 200 and b'rel="manifest"' in page.content
    sw = client.get("/grid-sw.js")
    assert sw.status_code == 200 and sw["Content-Type"].startswith("text/javascript")
    assert b"fq-grid-" in sw.content and sw["Service-Worker-Allowed"] == "/"
    assert client.get("/grid/app.webmanifest").json()["start_url"] == "/grid/app/"
    _login(client, gw.user("town_cadre"))
    assert client.get("/grid/app/").status_code == 403
    assert PASSWORD


def test_a_town_cadre_edits_a_household_without_seeing_or_overwriting_its_head(gw, client):
    household = gw.households[0]
    _login(client, gw.user("town_cadre"))
    page = client.get(f"/grid/households/{household.pk}/edit/").content.decode()
    assert "13800000001" not in page and "柯大爷" not in page
    response = client.post(f"/grid/households/{household.pk}/edit/", {
        "code": household.code, "address": "洋坂村1号（新）", "region": gw.grid_a.pk, "members_count": 2})
    assert response.status_code == 302
    household.refresh_from_db()
    assert (household.head_name, household.phone, household.address) == ("柯大爷", "13800000001", "洋坂村1号（新）")
    assert not PersonalDataRead.objects.exists()
    _login(client, gw.user("worker_a"))
    assert "13800000001" in client.get(f"/grid/households/{household.pk}/edit/").content.decode()
    assert PersonalDataRead.objects.filter(household=household, via="page").count() == 1
