"""挂钩: a department paired with a village sees the village's events; unpaired, it does not."""

import pytest

from fengqiao.audit.models import AuditEntry
from fengqiao.events.scope import access_event_for_user, visible_events
from fengqiao.lib.errors import InvalidInput, NotPermitted
from fengqiao.people.models import Pairing
from fengqiao.supervision.actions import pairing_create, pairing_end
from tests.factories import register

pytestmark = pytest.mark.django_db


def fresh(person):
    """The user as a new request would load it (scope is cached on the user object)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=person.user.pk)


def test_department_liaison_does_not_see_an_unpaired_village(world):
    event = register(world, region=world.village_b, title="剑山村的事")
    assert not visible_events(fresh(world.dept_liaison)).filter(pk=event.pk).exists()


def test_pairing_shows_the_village_events_to_the_department_liaison(world, client):
    event_b = register(world, region=world.village_b, title="剑山村的事")
    event_c = register(world, region=world.village_c, title="梅塘村的事")
    pairing_create(actor=world.operator.user, department=world.department, village=world.village_b)
    user = fresh(world.dept_liaison)
    ids = set(visible_events(user).values_list("pk", flat=True))
    assert event_b.pk in ids and event_c.pk not in ids
    assert access_event_for_user(user, event_b.pk).pk == event_b.pk
    client.force_login(world.dept_liaison.user)
    assert client.get(f"/events/{event_b.pk}/").status_code == 200
    assert client.get(f"/events/{event_c.pk}/").status_code == 404
    html = client.get("/events/").content.decode()
    assert "剑山村的事" in html and "梅塘村的事" not in html


def test_ending_the_pairing_hides_the_village_again(world):
    event_b = register(world, region=world.village_b, title="剑山村的事")
    pairing = pairing_create(actor=world.operator.user, department=world.department, village=world.village_b)
    pairing_end(actor=world.operator.user, pairing=pairing)
    assert not visible_events(fresh(world.dept_liaison)).filter(pk=event_b.pk).exists()
    actions = list(AuditEntry.objects.filter(stream="supervision").values_list("action", flat=True))
    assert actions == ["pair_department", "unpair_department"]


def test_a_village_secretary_cannot_pair(world):
    with pytest.raises(NotPermitted):
        pairing_create(actor=world.secretary_a.user, department=world.department, village=world.village_a)
    assert not Pairing.objects.exists()


def test_pairing_twice_is_refused_and_a_town_is_not_a_village(world):
    pairing_create(actor=world.operator.user, department=world.department, village=world.village_b)
    with pytest.raises(InvalidInput):
        pairing_create(actor=world.operator.user, department=world.department, village=world.village_b)
    with pytest.raises(InvalidInput):
        pairing_create(actor=world.operator.user, department=world.department, village=world.town)
    assert Pairing.objects.count() == 1


def test_the_liaison_page_lists_the_paired_villages_events(world, client):
    register(world, region=world.village_b, title="剑山村的事")
    register(world, region=world.village_c, title="梅塘村的事")
    client.force_login(world.dept_liaison.user)
    assert "剑山村的事" not in client.get("/supervision/paired/").content.decode()
    pairing_create(actor=world.operator.user, department=world.department, village=world.village_b)
    html = client.get("/supervision/paired/").content.decode()
    assert "剑山村的事" in html and "梅塘村的事" not in html
    assert f'data-village="{world.village_b.code}"' in html


def test_the_operator_pairs_on_the_page_and_a_secretary_cannot(world, client):
    client.force_login(world.operator.user)
    r = client.post("/supervision/pairings/", {"department": world.department.pk, "village": world.village_c.code})
    assert r.status_code == 302
    pairing = Pairing.objects.get()
    assert pairing.village == world.village_c
    assert world.village_c.name in client.get("/supervision/pairings/").content.decode()
    again = client.post("/supervision/pairings/", {"department": world.department.pk, "village": world.village_c.code})
    assert again.status_code == 400
    client.force_login(world.secretary_a.user)
    assert client.post("/supervision/pairings/", {"department": world.department.pk,
                                                  "village": world.village_a.code}).status_code == 403
    assert client.post(f"/supervision/pairings/{pairing.pk}/end").status_code == 404
    client.force_login(world.operator.user)
    assert client.post(f"/supervision/pairings/{pairing.pk}/end").status_code == 302
    assert not Pairing.objects.get().active


def test_paired_village_ids_names_the_departments_villages(world):
    from fengqiao.people.queries import paired_village_ids

    pairing_create(actor=world.operator.user, department=world.department, village=world.village_b)
    pairing_create(actor=world.operator.user, department=world.department, village=world.village_c)
    assert sorted(paired_village_ids(fresh(world.dept_liaison))) == sorted([world.village_b.pk, world.village_c.pk])
    assert paired_village_ids(fresh(world.secretary_a)) == []


def test_a_paired_villages_open_events_are_in_the_department_liaisons_worklist(world):
    from fengqiao.events.queries import worklist_counts

    register(world, region=world.village_b, title="剑山村的事")  # dispatched at once: to acknowledge
    register(world, region=world.village_c, title="梅塘村的事")
    assert worklist_counts(fresh(world.dept_liaison))["to_acknowledge"] == 0
    pairing_create(actor=world.operator.user, department=world.department, village=world.village_b)
    assert worklist_counts(fresh(world.dept_liaison))["to_acknowledge"] == 1
    # A village secretary's worklist is still only what they are bound to.
    assert worklist_counts(fresh(world.secretary_a))["to_acknowledge"] == 0
