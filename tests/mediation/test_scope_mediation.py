"""Scope in one place (mediation/queries.py): a town mediator sees the town's cases and no other
town's (404, never 403); a mediator put on a case sees it wherever it is; a 群英 member sees the
tasks handed to them. Parties are masked unless the reader's work needs them, and every unmasked
read is logged."""

from __future__ import annotations

import pytest
from django.http import Http404

from fengqiao.mediation import actions, queries
from fengqiao.mediation.models import Case, PartyRead
from tests.factories import register
from tests.mediation.world import Centre, build_centre

PARTIES = [{"side": "applicant", "name": "柯某", "phone": "13912345678", "id_number": "350322199003074570",
            "address": "度尾镇洋坂村128号"},
           {"side": "respondent", "name": "吴某", "phone": "13987654321"}]


@pytest.fixture
def centre(world) -> Centre:
    return build_centre(world)


def case_at(centre: Centre, region, org=None) -> Case:
    w = centre.world
    event = register(w, actor=w.operator.user, region=region)
    return actions.case_open(actor=w.operator.user, event=event, org=org or centre.centre, kind="people",
                             parties=PARTIES)


def test_a_town_mediator_sees_the_towns_cases_only(centre):
    w = centre.world
    ours = case_at(centre, w.village_a)
    theirs = case_at(centre, w.village_c, centre.other_committee)
    town_user = centre.user("town_mediator")
    assert list(queries.visible_cases(town_user)) == [ours]
    assert queries.access_case_for_user(town_user, ours.pk) == ours
    with pytest.raises(Http404):
        queries.access_case_for_user(town_user, theirs.pk)
    assert list(queries.visible_cases(centre.user("other_mediator"))) == [theirs]
    assert set(queries.visible_cases(centre.user("county_mediator"))) == {ours, theirs}


def test_the_village_sees_its_village_and_a_department_liaison_nothing(centre):
    w = centre.world
    ours = case_at(centre, w.village_a)
    case_at(centre, w.village_b)
    assert list(queries.visible_cases(w.secretary_a.user)) == [ours]
    assert list(queries.visible_cases(w.dept_liaison.user)) == []
    assert list(queries.visible_cases(None)) == []


def test_a_mediator_on_a_case_sees_it_beyond_their_area(centre):
    w = centre.world
    theirs = case_at(centre, w.village_c, centre.other_committee)
    li = centre.user("brand_mediator")  # 李中秋: no post at all
    with pytest.raises(Http404):
        queries.access_case_for_user(li, theirs.pk)
    actions.case_assign(case=theirs, actor=w.operator.user, mediator=centre.brand_mediator)
    li = centre.user("brand_mediator")
    assert queries.access_case_for_user(li, theirs.pk) == theirs
    assert list(queries.visible_cases(li)) == [theirs]


@pytest.mark.parametrize("bad", ["x", "", None, -1, 2**70, "1 OR 1=1"])
def test_odd_ids_are_404s(centre, bad):
    with pytest.raises(Http404):
        queries.access_case_for_user(centre.world.operator.user, bad)


def test_tasks_are_seen_by_their_member_their_dispatcher_and_the_place(centre):
    w = centre.world
    event = register(w, actor=w.operator.user)
    task = actions.task_dispatch(actor=w.police_a.user, event=event, member=centre.member)
    assert list(queries.visible_tasks(centre.user("member"))) == [task]
    assert list(queries.my_tasks(centre.user("member"))) == [task]
    assert list(queries.visible_tasks(centre.user("member_b"))) == []  # same pool, not theirs
    with pytest.raises(Http404):
        queries.access_task_for_user(centre.user("member_b"), task.pk)
    assert queries.access_task_for_user(w.police_a.user, task.pk) == task
    assert list(queries.visible_tasks(w.town_cadre.user)) == [task]
    assert list(queries.visible_tasks(w.other_town_cadre.user)) == []


def test_parties_are_masked_for_the_village_and_clear_for_mediators_with_every_read_logged(centre):
    w = centre.world
    case = case_at(centre, w.village_a)
    seen = queries.parties_for(w.secretary_a.user, case, via="api")
    assert seen[0]["phone"] == "139****5678" and seen[0]["id_number"] == "350322********4570"
    assert seen[0]["address"] == "度尾镇洋坂村…" and seen[0]["masked"] is True
    assert PartyRead.objects.count() == 0
    clear = queries.parties_for(centre.user("town_mediator"), case, via="page")
    assert clear[0]["phone"] == "13912345678" and clear[0]["id_number"] == "350322199003074570"
    read = PartyRead.objects.get()
    assert read.user == centre.user("town_mediator") and read.case == case and read.via == "page"
    # A town cadre handles events, not the centre's parties: masked.
    assert queries.parties_for(w.town_cadre.user, case, via="api")[0]["masked"] is True
    # 李中秋 on the case needs them.
    actions.case_assign(case=case, actor=w.operator.user, mediator=centre.brand_mediator)
    assert queries.parties_for(centre.user("brand_mediator"), case, via="api")[0]["masked"] is False
    assert PartyRead.objects.count() == 2


def test_the_phone_and_id_number_are_encrypted_at_rest(centre):
    from django.db import connection

    case = case_at(centre, centre.world.village_a)
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, id_number, phone_index FROM mediation_caseparty WHERE case_id = %s "
                       "ORDER BY id", [case.pk])
        phone, id_number, index = cursor.fetchone()
    assert phone.startswith("enc1:") and id_number.startswith("enc1:") and "13912345678" not in phone
    from fengqiao.lib.protect import blind_index

    assert index == blind_index("13912345678")
