"""The case file (卷宗) of a mediation case: what each standard document prints, gathered from the
case's rows for one viewer, and the .docx made from it.

    collect(case, viewer=user) -> documents.data.CaseFile
    build(case, viewer=user, key="agreement") -> (file name, .docx bytes)

The viewer's rights decide once whether phone and ID numbers are printed in full
(`queries.parties_for`, which logs an unmasked read as `PartyRead(via="document")`); the formats
in `documents/formats.py` only lay the values out. Scope is the caller's: pass a case from
`queries.access_case_for_user`. The documents are Chinese whatever the page language (they are
signed and filed in Chinese): every label they print is written here in Chinese, never looked up
in the interface's translations.

Where the rows hold nothing for a line of a form, the line is left blank to be written by hand
(民族, the recorder of a session); nothing is made up. Derived values, each from the rows:
- age: from the 18-digit ID number's birth date, on the day the case was applied for (so every
  document of the file, printed any day, gives the same age; only when unmasked);
- sex: from the ID number's 17th digit when the party's sex is blank (likewise);
- source (案件来源): the window is the party's application, a court referral the court's
  委派, a 110 call the police's 移送, a 12345 ticket a department's, any other dispute event the
  committee's own initiative (主动调解);
- copies (一式几份): one per party and one for the committee (§29);
- the §33 window: the running `mediation.confirm` clock's due date, else the policy's days
  from the agreement's effect;
- 立卷人 / 立卷日期 / 保管期限: the lead mediator, the close date, 长期 for an agreement with
  terms to perform, else 短期.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from fengqiao.lib import clock
from fengqiao.lib.errors import InvalidInput
from fengqiao.mediation import queries
from fengqiao.mediation.documents import data, formats
from fengqiao.mediation.documents.writer import cn_date
from fengqiao.mediation.models import (
    KIND_CHINESE,
    SPECIALTY_CHINESE,
    Case,
    CaseMediator,
    Channel,
    Confirmation,
    Kind,
    Outcome,
    Performance,
    SeatKind,
    Session,
    SessionMode,
    Specialty,
)
from fengqiao.workflow import clocks

SIDES = {"applicant": "申请人", "respondent": "被申请人", "third": "第三人"}
OUTCOME_RESULTS = {
    Outcome.WRITTEN: "经调解,双方当事人自愿达成书面调解协议。",
    Outcome.ORAL: "经调解,双方当事人自愿达成口头调解协议。",
    Outcome.NO_AGREEMENT: "经调解,双方当事人未能达成协议,已告知当事人可依法通过仲裁、行政、司法等途径维护权利。",
    Outcome.WITHDRAWN: "当事人撤回调解申请,调解终止。",
    Outcome.LITIGATION: "调解未成,已引导当事人依法向人民法院提起诉讼。",
    Outcome.ARBITRATION: "调解未成,已引导当事人依法申请仲裁。",
}
PERFORMANCE = {
    Performance.PERFORMED: "已履行",
    Performance.PARTLY: "部分履行",
    Performance.NOT: "未履行",
}
DECISIONS = {
    Confirmation.Decision.PENDING: "等待人民法院决定",
    Confirmation.Decision.CONFIRMED: "人民法院裁定确认调解协议有效",
    Confirmation.Decision.REJECTED: "人民法院裁定驳回申请",
}
MODES = {SessionMode.FACE_TO_FACE: "面对面调解", SessionMode.BACK_TO_BACK: "背对背调解"}
SEATS = {
    SeatKind.LABOUR: "劳动保障所", SeatKind.SAFETY: "安监", SeatKind.JUSTICE: "司法所", SeatKind.POLICE: "派出所",
    SeatKind.COURT: "人民法院", SeatKind.PETITION: "信访部门", SeatKind.LEGAL_ADVISER: "法律顾问",
    SeatKind.OTHER: "其他部门",
}
_ID18 = re.compile(r"^\d{17}[\dXx]$")


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(moment) if moment is not None else None


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment is not None else None


def _birth(id_number: str) -> tuple[dt.date, str] | None:
    """Birth date and sex an 18-digit resident ID number encodes (GB 11643), or None."""
    if not _ID18.match(id_number or ""):
        return None
    try:
        born = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None
    return born, ("男" if int(id_number[16]) % 2 else "女")


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _source(case: Case) -> tuple[str, bool]:
    """案件来源 and whether a party applied (the file then holds the 申请书)."""
    if case.channel == Channel.WINDOW:
        return "当事人申请", True
    if case.channel == Channel.COURT:
        return "人民法院委派", False
    source = case.event.source
    if source in ("walk_in", "citizen", "proxy"):
        return "当事人申请", True
    if source == "police_110":
        return "公安机关移送", False
    if source == "hotline_12345":
        return "有关部门移送", False
    return "人民调解委员会主动调解", False


def _lines(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in (text or "").splitlines() if t.strip())


def _particulars(rows: list[dict[str, Any]], today: dt.date) -> tuple[data.Particulars, ...]:
    out = []
    for row in rows:
        born = None if row["masked"] else _birth(row["id_number"])
        sex = row["sex"] or (born[1] if born and not row["is_organisation"] else "")
        out.append(data.Particulars(
            side=SIDES.get(row["side"], "当事人"),
            name=row["name"],
            sex=sex,
            age=age_on(born[0], today) if born and not row["is_organisation"] else None,
            occupation=row["occupation"],
            address=row["address"],
            phone=row["phone"],
            id_number=row["id_number"],
            organisation=row["is_organisation"],
            representative="",
            agent=row["agent"],
        ))
    # 申请人 first, then 被申请人, then third parties: as the forms list them.
    order = {"申请人": 0, "被申请人": 1, "第三人": 2}
    return tuple(sorted(out, key=lambda p: order.get(p.side, 3)))


def _mediators(case: Case) -> list[CaseMediator]:
    return list(case.mediators.filter(active=True).select_related("mediator__person")
                .order_by("role", "assigned_at", "id"))  # "assistant" < "lead": reversed below


def _names_of_mediators(rows: Iterable[CaseMediator]) -> tuple[str, ...]:
    rows = list(rows)
    lead = [r for r in rows if r.role == CaseMediator.Role.LEAD]
    others = [r for r in rows if r.role != CaseMediator.Role.LEAD]
    return tuple(r.mediator.person.name for r in lead + others)


def _registrar(case: Case, fallback: str) -> str:
    """Who accepted the case (登记人): the actor of its `accept` (or `open`) audit row."""
    for entry in queries.timeline(case):
        if entry.action in ("accept", "open") and (entry.actor_name or entry.actor_id):
            name = entry.actor_name
            if entry.action == "accept" or not name:
                return name or fallback
    return fallback


def _seats(session: Session) -> tuple[data.Seat, ...]:
    grouped: dict[str, list[str]] = {}
    for seat in session.seats.all():
        name = seat.unit_name or (seat.department.name if seat.department else "") or SEATS[SeatKind(seat.kind)]
        grouped.setdefault(name, []).append(seat.representative)
    return tuple(data.Seat(name, tuple(reps)) for name, reps in grouped.items())


def _sessions(case: Case, mediators: tuple[str, ...]) -> tuple[data.Session, ...]:
    held = list(case.sessions.filter(state=Session.State.HELD).order_by("held_at", "scheduled_for", "id")
                .prefetch_related("seats__department", "parties_present"))
    out = []
    for number, s in enumerate(held, start=1):
        seats = _seats(s)
        present = tuple(p.name for p in s.parties_present.all())
        known = set(present) | set(mediators) | {r for seat in seats for r in seat.representatives}
        participants = tuple(n for n in (s.attendees or []) if isinstance(n, str) and n not in known)
        result = ""
        if number == len(held) and case.outcome:
            result = OUTCOME_RESULTS.get(Outcome(case.outcome), "")
        out.append(data.Session(
            number=number, at=_local(s.held_at or s.scheduled_for), place=s.place,
            manner=MODES.get(SessionMode(s.mode), s.mode), parties_present=present, mediators=mediators,
            seats=seats, participants=participants, notes=s.notes, result=result, joint=bool(seats),
        ))
    return tuple(out)


def _confirmation_due(case: Case, agreement) -> dt.date | None:
    if agreement.kind != Outcome.WRITTEN:
        return None
    from fengqiao.mediation.machine import CONFIRMABLE_KINDS

    if case.kind not in CONFIRMABLE_KINDS:
        return None
    for running in queries.clocks_for(case):
        if running.policy.key == "mediation.confirm":
            return _day(running.due_at)
    try:
        policy = clocks.policy("mediation.confirm")
    except InvalidInput:  # the admin switched the limit off: no window printed
        return None
    return _day(clocks.compute(start=agreement.effective_at, days=policy.days, day_kind=policy.day_kind).at)


def _confirmation_text(agreement) -> str:
    try:
        found = agreement.confirmation
    except Confirmation.DoesNotExist:
        return ""
    text = f"{cn_date(_day(found.applied_at))}双方当事人共同向{found.court_name}申请司法确认"
    if found.court_case_number:
        text += f"(案号{found.court_case_number})"
    text += f";{DECISIONS[Confirmation.Decision(found.decision)]}"
    if found.decided_at:
        text += f"({cn_date(_day(found.decided_at))})"
    if found.decision_note:
        text += f":{found.decision_note}"
    return text + "。"


def _term_state(term, today: dt.date) -> str:
    if term.status in PERFORMANCE:
        return PERFORMANCE[Performance(term.status)]
    if term.due_on is not None and term.due_on < today:
        return "已到期待核实"
    return "未到期"


def _agreement(case: Case, today: dt.date, parties: int) -> data.Agreement | None:
    try:
        agreement = case.agreement
    except Exception:  # no agreement
        return None
    terms = tuple(
        data.Term(
            content=t.content,
            obligor=t.obligor.name if t.obligor else "",
            due=t.due_on,
            performance=_term_state(t, today),
        )
        for t in agreement.terms.select_related("obligor").order_by("seq")
    )
    return data.Agreement(
        number=case.code,
        oral=agreement.kind == Outcome.ORAL,
        concluded_on=_day(agreement.signed_at),
        effective_on=_day(agreement.effective_at),
        facts=agreement.facts or case.facts,
        points=agreement.disputes,
        responsibility=agreement.responsibility,
        terms=terms,
        copies=parties + 1,
        manner=agreement.performance_manner,
        confirmation_due=_confirmation_due(case, agreement),
        confirmation=_confirmation_text(agreement),
    )


def _visits(case: Case, party_names: tuple[str, ...], agreement: data.Agreement | None) -> tuple[data.Visit, ...]:
    performance = ""
    if agreement is not None and agreement.terms:
        states = {t.performance for t in agreement.terms}
        performance = states.pop() if len(states) == 1 else "部分履行" if "已履行" in states else "履行中"
    out = []
    for f in case.follow_ups.order_by("visited_at", "id"):
        out.append(data.Visit(
            at=_local(f.visited_at),
            visitors=(f.visitor_name,),
            visited=party_names,
            matter=case.title,
            findings=f.note,
            performance=performance,
            satisfaction="",
            holding=("纠纷已化解,未出现反复" if f.dispute_settled else "纠纷出现反复"),
            method={"visit": "上门回访", "phone": "电话回访"}.get(f.method, "其他方式"),
        ))
    return tuple(out)


def collect(case: Case, *, viewer: Any, party_rows: list[dict[str, Any]] | None = None) -> data.CaseFile:
    """Everything the file prints for this case, masked as `viewer` may see it. `party_rows`:
    the parties as `queries.parties_for` already gave them to this viewer (a page listing the
    documents reads them once, and that read is the one logged)."""
    today = timezone.localtime(clock.now()).date()
    rows = party_rows if party_rows is not None else queries.parties_for(viewer, case, via="document")
    parties = _particulars(rows, _day(case.applied_at) or today)
    mediator_rows = _mediators(case)
    mediators = _names_of_mediators(mediator_rows)
    lead = mediators[0] if mediators else ""
    source, applied = _source(case)
    agreement = _agreement(case, today, len(parties))
    closed = _day(case.closed_at)
    remarks = []
    if case.channel == Channel.COURT:
        remarks.append(f"{case.court_name}委派调解,案号{case.court_case_number}"
                       + (f",调解期限至{cn_date(_day(case.court_deadline))}"
                          if case.court_deadline else ""))
    if case.refuse_reason:
        remarks.append(f"不予受理:{case.refuse_reason}")
    category = (case.event.category.name if case.event.category_id
                else SPECIALTY_CHINESE.get(Specialty(case.specialty), "") if case.specialty else "")
    return data.CaseFile(
        committee=case.org.name,
        number=case.code,
        title=case.title,
        kind=KIND_CHINESE[Kind(case.kind)],
        category=category,
        source=source,
        summary=case.facts or case.event.description,
        parties=parties,
        requests=_lines(case.claims),
        applied=applied,
        applied_on=_day(case.applied_at),
        accepted_on=_day(case.accepted_at),
        closed_on=closed or _day(case.outcome_at),
        registrar=_registrar(case, lead),
        mediators=mediators,
        filer=lead if closed else "",
        filed_on=closed,
        retention=("长期" if agreement is not None and agreement.terms else "短期") if closed else "",
        remarks=";".join(remarks),
        investigations=tuple(
            data.Investigation(
                at=_local(i.held_at), place=i.place, subjects=(i.subject,),
                investigators=tuple(str(n) for n in (i.investigators or [])), content=i.content,
            )
            for i in case.investigations.order_by("held_at", "id")
        ),
        sessions=_sessions(case, mediators),
        agreement=agreement,
        visits=_visits(case, tuple(p.name for p in parties), agreement),
        masked=bool(rows) and rows[0]["masked"],
        scans=frozenset(case.attachments.exclude(document="").values_list("document", flat=True)),
    )


def keys(case: Case, *, viewer: Any) -> list[str]:
    """The documents the case's file holds (which does not depend on the parties: none is read)."""
    return formats.keys(collect(case, viewer=viewer, party_rows=[]))


def build(case: Case, *, viewer: Any, key: str) -> tuple[str, bytes]:
    """One document of the file (or "casefile": the whole, bound) as (download name, bytes).
    Raises formats.NotInFile for a document the case does not hold."""
    cf = collect(case, viewer=viewer)
    return formats.filename(key, cf), formats.document(key, cf)
