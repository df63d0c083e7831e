"""Writes on supervision: village categories, pairing (挂钩), accountability records, thresholds
and bulletin packs. Keyword-only, a required `actor`, one durable transaction, one audit row in
the "supervision" stream each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.audit import chain as audit
from fengqiao.events.models import Event
from fengqiao.events.scope import visible_events
from fengqiao.lib import clock
from fengqiao.lib.errors import InvalidInput, NotPermitted
from fengqiao.people.models import Department, Pairing, Person
from fengqiao.regions.models import Level, Region, VillageCategory
from fengqiao.supervision.models import (
    AUDIT_STREAM,
    AccountabilityRecord,
    BulletinRun,
    CategoryThresholds,
    RecordKind,
    VillageRating,
)
from fengqiao.supervision.permissions import RECORDERS, may_set_thresholds, require_decide


def _note(value: Any, name: str, *, required: bool = False, max_length: int = 500) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise InvalidInput(_("“%(f)s” is required.") % {"f": name}, field=name)
    if len(text) > max_length:
        raise InvalidInput(_("“%(f)s” is longer than %(n)d characters.") % {"f": name, "n": max_length}, field=name)
    return text


def _village(region: Region | None) -> Region:
    if region is None or region.level != Level.VILLAGE:
        raise InvalidInput(_("Choose a village."), field="village")
    return region


# --------------------------------------------------------------------------- village category


def village_category_confirm(
    *, actor, village: Region, category: str, suggested: str = "", measure: str = "",
    value: Decimal | None = None, events: int = 0, span: tuple[dt.date, dt.date] | None = None,
    note: str = "",
) -> VillageRating:
    """Confirm a village's category (放心/较好/一般/滞后): writes `Region.village_category`, keeps
    the rating with the figures it was judged on, and records it."""
    village = _village(village)
    if category not in VillageCategory.values:
        raise InvalidInput(_("Choose a category."), field="category")
    note = _note(note, "note")
    require_decide(actor, village)
    with transaction.atomic(durable=True):
        locked = Region.objects.select_for_update().get(pk=village.pk)
        previous = locked.village_category
        locked.village_category = category
        locked.save(update_fields=["village_category"])
        rating = VillageRating.objects.create(
            village=locked, suggested=suggested if suggested in VillageCategory.values else "",
            category=category, previous=previous, measure=measure, value=value, events=events,
            span_start=span[0] if span else None, span_end=span[1] if span else None, note=note,
            confirmed_by=actor if getattr(actor, "pk", None) else None, confirmed_at=clock.now(),
        )
        audit.record(
            stream=AUDIT_STREAM, action="confirm_village_category", actor=actor, note=note,
            from_state=previous, to_state=category,
            details={"village": locked.code, "suggested": rating.suggested, "measure": measure,
                     "value": str(value) if value is not None else None, "events": events},
        )
    village.village_category = category
    return rating


def check_thresholds(measure: str, reassuring_at: Any, good_at: Any, average_at: Any, min_events: Any,
                     span_days: Any) -> tuple[list[Decimal], int, int]:
    """The thresholds parsed and checked: for a lower-is-better measure they must rise from 放心 to
    一般, else fall. Raises InvalidInput naming the field."""
    from fengqiao.command.measures import higher_is_better
    from fengqiao.supervision.categories import measure_choices

    if measure not in dict(measure_choices()):
        raise InvalidInput(_("Unknown measure “%(m)s”.") % {"m": measure}, field="measure")
    try:
        cuts = [Decimal(str(v)) for v in (reassuring_at, good_at, average_at)]
        min_n, days = int(min_events), int(span_days)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput(_("Thresholds must be numbers."), field="reassuring_at") from None
    ordered = cuts == sorted(cuts, reverse=True) if higher_is_better(measure) else cuts == sorted(cuts)
    if not ordered or len(set(cuts)) != 3:
        raise InvalidInput(_("The thresholds must step down from 放心 to 一般 (up, for a measure "
                             "where lower is better)."), field="good_at")
    if min_n < 0 or not 1 <= days <= 3660:
        raise InvalidInput(_("The span must be 1 to 3660 days."), field="span_days")
    return cuts, min_n, days


def thresholds_set(
    *, actor, measure: str, reassuring_at: Any, good_at: Any, average_at: Any,
    min_events: Any = 5, span_days: Any = 90,
) -> CategoryThresholds:
    """The admin's cut-offs (see `check_thresholds`)."""
    cuts, min_n, days = check_thresholds(measure, reassuring_at, good_at, average_at, min_events, span_days)
    if not may_set_thresholds(actor):
        raise NotPermitted(_("Only an administrator sets the thresholds."))
    # Not durable: the Django admin's change view already runs inside its own transaction.
    with transaction.atomic():
        row = CategoryThresholds.objects.select_for_update().order_by("id").first() or CategoryThresholds()
        before = {"measure": row.measure, "cuts": [str(row.reassuring_at), str(row.good_at), str(row.average_at)]}
        row.measure = measure
        row.reassuring_at, row.good_at, row.average_at = cuts
        row.min_events, row.span_days = min_n, days
        row.updated_at = clock.now()
        row.updated_by = actor if getattr(actor, "pk", None) else None
        row.save()
        audit.record(stream=AUDIT_STREAM, action="set_category_thresholds", actor=actor,
                     details={"before": before, "measure": measure, "cuts": [str(c) for c in cuts],
                              "min_events": min_n, "span_days": days})
    return row


