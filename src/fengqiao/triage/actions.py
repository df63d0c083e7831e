"""Writes for the triage queue (分流).

- `triage_open` runs inside intake's transaction (not durable): the item commits with the event.
- The operator's decisions go through the event actions (`event_dispatch`, `event_recategorise`,
  `event_merge`), each in its own durable transaction; `on_event_change` (an events hook, run
  inside that same transaction) clears the reasons those actions settle and closes the item when
  nothing is left to decide. Confirming the category an event already has, and saying "not a
  duplicate", change no event, so they are triage actions of their own.
- When a kept event is resolved, the reporters of the events merged into it get a text (through
  the outbox, in the same transaction): "every reporter hears the outcome".
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from fengqiao.audit import chain as audit
from fengqiao.events import actions as event_actions
from fengqiao.events.hooks import EventChange
from fengqiao.events.models import Category, Event, Party, Status
from fengqiao.lib import clock
from fengqiao.lib.errors import Conflict, InvalidInput, NotPermitted
from fengqiao.regions.models import Region
from fengqiao.triage.models import REASON_FIELDS, Reason, TriageItem, TwinFlag

REASONS = frozenset(Reason.values)


# --------------------------------------------------------------------------------- opening


def _candidate_dicts(candidates: Sequence[dict]) -> list[dict]:
    out = []
    for c in candidates:
        if not isinstance(c, dict) or not c.get("code"):
            raise InvalidInput(_("A region candidate needs a code."), field="region_candidates")
        out.append({k: (v if isinstance(v, (int, float, str, bool)) or v is None else str(v)) for k, v in c.items()})
    return out


def triage_open(
    *,
    event: Event,
    reasons: list[str],
    region_candidates: Sequence[dict] = (),
    category_suggestions: Sequence[tuple[Category, float]] = (),
    twins: Sequence[tuple[Event, float]] = (),
) -> TriageItem:
    """Put `event` in the triage queue for `reasons` (⊂ unrouted, ambiguous_address,
    uncategorised, duplicate). Runs inside the caller's transaction. An event already waiting in
    triage gets the new reasons, candidates and twins added to its open item."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("triage_open runs inside the caller's transaction")
    if event.pk is None:
        raise ValueError("triage_open needs a saved event")
    reasons = list(dict.fromkeys(reasons))
    unknown = [r for r in reasons if r not in REASONS]
    if unknown or not reasons:
        raise InvalidInput(
            _("Triage reasons must be some of: %(r)s.") % {"r": ", ".join(sorted(REASONS))}, field="reasons"
        )
    twins = [(t, float(s)) for t, s in twins if t.pk is not None and t.pk != event.pk]
    if Reason.DUPLICATE in reasons and not twins:
        raise InvalidInput(_("A likely duplicate needs its likely twins."), field="twins")
    if twins and Reason.DUPLICATE not in reasons:
        reasons.append(Reason.DUPLICATE)
    now = clock.now()
    item = TriageItem.objects.select_for_update().filter(event=event, closed_at__isnull=True).first()
    if item is None:
        item = TriageItem(event=event, opened_at=now, opened_reasons=reasons)
    else:
        item.opened_reasons = list(dict.fromkeys([*item.opened_reasons, *reasons]))
    for reason in reasons:
        setattr(item, REASON_FIELDS[Reason(reason)], True)
    if region_candidates:
        known = {c["code"] for c in item.region_candidates}
        item.region_candidates = [*item.region_candidates,
                                  *[c for c in _candidate_dicts(region_candidates) if c["code"] not in known]]
    if category_suggestions:
        item.category_suggestions = [
            {"code": c.code, "name": c.name, "confidence": round(float(conf), 4)}
            for c, conf in category_suggestions
        ]
    item.save()
    if twins:
        existing = set(item.twin_flags.values_list("twin_id", flat=True))
        TwinFlag.objects.bulk_create(
            TwinFlag(item=item, twin=t, score=round(s, 4)) for t, s in twins if t.pk not in existing
        )
    return item


# ------------------------------------------------------------------------------- the hook


def _close_if_done(item: TriageItem, *, actor, outcome: str) -> None:
    if item.duplicate and not item.twin_flags.filter(state=TwinFlag.State.OPEN).exists():
        item.duplicate = False
    if not item.reasons and item.closed_at is None:
        item.closed_at = clock.now()
        item.closed_by = actor if getattr(actor, "pk", None) else None
        item.outcome = outcome
    item.save()


