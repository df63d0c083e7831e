"""Every move of the petition machine: legal where the table says (landing where it says, one
audit row on petition:<id>), refused with 409 everywhere else (nothing written), and the posts
asked before the state (403 whatever the state)."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.audit.models import AuditEntry
from fengqiao.lib.errors import IllegalTransition, NotPermitted
from fengqiao.petitions.actions import perform_action
from fengqiao.petitions.machine import MACHINE, MOVES
from fengqiao.petitions.models import Petition, Status
from tests.petitions.helpers import STATES, actor_for, at, data_for, local, petition_in

pytestmark = pytest.mark.django_db

STATUS_MOVES = [(a, s) for a, m in MOVES.items() if m.target is not None for s in sorted(m.sources)]
KEEPING = ["assign", "urge", "escalate", "list_backlog", "resort", "settle_backlog"]


def _stream(p: Petition) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(stream=f"petition:{p.pk}").order_by("seq"))


def _later(p: Petition) -> dt.datetime:
    """A moment after the petition's last step, inside every window that step opened."""
    last = AuditEntry.objects.filter(stream=f"petition:{p.pk}").order_by("-seq").first()
    assert last is not None
    return last.created_at + dt.timedelta(hours=2)


@pytest.mark.parametrize("action, source", STATUS_MOVES)
def test_each_status_move_lands_where_the_table_says_and_writes_one_audit_row(world, action, source):
    p = petition_in(world, source)
    before = _stream(p)
    with at(_later(p)):
        perform_action(petition=p, actor=actor_for(world, action), action=action, data=data_for(world, action))
    p.refresh_from_db()
    assert p.status == MOVES[action].target
    rows = _stream(p)
    assert len(rows) == len(before) + 1
    last = rows[-1]
    assert (last.action, last.from_state, last.to_state) == (action, source, MOVES[action].target)
    assert last.actor_id == actor_for(world, action).pk


@pytest.mark.parametrize("state", STATES)
def test_every_move_the_table_does_not_allow_from_a_state_is_a_409_and_writes_nothing(world, state):
    p = petition_in(world, state)
    before = len(_stream(p))
    refused = []
    for action, move in MOVES.items():
        if state in move.sources:
            continue
        with at(_later(p)), pytest.raises(IllegalTransition) as caught:
            perform_action(petition=p, actor=world.admin.user, action=action, data=data_for(world, action))
        assert caught.value.status == 409
        assert caught.value.code == "illegal_transition"
        assert state in caught.value.message or str(Status(state).label) in caught.value.message
        refused.append(action)
    p.refresh_from_db()
    assert p.status == state
    assert len(_stream(p)) == before
    assert set(refused) == {a for a, m in MOVES.items() if state not in m.sources}


@pytest.mark.parametrize("state", ["routed", "handling", "answered", "closed"])
def test_moves_that_keep_the_status_are_audited_on_the_petitions_stream(world, state):
    p = petition_in(world, state)
    n = len(_stream(p))
    done = []
    for action in KEEPING:
        if state not in MOVES[action].sources:
            continue
        with at(_later(p)):
            perform_action(petition=Petition.objects.get(pk=p.pk), actor=world.admin.user, action=action,
                           data=data_for(world, action))
        done.append(action)
    p.refresh_from_db()
    assert p.status == state
    rows = _stream(p)[n:]
    assert [r.action for r in rows] == done
    assert all(r.from_state == r.to_state == state for r in rows)
    assert "list_backlog" in done and "settle_backlog" in done


def test_resort_and_settle_need_an_unsettled_backlog_case(world):
    p = petition_in(world, "handling")
    for action in ("resort", "settle_backlog"):
        with at(_later(p)), pytest.raises(IllegalTransition) as caught:
            perform_action(petition=p, actor=world.operator.user, action=action, data=data_for(world, action))
        assert caught.value.code == "no_open_backlog"
    with at(_later(p)):
        perform_action(petition=p, actor=world.operator.user, action="list_backlog", data=data_for(world, "list_backlog"))
    with at(_later(p)), pytest.raises(IllegalTransition) as caught:
        perform_action(petition=p, actor=world.operator.user, action="list_backlog", data=data_for(world, "list_backlog"))
    assert caught.value.code == "already_backlog"
    with at(_later(p)):
        perform_action(petition=p, actor=world.operator.user, action="settle_backlog",
                       data=data_for(world, "settle_backlog"))
    with at(_later(p)), pytest.raises(IllegalTransition):
        perform_action(petition=p, actor=world.operator.user, action="resort", data=data_for(world, "resort"))


