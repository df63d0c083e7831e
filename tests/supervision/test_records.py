"""Accountability records (通报 / 约谈 / 问责 / 考评): against a unit or a person, linked to the
events behind them, audit-recorded, visible in scope."""

from __future__ import annotations

import pytest

from fengqiao.audit.models import AuditEntry
from fengqiao.lib.errors import InvalidInput, NotPermitted
from fengqiao.supervision.actions import record_create
from fengqiao.supervision.models import AccountabilityRecord
from fengqiao.supervision.queries import visible_records
from tests.factories import register

pytestmark = pytest.mark.django_db


def test_the_operator_records_a_summons_against_a_village_from_the_page(world, client):
    late = register(world, region=world.village_a, title="工资拖欠迟迟未办")
    client.force_login(world.operator.user)
    form = client.get(f"/supervision/records/new/?events={late.code}&kind=summons")
    assert form.status_code == 200 and late.code in form.content.decode()
    r = client.post("/supervision/records/new/", {
        "kind": "summons", "title": "约谈洋坂村党组织书记", "text": "事项逾期未办结,约谈村书记。",
        "decided_on": "2026-11-20", "target_type": "region", "region": world.village_a.code,
        "events": late.code,
    })
    assert r.status_code == 302
    record = AccountabilityRecord.objects.get()
    assert record.kind == "summons" and record.target_region == world.village_a
    assert list(record.events.all()) == [late]
    assert record.created_by_name == "陈调度"
    entry = AuditEntry.objects.get(stream="supervision", action="record_summons")
    assert entry.details["events"] == [late.pk] and entry.details["target"] == "洋坂村委会"
    page = client.get(r["Location"]).content.decode()
    assert "约谈洋坂村党组织书记" in page and late.code in page


def test_a_record_against_a_person_and_a_department(world):
    person = record_create(actor=world.operator.user, kind="accountability", title="问责", text="未按期办结",
                           target_person=world.secretary_b)
    assert person.scope_region == world.village_b
    dept = record_create(actor=world.county_leader.user, kind="evaluation", title="季度考评", text="考评",
                         target_department=world.department, score="92.5")
    dept.refresh_from_db()
    assert str(dept.score) == "92.50" and dept.scope_region == world.county


def test_records_are_visible_in_scope_only(world, client):
    a = record_create(actor=world.operator.user, kind="bulletin", title="通报洋坂村", text="t",
                      target_region=world.village_a)
    c = record_create(actor=world.operator.user, kind="bulletin", title="通报梅塘村", text="t",
                      target_region=world.village_c)
    d = record_create(actor=world.operator.user, kind="evaluation", title="考评人社局", text="t",
                      target_department=world.department)
    assert set(visible_records(world.town_cadre.user)) == {a}
    assert set(visible_records(world.secretary_a.user)) == {a}
    assert set(visible_records(world.dept_liaison.user)) == {d}
    assert set(visible_records(world.operator.user)) == {a, c, d}
    client.force_login(world.town_cadre.user)
    assert client.get(f"/supervision/records/{c.pk}/").status_code == 404
    html = client.get("/supervision/records/").content.decode()
    assert "通报洋坂村" in html and "通报梅塘村" not in html


def test_a_person_sees_a_record_against_themselves(world):
    r = record_create(actor=world.operator.user, kind="summons", title="约谈", text="t",
                      target_person=world.secretary_c)
    assert list(visible_records(world.secretary_c.user)) == [r]


def test_a_town_cadre_records_within_their_town_only(world):
    record_create(actor=world.town_cadre.user, kind="bulletin", title="通报剑山村", text="t",
                  target_region=world.village_b)
    with pytest.raises(NotPermitted):
        record_create(actor=world.town_cadre.user, kind="bulletin", title="通报梅塘村", text="t",
                      target_region=world.village_c)
    with pytest.raises(NotPermitted):
        record_create(actor=world.secretary_a.user, kind="bulletin", title="x", text="t",
                      target_region=world.village_a)


def test_bad_input_writes_nothing(world, client):
    other = register(world, region=world.village_c, title="梅塘村的事")
    with pytest.raises(InvalidInput):
        record_create(actor=world.operator.user, kind="praise", title="x", text="t", target_region=world.town)
    with pytest.raises(InvalidInput):
        record_create(actor=world.operator.user, kind="bulletin", title="", text="t", target_region=world.town)
    with pytest.raises(InvalidInput):
        record_create(actor=world.operator.user, kind="bulletin", title="x", text="t")
    with pytest.raises(InvalidInput):
        record_create(actor=world.operator.user, kind="bulletin", title="x", text="t",
                      target_region=world.town, target_department=world.department)
    with pytest.raises(InvalidInput):  # an event the actor cannot see is no link
        record_create(actor=world.town_cadre.user, kind="bulletin", title="x", text="t",
                      target_region=world.village_a, events=[other.pk])
    client.force_login(world.town_cadre.user)
    r = client.post("/supervision/records/new/", {
        "kind": "bulletin", "title": "x", "text": "t", "decided_on": "2026-11-20",
        "target_type": "region", "region": world.village_a.code, "events": other.code,
    })
    assert r.status_code == 400 and other.code in r.content.decode()
    r = client.post("/supervision/records/new/", {
        "kind": "bulletin", "title": "x", "text": "t", "decided_on": "2026-11-20", "target_type": "person",
    })
    assert r.status_code == 400
    assert not AccountabilityRecord.objects.exists()
    assert not AuditEntry.objects.filter(stream="supervision").exists()


def test_a_village_secretary_has_no_form(world, client):
    client.force_login(world.secretary_a.user)
    assert client.get("/supervision/records/new/").status_code == 403
    assert client.get("/supervision/records/").status_code == 200


def test_recording_is_refused_alike_in_the_page_and_the_api(world, client, api):
    """`supervision.permissions.may_record` decides both: a secretary 403, a town cadre 200."""
    payload = {"kind": "bulletin", "title": "通报", "text": "逾期未办结"}
    client.force_login(world.secretary_a.user)
    assert client.post("/supervision/records/new/", {**payload, "region": world.village_a.code}).status_code == 403
    r = api.post("/supervision/records", {**payload, "region_code": world.village_a.code}, user=world.secretary_a.user)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert not AccountabilityRecord.objects.exists()
    client.force_login(world.town_cadre.user)
    assert client.get("/supervision/records/new/").status_code == 200
    r = api.post("/supervision/records", {**payload, "region_code": world.village_a.code}, user=world.town_cadre.user)
    assert r.status_code == 201


def test_the_form_starts_at_today_in_iso_for_the_date_picker(world, client):
    from fengqiao.lib import clock

    client.force_login(world.operator.user)
    html = client.get("/supervision/records/new/").content.decode()
    assert f'name="decided_on" value="{clock.local_date().isoformat()}"' in html