def on_event_change(change: EventChange) -> None:
    """Settle triage reasons from the event's own actions (inside the action's transaction)."""
    action = change.action
    if action not in {"dispatch", "recategorise", "merge", "refuse", "resolve", "close"}:
        return
    if change.fresh:  # dispatched at registration: the door opens its triage item afterwards
        return
    event = change.event
    if action == "resolve":
        _tell_merged_reporters(event)
        return
    now = clock.now()
    actor = change.actor if getattr(change.actor, "pk", None) else None
    item = TriageItem.objects.select_for_update().filter(event=event, closed_at__isnull=True).first()
    if action == "merge" and event.merged_into_id is not None:  # a merge always names its keeper
        into_id = event.merged_into_id
        # Flags on both sides of this pair are settled by the merge.
        TwinFlag.objects.filter(state=TwinFlag.State.OPEN).filter(
            Q(item__event_id=into_id, twin_id=event.pk) | Q(item__event_id=event.pk, twin_id=into_id)
        ).update(state=TwinFlag.State.MERGED, decided_by=actor, decided_at=now)
        _lapse_flags_pointing_at(event, now)
        kept_item = TriageItem.objects.filter(event_id=into_id, closed_at__isnull=True).first()
        if kept_item is not None:
            _close_if_done(kept_item, actor=change.actor, outcome="merged_in")
        into = Event.objects.filter(pk=into_id).only("id", "status", "code", "title").first()
        if into is not None and into.status in {Status.RESOLVED, Status.CLOSED}:
            _tell_reporters([event], kept=into)
    elif action == "refuse":
        _lapse_flags_pointing_at(event, now)
    if item is None:
        return
    if action in {"merge", "refuse", "close"}:  # the event ended: nothing left to decide
        for attr in REASON_FIELDS.values():
            setattr(item, attr, False)
        TwinFlag.objects.filter(item=item, state=TwinFlag.State.OPEN).update(
            state=TwinFlag.State.LAPSED, decided_at=now
        )
        outcome = {"merge": "merged", "refuse": "refused", "close": "event_closed"}[action]
        _close_if_done(item, actor=change.actor, outcome=outcome)
    elif action == "dispatch":
        item.unrouted = item.ambiguous_address = False
        _close_if_done(item, actor=change.actor, outcome="dispatched")
    elif action == "recategorise":
        item.uncategorised = False
        item.category_confirmed_by = actor
        item.category_confirmed_at = now
        _close_if_done(item, actor=change.actor, outcome="categorised")


def _lapse_flags_pointing_at(event: Event, now) -> None:
    """Other items that named this event as a twin: it is gone, nothing to decide there."""
    flags = list(
        TwinFlag.objects.filter(twin=event, state=TwinFlag.State.OPEN).select_related("item")
    )
    if not flags:
        return
    TwinFlag.objects.filter(pk__in=[f.pk for f in flags]).update(state=TwinFlag.State.LAPSED, decided_at=now)
    for item in {f.item_id: f.item for f in flags}.values():
        if item.closed_at is None:
            _close_if_done(item, actor=None, outcome="twin_gone")


# ------------------------------------------------------------------- every reporter hears


def _tell_merged_reporters(kept: Event) -> None:
    merged = list(Event.objects.filter(merged_into=kept).only("id", "code", "title"))
    if merged:
        _tell_reporters(merged, kept=kept)


def _tell_reporters(merged: list[Event], *, kept: Event) -> int:
    """Text the reporters of `merged` that the matter they reported was handled as `kept`.
    Once per merged event; a phone the kept event's own reporters share is left to their
    call-back, and citizens who reported through the citizen app hear it from that app."""
    from fengqiao.notify.models import OutboxMessage
    from fengqiao.notify.templates import render_sms

    told = set(
        OutboxMessage.objects.filter(event__in=merged, template="outcome").values_list("event_id", flat=True)
    )
    todo = [e for e in merged if e.pk not in told]
    if not todo:
        return 0
    skip = set(Party.objects.filter(event=kept, is_reporter=True).exclude(phone_index="")
               .values_list("phone_index", flat=True))
    skip |= _citizen_phones([kept, *todo])
    now = clock.now()
    rows = []
    by_event = {e.pk: e for e in todo}
    for party in Party.objects.filter(event__in=todo, is_reporter=True).exclude(phone_index="").order_by("id"):
        if party.phone_index in skip or not party.phone:
            continue
        skip.add(party.phone_index)
        e = by_event[party.event_id]
        params = {"code": e.code, "title": e.title, "outcome": f"办结(已并入事项{kept.code}合并办理)",
                  "kept_code": kept.code}
        params, body = render_sms("outcome", params)  # one SMS where it can be
        rows.append(OutboxMessage(
            channel=OutboxMessage.Channel.SMS, idempotency_key=uuid.uuid4().hex, recipient=party.phone,
            event=e, template="outcome", params=params, body=body, next_attempt_at=now, created_at=now,
        ))
    if rows:
        OutboxMessage.objects.bulk_create(rows)
        transaction.on_commit(_kick_delivery)
    return len(rows)


def _citizen_phones(events: list[Event]) -> set[str]:
    """Phones the citizen app texts itself (its reports, merged ones included, hear the outcome
    with their tracking link): not texted twice."""
    from django.apps import apps

    try:
        report = apps.get_model("citizen", "CitizenReport")
    except LookupError:
        return set()
    return set(report.objects.filter(event__in=events).values_list("phone_index", flat=True))


