"""Every action from every state: legal moves succeed and land where the table says; illegal
ones are refused with 409 naming the state, and change nothing."""

import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from fengqiao.audit import chain as audit
from fengqiao.audit.models import AuditEntry
from fengqiao.events import actions
from fengqiao.events import statemachine as sm
from fengqiao.events.models import Event, Satisfaction, Status
from fengqiao.events.permissions import available_actions
from fengqiao.lib.errors import Conflict, DomainError, IllegalTransition
from tests.events.helpers import event_in, valid_data
from tests.factories import register


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser("root", password="x")


CASES = [(status, action) for status in Status.values for action in sm.ACTIONS]


@pytest.mark.parametrize(("status", "action"), CASES, ids=[f"{s}-{a}" for s, a in CASES])
def test_every_action_from_every_state(world, root, status, action):
    event = event_in(world, status, root)
    data = valid_data(world, event, action, root)
    event.refresh_from_db()
    before_rows = AuditEntry.objects.filter(event=event).count()
    legal = sm.allows(status, action)
    if legal:
        actions.perform(event=event, actor=root, action=action, data=data)
        event.refresh_from_db()
        move = sm.MOVES[action]
        if move.target is not None:
            assert event.status == move.target
        last = AuditEntry.objects.filter(event=event).order_by("-seq").first()
        assert last.action == action and last.from_state == status and last.to_state == event.status
    else:
        with pytest.raises(IllegalTransition) as err:
            actions.perform(event=event, actor=root, action=action, data=data)
        assert status in err.value.message
        event.refresh_from_db()
        assert event.status == status
        assert AuditEntry.objects.filter(event=event).count() == before_rows
    assert audit.verify() is None


def test_close_needs_a_satisfied_call_back_first(world, root):
    event = event_in(world, Status.IN_PROGRESS, root)
    actions.event_resolve(event=event, actor=root, result="已处理")
    with pytest.raises(IllegalTransition) as err:
        actions.event_close(event=event, actor=root)
    assert err.value.code == "call_back_first"


def test_a_resolution_is_called_back_once(world, root):
    event = event_in(world, Status.RESOLVED, root)
    actions.event_call_back(event=event, actor=root, satisfaction="satisfied")
    with pytest.raises(IllegalTransition) as err:
        actions.event_call_back(event=event, actor=root, satisfaction="dissatisfied")
    assert err.value.code == "already_called_back"
    event.refresh_from_db()
    assert event.satisfaction == "satisfied" and event.status == Status.RESOLVED
    assert "call_back" not in available_actions(root, event) and "close" in available_actions(root, event)


SATISFACTIONS = ["", *Satisfaction.values]
BUTTON_CASES = [(status, satisfaction, action) for status in Status.values for satisfaction in SATISFACTIONS
                for action in ("call_back", "close")]


@pytest.mark.parametrize(("status", "satisfaction", "action"), BUTTON_CASES,
                         ids=[f"{s}-{v or 'none'}-{a}" for s, v, a in BUTTON_CASES])
def test_the_button_is_offered_exactly_when_the_action_succeeds(world, root, status, satisfaction, action):
    """For every state × satisfaction: a call-back or close button is shown iff the action goes
    through (some combinations cannot arise from actions; the field is set directly to check the
    rule, not the path)."""
    event = event_in(world, status, root)
    Event.objects.filter(pk=event.pk).update(satisfaction=satisfaction)
    event.refresh_from_db()
    offered = action in available_actions(root, event)
    try:
        if action == "close":
            actions.event_close(event=event, actor=root)
        else:
            actions.event_call_back(event=event, actor=root, satisfaction="satisfied")
    except IllegalTransition:
        succeeded = False
    else:
        succeeded = True
    assert offered == succeeded


def test_dissatisfied_call_back_reopens_and_counts_as_rework(world, root):
    event = event_in(world, Status.IN_PROGRESS, root)
    actions.event_resolve(event=event, actor=root, result="已处理")
    actions.event_call_back(event=event, actor=root, satisfaction="dissatisfied", note="工资仍未到账")
    event.refresh_from_db()
    assert event.status == Status.IN_PROGRESS and event.reopen_count == 1
    with pytest.raises(IllegalTransition):
        actions.event_close(event=event, actor=root)


