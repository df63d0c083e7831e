"""Excel exports: only visible events, personal data masked unless the user may see it."""

import io

from openpyxl import load_workbook

from fengqiao.events import actions
from fengqiao.events.models import PersonalDataRead
from tests.factories import register

PARTY = actions.PartyInput(name="柯某", phone="13912345678", id_number="350322199001011234")


def _sheet(response, index=0):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    return [[c for c in row] for row in wb.worksheets[index].iter_rows(values_only=True)]


def test_list_export_has_only_visible_events_and_masks_for_a_town_cadre(world, as_user):
    register(world, title="洋坂村的事", parties=[PARTY])
    register(world, title="梅塘村的事", region=world.village_c)
    rows = _sheet(as_user(world.town_cadre).get("/events/export.xlsx"))
    assert rows[0][0] == "编号"
    titles = [r[1] for r in rows[1:]]
    assert titles == ["洋坂村的事"]
    text = " ".join(str(c) for c in rows[1])
    assert "139****5678" in text and "13912345678" not in text


def test_list_export_follows_the_filters_and_shows_operators_full_numbers(world, as_user):
    register(world, title="洋坂村的事", parties=[PARTY])
    register(world, title="梅塘村的事", region=world.village_c)
    rows = _sheet(as_user(world.operator).get("/events/export.xlsx", {"q": "洋坂"}))
    assert [r[1] for r in rows[1:]] == ["洋坂村的事"]
    assert "13912345678" in " ".join(str(c) for c in rows[1])
    assert PersonalDataRead.objects.filter(via="export").count() == 1


def test_one_event_export_carries_its_timeline(world, as_user):
    event = register(world, parties=[PARTY])
    actions.event_acknowledge(event=event, actor=world.secretary_a.user)
    r = as_user(world.secretary_a).get(f"/events/{event.id}/export.xlsx")
    details = _sheet(r, 0)
    assert ["编号", event.code] in [list(row[:2]) for row in details]
    timeline = _sheet(r, 1)
    assert timeline[0][:3] == ("时间", "操作人", "操作") or list(timeline[0][:3]) == ["时间", "操作人", "操作"]
    actions_done = [row[2] for row in timeline[1:]]
    assert actions_done == ["登记受理", "分拨", "签收"]
