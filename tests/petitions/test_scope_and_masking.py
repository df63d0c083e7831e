"""Scope (a town sees its town, 404 elsewhere; a department what was routed to it; the 专班 and
the leader beyond their posts) and the petitioners' identity: unmasked only for those who handle
the petition and the county's petition office, every unmasked showing logged — on the page, in
the API, in the ledger export and in the notices."""

from __future__ import annotations

import io

import pytest
from docx import Document as WordDocument
from openpyxl import load_workbook

from fengqiao.petitions import actions
from fengqiao.petitions.models import PetitionerRead
from fengqiao.petitions.queries import visible_petitions
from tests.factories import make_person
from tests.petitions.helpers import ID_KE, PHONE_KE, at, local, petition_in, register

pytestmark = pytest.mark.django_db

MASKED_ID = "350322********123X"
MASKED_PHONE = "139****5678"


@pytest.fixture
def two(world):
    """A petition of 洋坂村 (度尾镇) accepted by 县人社局, and one of 梅塘村 (郊尾镇) not yet routed."""
    a = petition_in(world, "handling")
    c = register(world, region=world.village_c, title="反映宅基地审批问题", when=local(2026, 3, 3))
    return a, c


def _reads(user=None, via=None) -> int:
    qs = PetitionerRead.objects.all()
    if user is not None:
        qs = qs.filter(user=user)
    if via is not None:
        qs = qs.filter(via=via)
    return qs.count()


# ------------------------------------------------------------------------------------ scope


def test_a_town_sees_its_towns_petitions_and_gets_404_for_another_towns(world, two, client, api):
    a, c = two
    cadre = world.town_cadre.user
    assert set(visible_petitions(cadre)) == {a}
    client.force_login(cadre)
    assert client.get(f"/petitions/{a.pk}/").status_code == 200
    assert client.get(f"/petitions/{c.pk}/").status_code == 404
    assert api.get(f"/petitions/{c.pk}", user=cadre).status_code == 404
    assert api.post(f"/petitions/{c.pk}/actions", {"action": "route", "department_code": "rsj"},
                    user=cadre).status_code == 404
    listed = api.get("/petitions", user=cadre).json()
    assert [i["id"] for i in listed["items"]] == [a.pk] and listed["count"] == 1
    other = world.other_town_cadre.user
    assert set(visible_petitions(other)) == {c}
    assert api.get(f"/petitions/{a.pk}", user=other).status_code == 404


def test_a_department_sees_what_was_routed_to_it_and_nothing_else(world, two, api):
    a, c = two
    liaison = world.dept_liaison.user
    assert set(visible_petitions(liaison)) == {a}
    assert api.get(f"/petitions/{c.pk}", user=liaison).status_code == 404
    assert api.get(f"/petitions/{c.pk}/timeline", user=liaison).status_code == 404


def test_grid_heads_do_not_see_petitions_and_have_no_menu_entry(world, two, client):
    a, _c = two
    client.force_login(world.grid_head_a.user)
    assert client.get(f"/petitions/{a.pk}/").status_code == 404
    assert client.get("/petitions/").status_code == 403
    assert "/petitions/" not in client.get("/").content.decode()
    client.force_login(world.town_cadre.user)
    assert 'href="/petitions/"' in client.get("/").content.decode()


def test_the_task_team_and_the_leader_see_it_beyond_their_posts(world, two):
    _a, c = two
    outsider = make_person("郑专班", "town_cadre", world.town, login="team_far", phone="13900000099")
    assert c not in visible_petitions(outsider.user)
    with at(local(2026, 3, 4)):
        actions.petition_assign(petition=c, actor=world.county_leader.user, team=[outsider])
    assert c in visible_petitions(outsider.user)


# ---------------------------------------------------------------------------------- masking


def test_the_page_shows_petitioners_in_full_to_the_office_and_the_body_and_logs_each_view(world, two, client):
    a, _c = two
    for who in ("operator", "dept_liaison"):
        user = world.user(who)
        client.force_login(user)
        page = client.get(f"/petitions/{a.pk}/").content.decode()
        assert ID_KE in page and PHONE_KE in page and "柯志明" in page, who
        assert _reads(user, "page") == 1


