"""The one transition function every workflow's actions go through.

    transition(WORKFLOW, record, actor=user, action="accept", body=body)

in the caller's transaction (`perform` opens a durable one): lock the row (`select_for_update`;
on SQLite the transaction is BEGIN IMMEDIATE already), check the actor's posts (403) *before* the
state machine (409) — the posts decide first —, run the action's `body` (which changes fields and
says which in `step.fields`), move the status to the move's target, save with `update_fields`,
write one audit row on the record's stream, fire the workflow's hooks, then the body's `after`
callbacks. Texts go into the outbox from the body (`notify_people`), so they commit or roll back
with everything else. A record-only entry (a clock's warning) skips the state machine but is
locked, audited and hooked the same way.

A workflow is declared once, in the app that owns it:

    WORKFLOW = register(Workflow(machine=MACHINE, model=Petition, require=permissions.require,
                                 stream=lambda p: f"petition:{p.pk}", …))
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from fengqiao.audit import chain as audit
from fengqiao.lib import clock
from fengqiao.workflow.hooks import Change, Hooks, snapshot
from fengqiao.workflow.machine import Machine


@dataclass
class Step:
    """What an action's body decided: which fields it changed, what to note, what to do after."""

    fields: set[str] = field(default_factory=set)
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    after: list[Callable[[], None]] = field(default_factory=list)
    fresh: bool = False  # the record was inserted in this transaction
    outcome: str | None = None  # for a move with outcome-dependent targets: which one


def _no_event(record: Any) -> None:
    return None


def _no_recipients(record: Any, running: Any) -> list:
    return []


@dataclass(frozen=True)
class Workflow:
    machine: Machine
    model: type[models.Model]
    # The actor's posts for `action` on `record` (raise NotPermitted); not called for the platform.
    require: Callable[[Any, Any, str], None]
    stream: Callable[[Any], str]  # the record's audit stream: "petition:12"
    # The event an audit row and an outbox row link to (a case's dispute event), if any.
    event_of: Callable[[Any], Any] = _no_event
    related: tuple[str, ...] = ()  # select_related when locking
    hooks: Hooks = field(default_factory=Hooks)
    # How a change is told to listeners (events keep their EventChange with `.event`).
    make_change: Callable[..., Any] = Change
    # Who is told when one of the record's clocks warns or passes, and the text's parameters.
    clock_recipients: Callable[[Any, Any], list] = _no_recipients
    clock_params: Callable[[Any, Any], dict[str, Any]] = field(default=lambda record, running: {})

    @property
    def name(self) -> str:
        return self.machine.name

    def lock(self, record: models.Model | int) -> Any:
        pk = record if isinstance(record, int) else record.pk
        qs = self.model._default_manager.select_for_update(of=("self",))
        if self.related:
            qs = qs.select_related(*self.related)
        return qs.get(pk=pk)

    def require_first(self, record: models.Model | int, actor: Any, action: str) -> None:
        """The actor's posts, checked before their input is validated (a 403 must not become a
        400 or a 404 that tells what the input would have done). `transition` checks again
        under the lock."""
        if actor is None:
            return
        target = record if isinstance(record, models.Model) else (
            self.model._default_manager.filter(pk=record).first())
        if target is not None:
            self.require(actor, target, action)


@functools.cache
def _has_updated_at(model: type[models.Model]) -> bool:
    """Whether saves of the model carry its `auto_now` stamp (asked once per model, not per action)."""
    return any(f.name == "updated_at" for f in model._meta.concrete_fields)


_REGISTRY: dict[str, Workflow] = {}


def register(workflow: Workflow) -> Workflow:
    """Make the workflow known to the clock scanner (by its machine's name)."""
    _REGISTRY[workflow.name] = workflow
    return workflow


def registered(name: str) -> Workflow:
    return _REGISTRY[name]


def record_entry(workflow: Workflow, record: Any, *, actor: Any, action: str, from_state: str,
                 note: str = "", details: dict[str, Any] | None = None,
                 new_stream: bool = False) -> None:
    """Write one audit row on the record's stream (inside the action's transaction)."""
    audit.record(
        stream=workflow.stream(record),
        event=workflow.event_of(record),
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=workflow.machine.status_of(record),
        note=note,
        details=details or {},
        new_stream=new_stream,
    )


def transition(
    workflow: Workflow,
    record: models.Model | int,
    *,
    actor: Any,
    action: str,
    body: Callable[[Any, Step], None],
    fresh: bool = False,
    record_only: bool = False,
) -> Any:
    """Perform one action on one record inside the caller's transaction (see the module).

    `fresh`: `record` is the instance this transaction has just inserted — no other transaction
    can see it yet, so it is neither locked nor reloaded. `record_only`: an entry of the record
    that is not a move (a clock's notice); the posts and the state machine are not asked."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transition must run inside the action's transaction")
    machine = workflow.machine
    if fresh:
        assert isinstance(record, models.Model) and record.pk is not None
        locked = record
    else:
        locked = workflow.lock(record)
    from_state = machine.status_of(locked)
    move = None
    if not record_only:
        if action not in machine.moves:
            machine.check(from_state, action)  # raises: unknown action
        if actor is not None:
            workflow.require(actor, locked, action)  # 403 before 409: the posts decide first
        move = machine.check(from_state, action)
        machine.check_guard(locked, action)
    before = snapshot(locked)
    step = Step(fresh=fresh)
    body(locked, step)
    if move is not None and machine.status_of(locked) == from_state:
        target = move.target
        if move.outcomes and step.outcome is not None:
            target = move.outcomes[step.outcome]
        if target is not None and target != from_state:
            setattr(locked, machine.status_field, target)
            step.fields.add(machine.status_field)
    if step.fields:
        fields = set(step.fields)
        if _has_updated_at(type(locked)):
            fields.add("updated_at")
        locked.save(update_fields=sorted(fields))
    record_entry(workflow, locked, actor=actor, action=action, from_state=from_state,
                 note=step.note, details=step.details)
    workflow.hooks.fire(workflow.make_change(record=locked, action=action, from_state=from_state,
                                             before=before, actor=actor, at=clock.now(),
                                             fresh=fresh))
    for fn in step.after:
        fn()
    return locked


def perform(workflow: Workflow, record: models.Model | int, *, actor: Any, action: str,
            body: Callable[[Any, Step], None]) -> Any:
    """`transition` in a durable transaction of its own (the usual top-level action)."""
    with transaction.atomic(durable=True):
        return transition(workflow, record, actor=actor, action=action, body=body)


def create(workflow: Workflow, record: models.Model, *, actor: Any, action: str = "register",
           note: str = "", details: dict[str, Any] | None = None) -> Any:
    """Insert a new record and write the first row of its stream (inside the caller's
    transaction); the hooks hear `action` with no state before."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("create must run inside the action's transaction")
    record.save(force_insert=True)
    record_entry(workflow, record, actor=actor, action=action, from_state="", note=note,
                 details=details, new_stream=True)
    workflow.hooks.fire(workflow.make_change(record=record, action=action, from_state="",
                                             before=None, actor=actor, at=clock.now(), fresh=True))
    return record