@pytest.mark.parametrize("state", ["registered", "routed", "handling", "answered", "closed"])
def test_the_posts_decide_before_the_state_a_community_police_officer_is_refused_403_everywhere(world, state):
    """林民警 sees village A's petitions (masked) but holds no post that acts on them: every move,
    legal now or not, is a 403 — never a 409 that tells the state."""
    p = petition_in(world, state)
    n = len(_stream(p))
    for action in MOVES:
        with at(_later(p)), pytest.raises(NotPermitted):
            perform_action(petition=p, actor=world.police_a.user, action=action, data=data_for(world, action))
    assert len(_stream(p)) == n


def test_a_town_cadre_may_route_but_not_accept_for_a_department(world):
    p = petition_in(world, "registered")
    with at(local(2026, 3, 3)), pytest.raises(NotPermitted):
        perform_action(petition=p, actor=world.town_cadre.user, action="accept", data={})  # 403, not 409
    with at(local(2026, 3, 3)):
        perform_action(petition=p, actor=world.town_cadre.user, action="route",
                       data={"department_code": world.department.code})
    with at(local(2026, 3, 4)), pytest.raises(NotPermitted):
        perform_action(petition=Petition.objects.get(pk=p.pk), actor=world.town_cadre.user, action="accept", data={})
    with at(local(2026, 3, 4)):
        perform_action(petition=Petition.objects.get(pk=p.pk), actor=world.dept_liaison.user, action="accept", data={})
    assert Petition.objects.get(pk=p.pk).status == Status.ACCEPTED


def test_the_body_responsible_is_who_may_accept_a_village_office_s_secretary(world):
    p = petition_in(world, "registered")
    with at(local(2026, 3, 3)):
        perform_action(petition=p, actor=world.town_cadre.user, action="route",
                       data={"office_code": world.village_a.code, "routing": "assign"})
    p.refresh_from_db()
    assert p.body_name == "洋坂村委会" and p.routing == "assign"
    with at(local(2026, 3, 4)), pytest.raises(NotPermitted):
        perform_action(petition=p, actor=world.dept_liaison.user, action="accept", data={})
    with at(local(2026, 3, 4)):
        perform_action(petition=p, actor=world.secretary_a.user, action="accept", data={})
    p.refresh_from_db()
    assert p.status == Status.ACCEPTED and p.handler_id == world.secretary_a.pk


def test_an_objection_sends_it_back_to_routing_and_the_office_is_texted(world):
    from fengqiao.notify.models import OutboxMessage

    p = petition_in(world, "routed")
    with at(local(2026, 3, 4)):
        perform_action(petition=p, actor=world.dept_liaison.user, action="object",
                       data={"reason": "属劳动仲裁受理范围"})
    p.refresh_from_db()
    assert p.status == Status.REGISTERED and not p.has_body and p.objection_count == 1
    text = OutboxMessage.objects.filter(template="petition_objected").get()
    assert text.person_id == world.operator.pk
    assert "县人社局" in text.body and "属劳动仲裁受理范围" in text.body and p.code in text.body
    assert MACHINE.legal_now(p, "route")


def test_texts_and_audit_rows_never_carry_a_petitioners_identity(world):
    from fengqiao.notify.models import OutboxMessage
    from tests.petitions.helpers import ID_KE, PHONE_KE

    p = petition_in(world, "handling")
    with at(_later(p)):
        perform_action(petition=p, actor=world.operator.user, action="urge", data={})
    with at(_later(p)):
        perform_action(petition=p, actor=world.dept_liaison.user, action="answer", data=data_for(world, "answer"))
    blob = " ".join(f"{e.note} {e.details}" for e in _stream(p))
    blob += " ".join(m.body + str(m.params) for m in OutboxMessage.objects.all())
    for secret in ("柯志明", ID_KE, PHONE_KE, "洋坂村3组18号"):
        assert secret not in blob