def test_the_page_masks_petitioners_for_a_town_cadre_who_does_not_handle_it_and_logs_nothing(world, two, client):
    a, _c = two
    client.force_login(world.town_cadre.user)
    page = client.get(f"/petitions/{a.pk}/").content.decode()
    assert ID_KE not in page and PHONE_KE not in page and "柯志明" not in page
    assert MASKED_ID in page and MASKED_PHONE in page and "柯**" in page
    assert 'data-testid="masked-note"' in page
    assert _reads(world.town_cadre.user) == 0


def test_joining_the_task_team_unmasks_and_whoever_registered_it_sees_it(world, two, client):
    a, _c = two
    with at(local(2026, 3, 10)):
        actions.petition_assign(petition=a, actor=world.county_leader.user, team=[world.town_cadre])
    client.force_login(world.town_cadre.user)
    assert ID_KE in client.get(f"/petitions/{a.pk}/").content.decode()
    mine = register(world, actor=world.other_town_cadre.user, region=world.village_c, title="反映征地补偿问题",
                    when=local(2026, 3, 11))
    client.force_login(world.other_town_cadre.user)
    assert ID_KE in client.get(f"/petitions/{mine.pk}/").content.decode()


def test_the_api_masks_the_same_and_logs_unmasked_reads(world, two, api):
    a, _c = two
    masked = api.get(f"/petitions/{a.pk}", user=world.town_cadre.user).json()["petitioners"][0]
    assert masked == {"id": masked["id"], "name": "柯**", "id_number": MASKED_ID, "phone": MASKED_PHONE,
                      "address": "仙游县度尾镇********", "is_representative": True, "masked": True}
    clear = api.get(f"/petitions/{a.pk}", user=world.dept_liaison.user).json()["petitioners"][0]
    assert clear["id_number"] == ID_KE and clear["masked"] is False
    assert _reads(world.dept_liaison.user, "api") == 1 and _reads(world.town_cadre.user) == 0
    listed = api.get("/petitions", user=world.operator.user).json()["items"][0]
    assert "petitioners" not in listed  # the list never carries them


def _sheet(content: bytes):
    ws = load_workbook(io.BytesIO(content)).active
    rows = list(ws.iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_the_ledger_export_masks_petitioners_for_those_who_do_not_handle_them(world, two, client):
    a, _c = two
    client.force_login(world.town_cadre.user)
    head, rows = _sheet(client.get("/petitions/ledger.xlsx").content)
    row = dict(zip(head, rows[0], strict=True))
    assert row["信访人"] == "柯**" and row["身份证号"] == MASKED_ID and row["联系电话"] == MASKED_PHONE
    assert _reads(world.town_cadre.user) == 0
    client.force_login(world.operator.user)
    head, rows = _sheet(client.get("/petitions/ledger.xlsx").content)
    assert {r[head.index("身份证号")] for r in rows} == {ID_KE}
    assert _reads(world.operator.user, "export") == 2  # both petitions of the county, one row each


def test_the_api_export_is_the_same_workbook(world, two, api):
    response = api.get("/petitions/ledger.xlsx", user=world.town_cadre.user)
    assert response.status_code == 200
    head, rows = _sheet(response.content)
    assert rows[0][head.index("身份证号")] == MASKED_ID


def test_a_notice_names_the_petitioner_only_for_its_handlers(world, two, client):
    a, _c = two
    doc = a.documents.get(kind="acceptance")
    url = f"/petitions/{a.pk}/notices/{doc.pk}.docx"
    client.force_login(world.town_cadre.user)
    text = "\n".join(p.text for p in WordDocument(io.BytesIO(client.get(url).content)).paragraphs)
    assert "柯**:" in text and "柯志明" not in text and PHONE_KE not in text
    client.force_login(world.dept_liaison.user)
    text = "\n".join(p.text for p in WordDocument(io.BytesIO(client.get(url).content)).paragraphs)
    assert "柯志明:" in text and "联系电话:13912345678" in text
    assert _reads(world.dept_liaison.user, "document") == 1