# ----------------------------------------------------------------------------------- pairing


def pairing_create(*, actor, department: Department, village: Region, note: str = "") -> Pairing:
    """挂钩: pair a department with a village; its liaisons then see the village's events."""
    village = _village(village)
    note = _note(note, "note")
    require_decide(actor, village)
    with transaction.atomic(durable=True):
        if Pairing.objects.select_for_update().filter(department=department, village=village, active=True).exists():
            raise InvalidInput(_("%(d)s is already paired with %(v)s.") % {"d": department.name, "v": village.name},
                               code="duplicate", field="village")
        pairing = Pairing.objects.create(
            department=department, village=village, note=note, created_at=clock.now(),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit.record(stream=AUDIT_STREAM, action="pair_department", actor=actor, note=note,
                     details={"department": department.code, "village": village.code, "pairing": pairing.pk})
    return pairing


def pairing_end(*, actor, pairing: Pairing) -> Pairing:
    require_decide(actor, pairing.village)
    with transaction.atomic(durable=True):
        row = Pairing.objects.select_for_update().get(pk=pairing.pk)
        if not row.active:
            raise InvalidInput(_("This pairing has already ended."), code="ended")
        row.active = False
        row.ended_at = clock.now()
        row.ended_by = actor if getattr(actor, "pk", None) else None
        row.save(update_fields=["active", "ended_at", "ended_by"])
        audit.record(stream=AUDIT_STREAM, action="unpair_department", actor=actor,
                     details={"department": row.department.code, "village": row.village.code, "pairing": row.pk})
    return row


# -------------------------------------------------------------------- accountability records


def _scope_of_person(person: Person) -> Region | None:
    posts = list(person.posts.filter(active=True).select_related("region").order_by("id"))
    return posts[0].region if posts else None


def record_create(
    *, actor, kind: str, title: str, text: str, decided_on: dt.date | None = None,
    target_region: Region | None = None, target_department: Department | None = None,
    target_person: Person | None = None, events: Iterable[Event | int] = (), score: Any = None,
) -> AccountabilityRecord:
    """通报 / 约谈 / 问责 / 考评 against one unit or person, linked to the events behind it (which
    the actor must be able to see)."""
    if kind not in RecordKind.values:
        raise InvalidInput(_("Choose a kind."), field="kind")
    title = _note(title, "title", required=True, max_length=200)
    text = _note(text, "text", required=True, max_length=20000)
    targets = [t for t in (target_region, target_department, target_person) if t is not None]
    if len(targets) != 1:
        raise InvalidInput(_("Name exactly one unit or person."), field="target")
    scope: Region | None
    if target_region is not None:
        scope = target_region
    elif target_department is not None:
        scope = target_department.region or Region.objects.filter(level=Level.COUNTY).order_by("code").first()
    else:
        assert target_person is not None
        scope = _scope_of_person(target_person)
    if scope is None:
        raise InvalidInput(_("That target has no region to file the record under."), field="target")
    value = None
    if score not in (None, ""):
        try:
            value = Decimal(str(score))
        except InvalidOperation:
            raise InvalidInput(_("The score must be a number."), field="score") from None
        if not Decimal("-9999") <= value <= Decimal("9999"):
            raise InvalidInput(_("The score must be a number."), field="score")
    require_decide(actor, scope, RECORDERS)
    ids = sorted({e.pk if isinstance(e, Event) else int(e) for e in events})
    if ids:
        seen = set(visible_events(actor).filter(pk__in=ids).values_list("pk", flat=True)) if actor else set(ids)
        missing = [i for i in ids if i not in seen]
        if missing:
            raise InvalidInput(_("No such event: %(id)s.") % {"id": missing[0]}, field="events")
    now = clock.now()
    with transaction.atomic(durable=True):
        record = AccountabilityRecord.objects.create(
            kind=kind, title=title, text=text, decided_on=decided_on or clock.local_date(now), score=value,
            target_region=target_region, target_department=target_department, target_person=target_person,
            scope_region=scope, county_id=scope.county_id, town_id=scope.town_id, village_id=scope.village_id,
            created_by=actor if getattr(actor, "pk", None) else None,
            created_by_name=audit.name_of(actor), created_at=now,
        )
        if ids:
            record.events.set(ids)
        audit.record(stream=AUDIT_STREAM, action=f"record_{kind}", actor=actor, note=title,
                     details={"record": record.pk, "target": record.target_label, "scope": scope.code,
                              "events": ids})
    return record


# --------------------------------------------------------------------------------- bulletins


def bulletin_request(*, actor, date_from: dt.date, date_to: dt.date, region: Region) -> BulletinRun:
    """Ask for a bulletin pack; the worker builds it (`supervision.tasks.build_bulletin`)."""
    from fengqiao.supervision.bulletin import check_period

    check_period(date_from, date_to)
    require_decide(actor, region, RECORDERS)
    with transaction.atomic(durable=True):
        run = BulletinRun.objects.create(
            date_from=date_from, date_to=date_to, region=region, created_at=clock.now(),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit.record(stream=AUDIT_STREAM, action="request_bulletin", actor=actor,
                     details={"run": run.pk, "region": region.code, "from": date_from.isoformat(),
                              "to": date_to.isoformat()})

        def enqueue() -> None:
            from fengqiao.supervision.tasks import build_bulletin

            build_bulletin(run.pk)

        transaction.on_commit(enqueue)
    return run


def bulletin_record(*, actor, date_from: dt.date, date_to: dt.date, region: Region, docx: bytes, xlsx: bytes,
                    requested_by=None) -> BulletinRun:
    """Keep a pack `fengqiao bulletin` built (the platform, `actor=None`, or a recorder over the
    region) as a finished run, so the bulletins page lists and serves it beside those asked for
    there. `requested_by`: the user whose scope it was read in (the command's --user)."""
    from django.core.files.base import ContentFile

    from fengqiao.supervision.bulletin import base_name, check_period

    check_period(date_from, date_to)
    require_decide(actor, region, RECORDERS)
    owner = requested_by if getattr(requested_by, "pk", None) else (actor if getattr(actor, "pk", None) else None)
    with transaction.atomic(durable=True):
        now = clock.now()
        run = BulletinRun.objects.create(date_from=date_from, date_to=date_to, region=region, created_at=now,
                                         created_by=owner, state=BulletinRun.State.DONE, progress=100,
                                         finished_at=now)
        name = base_name(region, date_from, date_to)
        run.docx.save(f"{name}-{run.pk}.docx", ContentFile(docx), save=False)
        run.xlsx.save(f"{name}-{run.pk}.xlsx", ContentFile(xlsx), save=False)
        run.save(update_fields=["docx", "xlsx"])
        audit.record(stream=AUDIT_STREAM, action="record_bulletin", actor=actor,
                     details={"run": run.pk, "region": region.code, "from": date_from.isoformat(),
                              "to": date_to.isoformat(), "by": getattr(owner, "username", "")})
    return run


# --------------------------------------------------------------------------------- campaigns


def campaign_create(
    *, actor, name: str, start: dt.date, end: dt.date, region: Region, category=None,
    source: str = "", notes: str = "",
):
    """专项行动 (e.g. 百日攻坚): a span of registration days, a region, optional category and
    source. Operators, county leaders and admins over the region start one."""
    from fengqiao.command.models import Campaign
    from fengqiao.events.models import Source

    name = _note(name, "name", required=True, max_length=100)
    notes = _note(notes, "notes", max_length=5000)
    if start is None or end is None or end < start:
        raise InvalidInput(_("The end cannot be before the start."), field="end")
    if (end - start).days > 3660:
        raise InvalidInput(_("A span can be at most ten years."), field="end")
    if source and source not in Source.values:
        raise InvalidInput(_("Unknown source “%(s)s”.") % {"s": source}, field="source")
    require_decide(actor, region)
    with transaction.atomic(durable=True):
        campaign = Campaign.objects.create(name=name, start=start, end=end, region=region,
                                           category=category, source=source or "", notes=notes)
        audit.record(stream=AUDIT_STREAM, action="create_campaign", actor=actor, note=name,
                     details={"campaign": campaign.pk, "region": region.code, "start": start.isoformat(),
                              "end": end.isoformat(), "category": category.code if category else None,
                              "source": source or None})
    return campaign
