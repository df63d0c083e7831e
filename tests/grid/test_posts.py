"""Posts down to the household: the village's and town's cadres appoint and revoke unit heads
(单元长) and household heads (户长) from the posts page, each a post in scope, each audited."""

from __future__ import annotations

from fengqiao.audit.models import AuditEntry
from fengqiao.grid import actions
from fengqiao.grid.models import Appointment, GridRole
from fengqiao.people.models import Person, Post, Role


def test_the_secretary_appoints_and_revokes_a_household_head(gw, client):
    household = gw.households[0]
    client.force_login(gw.user("secretary_a"))
    response = client.post("/grid/posts/", {"form": "household_head", "household_code": household.code,
                                            "name": "柯大爷", "phone": "13800000001"})
    assert response.status_code == 302, response.content.decode()
    head = Appointment.objects.get(role=GridRole.HOUSEHOLD_HEAD)
    assert head.household == household and head.region_id == household.region_id and head.post is None
    assert head.person.user is None and head.person.phone == "13800000001"
    assert AuditEntry.objects.filter(action="appoint", note="柯大爷").count() == 1
    assert "柯大爷" in client.get("/grid/posts/").content.decode()
    # A second head for the same household is a form error, not a second post.
    again = client.post("/grid/posts/", {"form": "household_head", "household_code": household.code,
                                         "name": "柯某某", "phone": ""})
    assert again.status_code == 400 and Appointment.objects.filter(role=GridRole.HOUSEHOLD_HEAD).count() == 1
    assert client.post(f"/grid/posts/{head.pk}/end/").status_code == 302
    head.refresh_from_db()
    assert not head.active and head.ended_at is not None
    assert AuditEntry.objects.filter(action="appoint_end").count() == 1
    # Appointed again, the same person (name and phone) is found, not registered twice.
    client.post("/grid/posts/", {"form": "household_head", "household_code": household.code,
                                 "name": "柯大爷", "phone": "13800000001"})
    assert Person.objects.filter(name="柯大爷").count() == 1


def test_a_town_cadre_appoints_a_unit_head_who_gets_the_post_at_the_unit(gw, client):
    person = Person.objects.create(name="吴单元长")
    client.force_login(gw.user("town_cadre"))
    response = client.post("/grid/posts/", {"form": "post", "person": person.pk, "role": GridRole.UNIT_HEAD,
                                            "region": gw.unit_a.pk})
    assert response.status_code == 302, response.content.decode()
    appointment = Appointment.objects.get(role=GridRole.UNIT_HEAD)
    assert appointment.post.role == Role.GRID_WORKER and appointment.post.region_id == gw.unit_a.pk
    second = Person.objects.create(name="林某")
    refused = client.post("/grid/posts/", {"form": "post", "person": second.pk, "role": GridRole.UNIT_HEAD,
                                           "region": gw.unit_a.pk})
    assert refused.status_code == 400 and "吴单元长" in refused.content.decode()
    at_a_grid = client.post("/grid/posts/", {"form": "post", "person": second.pk, "role": GridRole.UNIT_HEAD,
                                             "region": gw.grid_a.pk})
    assert at_a_grid.status_code == 400
    client.post(f"/grid/posts/{appointment.pk}/end/")
    assert not Post.objects.get(pk=appointment.post_id).active


def test_bad_household_numbers_and_outsiders(gw, client):
    client.force_login(gw.user("secretary_a"))
    other = client.post("/grid/posts/", {"form": "household_head", "household_code": gw.household_b.code,
                                         "name": "蔡某某"})
    assert other.status_code == 400 and not Appointment.objects.filter(role=GridRole.HOUSEHOLD_HEAD).exists()
    empty = client.post("/grid/posts/", {"form": "household_head", "household_code": "", "name": ""})
    assert empty.status_code == 400
    head = actions.household_head_appoint(actor=gw.user("secretary_a"), household=gw.households[1], name="柯某某")
    client.force_login(gw.user("secretary_b"))
    assert client.post(f"/grid/posts/{head.pk}/end/").status_code == 404
    client.force_login(gw.user("worker_a"))  # a grid worker sees the posts but appoints none
    page = client.get("/grid/posts/").content.decode()
    assert 'data-testid="household-head-form"' not in page
    assert client.post("/grid/posts/", {"form": "household_head", "household_code": "YB-003",
                                        "name": "吴某某"}).status_code == 403
    assert client.post(f"/grid/posts/{head.pk}/end/").status_code == 403
    head.refresh_from_db()
    assert head.active