def _kick_delivery() -> None:
    try:
        from fengqiao.notify.tasks import deliver_due

        deliver_due()
    except Exception:  # the outbox row is safe; the periodic sweep delivers it
        import logging

        logging.getLogger(__name__).warning("could not queue the delivery task", exc_info=True)


# -------------------------------------------------------------------- operator decisions


def _open_item(item: TriageItem | int) -> TriageItem:
    pk = item if isinstance(item, int) else item.pk
    found = TriageItem.objects.select_related("event").filter(pk=pk).first()
    if found is None:
        raise InvalidInput(_("No such triage item."), field="item")
    if found.closed_at is not None:
        raise Conflict(_("This triage item is already closed."), code="triage_closed")
    return found


def triage_dispatch(*, item: TriageItem | int, actor, region: Region) -> Event:
    """Pick the village (from the candidates or the region picker) and dispatch there."""
    found = _open_item(item)
    if region is None:
        raise InvalidInput(_("Choose the village this event belongs to."), field="region_code")
    return event_actions.event_dispatch(event=found.event_id, actor=actor, region=region)


def triage_set_category(*, item: TriageItem | int, actor, category: Category, note: str = "") -> TriageItem:
    """Confirm the category: change it (`event_recategorise`) or confirm the one it has."""
    found = _open_item(item)
    if category is None or not category.active:
        raise InvalidInput(_("Choose an active category."), field="category_code")
    if found.event.category_id != category.pk:
        event_actions.event_recategorise(event=found.event_id, actor=actor, category=category, note=note)
        found.refresh_from_db()
        return found
    from fengqiao.events import permissions as perms

    with transaction.atomic(durable=True):
        locked = TriageItem.objects.select_for_update().get(pk=found.pk)
        event = Event.objects.select_for_update(of=("self",)).get(pk=locked.event_id)
        if not perms.may(actor, event, "recategorise") and actor is not None:
            raise NotPermitted(_("Your posts do not allow confirming this event's category."))
        if not locked.uncategorised:
            raise Conflict(_("The category was already confirmed."), code="already_confirmed")
        locked.uncategorised = False
        locked.category_confirmed_by = actor if getattr(actor, "pk", None) else None
        locked.category_confirmed_at = clock.now()
        audit.record(stream=audit.event_stream(event), event=event, actor=actor, action="confirm_category",
                     from_state=event.status, to_state=event.status, note=note,
                     details={"category": category.code, "triage_item": locked.pk})
        _close_if_done(locked, actor=actor, outcome="categorised")
        return locked


def _flag(item: TriageItem, twin_id) -> TwinFlag:
    try:
        twin_pk = int(twin_id)
    except (TypeError, ValueError):
        raise InvalidInput(_("“%(f)s” must be a number.") % {"f": "twin_id"}, field="twin_id") from None
    flag = TwinFlag.objects.select_related("twin").filter(item=item, twin_id=twin_pk).first()
    if flag is None:
        raise InvalidInput(_("That event is not a likely twin of this one."), field="twin_id")
    if flag.state != TwinFlag.State.OPEN:
        raise Conflict(_("This twin was already decided."), code="twin_decided")
    return flag


def triage_merge(*, item: TriageItem | int, actor, twin_id, keep: str = "twin") -> Event:
    """Merge the duplicate into its twin (`keep="twin"`, the usual: the newcomer goes) or the
    twin into this event (`keep="this"`). Returns the merged (duplicate) event."""
    found = _open_item(item)
    if keep not in {"twin", "this"}:
        raise InvalidInput(_("keep must be “twin” or “this”."), field="keep")
    flag = _flag(found, twin_id)
    if keep == "twin":
        return event_actions.event_merge(event=found.event_id, actor=actor, into=flag.twin)
    return event_actions.event_merge(event=flag.twin_id, actor=actor, into=found.event)


def triage_dismiss_twin(*, item: TriageItem | int, actor, twin_id, note: str = "") -> TriageItem:
    """不是重复: the flagged event is a different matter."""
    found = _open_item(item)
    from fengqiao.events import permissions as perms

    with transaction.atomic(durable=True):
        locked = TriageItem.objects.select_for_update().get(pk=found.pk)
        event = Event.objects.select_for_update(of=("self",)).get(pk=locked.event_id)
        if actor is not None and not perms.may(actor, event, "merge"):
            raise NotPermitted(_("Your posts do not allow deciding duplicates of this event."))
        flag = _flag(locked, twin_id)
        flag.state = TwinFlag.State.DISMISSED
        flag.decided_by = actor if getattr(actor, "pk", None) else None
        flag.decided_at = clock.now()
        flag.save(update_fields=["state", "decided_by", "decided_at"])
        audit.record(stream=audit.event_stream(event), event=event, actor=actor, action="not_duplicate",
                     from_state=event.status, to_state=event.status, note=note,
                     details={"twin": flag.twin_id, "twin_code": flag.twin.code, "score": flag.score})
        _close_if_done(locked, actor=actor, outcome="not_duplicate")
        return locked