def test_escalation_goes_village_town_county_then_stops(world, root):
    event = event_in(world, Status.IN_PROGRESS, root)
    actions.event_escalate(event=event, actor=root, reason="村级无法化解")
    event.refresh_from_db()
    assert (event.tier, event.status) == ("town", Status.DISPATCHED)
    assert {a.person for a in event.assignments.filter(active=True, kind="tier")} == {world.town_cadre}
    actions.event_escalate(event=event, actor=root, reason="镇级会商后仍无法化解")
    event.refresh_from_db()
    assert event.tier == "county" and event.escalation_count == 2
    assert world.operator in {a.person for a in event.assignments.filter(active=True, kind="tier")}
    with pytest.raises(IllegalTransition) as err:
        actions.event_escalate(event=event, actor=root, reason="再提级")
    assert err.value.code == "top_tier"


def test_second_extension_request_waits_for_the_first(world, root):
    event = event_in(world, Status.IN_PROGRESS, root)
    actions.event_request_extension(event=event, actor=root, days=3, reason="等待鉴定")
    with pytest.raises(IllegalTransition) as err:  # the move's guard: 409, as before
        actions.event_request_extension(event=event, actor=root, days=3, reason="再次申请")
    assert err.value.code == "extension_pending" and err.value.status == 409


def test_approved_extension_moves_the_deadline(world, root):
    event = event_in(world, Status.IN_PROGRESS, root)
    before = event.deadline
    actions.event_request_extension(event=event, actor=root, days=3, reason="等待鉴定")
    actions.event_approve_extension(event=event, actor=root)
    event.refresh_from_db()
    assert (event.deadline - before).days == 3 and event.extension_count == 1


def test_rejected_extension_keeps_the_deadline(world, root):
    event = event_in(world, Status.IN_PROGRESS, root)
    before = event.deadline
    actions.event_request_extension(event=event, actor=root, days=3, reason="等待鉴定")
    actions.event_reject_extension(event=event, actor=root, reason="理由不充分")
    event.refresh_from_db()
    assert event.deadline == before and event.extension_count == 0


# ----------------------------------------------------------------------------- hypothesis


class EventLoop(RuleBasedStateMachine):
    """Random walks of actions on one event against a model of the status."""

    def __init__(self, world, actor):
        super().__init__()
        self.world, self.actor = world, actor
        self.succeeded = 0

    @initialize(start_in_town=st.booleans())
    def register(self, start_in_town):
        region = self.world.town if start_in_town else self.world.village_a
        self.event = register(self.world, region=region, actor=self.actor,
                              parties=[actions.PartyInput(name="柯某", phone="13912345678")])
        self.expected = Status.REGISTERED if start_in_town else Status.DISPATCHED
        self.succeeded = AuditEntry.objects.filter(event=self.event).count()

    @rule(action=st.sampled_from(sm.ACTIONS), satisfaction=st.sampled_from(["satisfied", "basically_satisfied", "dissatisfied"]))
    def act(self, action, satisfaction):
        event = Event.objects.get(pk=self.event.pk)
        data = valid_data(self.world, event, action, self.actor)
        # valid_data may have taken a prerequisite step (a request, a flag): count it.
        self.succeeded = AuditEntry.objects.filter(event=self.event).count()
        event.refresh_from_db()
        if action == "call_back":
            data["satisfaction"] = satisfaction
        try:
            actions.perform(event=event, actor=self.actor, action=action, data=data)
        except IllegalTransition:
            assert not sm.legal_now(event, action) or action in {
                "escalate", "approve_extension", "reject_extension"}
            return
        except (Conflict, DomainError):
            assert action in {"add_assignee", "flag_risk", "unflag_risk", "request_extension", "urge"}
            return
        assert sm.allows(self.expected, action), f"{action} succeeded from {self.expected}"
        self.succeeded += 1
        target = sm.MOVES[action].target
        if action == "call_back" and satisfaction == "dissatisfied":
            self.expected = Status.IN_PROGRESS
        elif target is not None:
            self.expected = target

    @invariant()
    def status_matches_the_model_and_every_step_is_recorded(self):
        if not hasattr(self, "event"):
            return
        event = Event.objects.get(pk=self.event.pk)
        assert event.status == self.expected
        assert AuditEntry.objects.filter(event=event).count() == self.succeeded
        if event.status in (Status.DISPATCHED, Status.IN_PROGRESS):
            assert event.deadline is not None
        if event.status == Status.CLOSED:
            assert event.satisfaction in ("satisfied", "basically_satisfied")

    def teardown(self):
        assert audit.verify() is None


def test_random_walks_keep_the_state_machine_and_the_record_consistent(world, root):
    run_state_machine_as_test(
        lambda: EventLoop(world, root),
        settings=settings(max_examples=25, stateful_step_count=15, deadline=None,
                          suppress_health_check=list(HealthCheck)),
    )
