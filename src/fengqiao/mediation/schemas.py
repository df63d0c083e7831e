"""The mediation API's JSON shapes (ninja / pydantic): what comes in is bounded here, what goes
out is declared here (the OpenAPI document is built from these)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

from ninja import Schema
from pydantic import Field

from fengqiao.lib.inputs import MAX_INT
from fengqiao.mediation import machine
from fengqiao.mediation.models import (
    Host,
    Kind,
    MediatorLevel,
    OrgKind,
    PoolSource,
    SeatKind,
    SessionMode,
    Side,
    Specialty,
)

Id = Field(ge=1, le=MAX_INT)
KindCode = Literal["people", "administrative", "judicial", "arbitration", "review", "pre_litigation"]
SpecialtyCode = Literal["family", "labour", "work_injury", "land", "neighbour", "traffic", "medical", "property",
                        "debt", "consumer", "other"]
# Spelled out for the type checker; the models' choices are the truth.
assert set(get_args(KindCode)) == set(Kind.values) and set(get_args(SpecialtyCode)) == set(Specialty.values)


# --------------------------------------------------------------------------------- in


class CasePartyIn(Schema):
    side: Literal[tuple(Side.values)]  # type: ignore[valid-type]
    name: str = Field(min_length=1, max_length=100)
    phone: str = Field("", max_length=20)
    id_number: str = Field("", max_length=18)
    address: str = Field("", max_length=200)
    is_organisation: bool = False
    sex: Literal["", "男", "女"] = ""
    occupation: str = Field("", max_length=100)
    agent: str = Field("", max_length=100)
    ethnicity: str = Field("", max_length=20)
    birth_date: dt.date | None = None
    representative: str = Field("", max_length=50)


class CaseOpenIn(Schema):
    """Open a case on a dispute event already registered."""

    event_id: int = Id
    org_id: int = Id
    kind: KindCode
    title: str = Field("", max_length=200)
    specialty: SpecialtyCode | Literal[""] = ""
    facts: str = Field("", max_length=10000)
    claims: str = Field("", max_length=5000)
    parties: list[CasePartyIn] = Field(default_factory=list, max_length=20,
                                       description="Empty: the event's parties are copied")
    mediator_id: int | None = Field(None, ge=1, le=MAX_INT, description="The lead, assigned at once")
    mediator_reason: str = Field("", max_length=200)


class WindowIn(Schema):
    """一窗受理: the dispute is registered through the one door and its case opened at once."""

    org_id: int = Id
    kind: KindCode
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=10000)
    region_code: str = Field(min_length=1, max_length=32)
    category_code: str | None = Field(None, max_length=32)
    specialty: SpecialtyCode | Literal[""] = ""
    facts: str = Field("", max_length=10000)
    claims: str = Field("", max_length=5000)
    address: str = Field("", max_length=300)
    parties: list[CasePartyIn] = Field(min_length=1, max_length=20)
    mediator_id: int | None = Field(None, ge=1, le=MAX_INT, description="The lead, assigned at once")
    mediator_reason: str = Field("", max_length=200)


class CourtIn(WindowIn):
    """诉调对接: a court's referral with its case number and deadline."""

    kind: KindCode = "pre_litigation"
    court_name: str = Field(min_length=1, max_length=100)
    court_case_number: str = Field(min_length=1, max_length=60)
    court_deadline: dt.datetime | None = None


class SessionSeatIn(Schema):
    kind: Literal[tuple(SeatKind.values)]  # type: ignore[valid-type]
    representative: str = Field("", max_length=50)
    unit_name: str = Field("", max_length=100)
    department_id: int | None = Field(None, ge=1, le=MAX_INT)
    person_id: int | None = Field(None, ge=1, le=MAX_INT)


class AgreementTermIn(Schema):
    content: str = Field(min_length=1, max_length=2000)
    due_on: dt.date | None = None
    obligor_id: int | None = Field(None, ge=1, le=MAX_INT)
    amount: str | None = Field(None, max_length=20, description="Yuan, e.g. 12000.00")
    manner: str = Field("", max_length=100)
    place: str = Field("", max_length=100)


class CaseActionIn(Schema):
    action: str = Field(description="One of: " + ", ".join(machine.ACTIONS), max_length=32)
    note: str | None = Field(None, max_length=2000)
    reason: str | None = Field(None, max_length=2000)
    text: str | None = Field(None, max_length=5000)
    mediator_id: int | None = Field(None, ge=1, le=MAX_INT)
    role: Literal["lead", "assistant"] | None = None
    session_id: int | None = Field(None, ge=1, le=MAX_INT)
    scheduled_for: dt.datetime | None = None
    held_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    place: str | None = Field(None, max_length=200)
    mode: Literal[tuple(SessionMode.values)] | None = None  # type: ignore[valid-type]
    attendees: list[str] | None = Field(None, max_length=50)
    parties_present: list[int] | None = Field(None, max_length=20)
    seats: list[SessionSeatIn] | None = Field(None, max_length=20)
    notes: str | None = Field(None, max_length=20000)
    result: str | None = Field(None, max_length=5000)
    recorder: str | None = Field(None, max_length=50)
    retention: Literal["long", "short", "permanent"] | None = None
    subject: str | None = Field(None, max_length=100)
    content: str | None = Field(None, max_length=20000)
    investigators: list[str] | None = Field(None, max_length=10)
    days: int | None = Field(None, ge=-MAX_INT, le=MAX_INT)
    form: Literal["written", "oral"] | None = None
    terms: list[AgreementTermIn] | None = Field(None, max_length=30)
    facts: str | None = Field(None, max_length=10000)
    disputes: str | None = Field(None, max_length=5000)
    responsibility: str | None = Field(None, max_length=5000)
    performance_manner: str | None = Field(None, max_length=300)
    signed_at: dt.datetime | None = None
    effective_at: dt.datetime | None = None
    to: Literal["litigation", "arbitration"] | None = None
    report: str | None = Field(None, max_length=5000)
    term_id: int | None = Field(None, ge=1, le=MAX_INT)
    status: Literal["pending", "performed", "partly", "not"] | None = None
    method: Literal["visit", "phone", "other"] | None = None
    visited_at: dt.datetime | None = None
    dispute_settled: bool | None = None
    court_name: str | None = Field(None, max_length=100)
    court_case_number: str | None = Field(None, max_length=60)
    applied_at: dt.datetime | None = None
    decision: Literal["confirmed", "rejected"] | None = None
    decided_at: dt.datetime | None = None


class PoolTaskIn(Schema):
    """派单."""

    event_id: int = Id
    member_id: int = Id
    instructions: str = Field("", max_length=2000)
    case_id: int | None = Field(None, ge=1, le=MAX_INT)


class PoolTaskActionIn(Schema):
    action: str = Field(description="One of: " + ", ".join(machine.TASK_ACTIONS), max_length=32)
    reason: str | None = Field(None, max_length=500)
    report: str | None = Field(None, max_length=5000)
    settled: bool | None = None
    note: str | None = Field(None, max_length=500)
    member_id: int | None = Field(None, ge=1, le=MAX_INT)


# -------------------------------------------------------------------------------- out


class MediationRegionRef(Schema):
    code: str
    name: str
    level: str


class MediationOrgOut(Schema):
    id: int
    name: str
    kind: Literal[tuple(OrgKind.values)]  # type: ignore[valid-type]
    host: Literal[tuple(Host.values)]  # type: ignore[valid-type]
    level: str
    region: MediationRegionRef
    lead: str | None
    address: str
    phone: str


class MediatorOut(Schema):
    id: int
    person_id: int
    name: str
    level: Literal[tuple(MediatorLevel.values)]  # type: ignore[valid-type]
    level_label: str
    specialties: list[str]
    region: MediationRegionRef
    org: str | None
    title: str
    load: int
    phone: str  # masked: a colleague's work phone is for calling through the platform


class MediatorSuggestionOut(Schema):
    mediator: MediatorOut
    reason: str
    specialty_match: bool
    area: str
    load: int


class CaseMediatorOut(Schema):
    mediator_id: int
    name: str
    level: str
    role: str
    reason: str
    active: bool
    assigned_at: dt.datetime


class PartyOut(Schema):
    id: int
    side: str
    side_label: str
    name: str
    is_organisation: bool
    phone: str
    id_number: str
    address: str
    sex: str
    occupation: str
    agent: str
    ethnicity: str
    birth_date: dt.date | None
    representative: str
    masked: bool


class SessionSeatOut(Schema):
    kind: str
    kind_label: str
    unit_name: str
    representative: str


class SessionOut(Schema):
    id: int
    state: str
    scheduled_for: dt.datetime
    held_at: dt.datetime | None
    ended_at: dt.datetime | None
    place: str
    mode: str
    attendees: list[str]
    parties_present: list[int]
    seats: list[SessionSeatOut]
    notes: str
    result: str
    recorder: str
    photos: list[int]


class InvestigationOut(Schema):
    id: int
    held_at: dt.datetime
    place: str
    investigators: list[str]
    subject: str
    content: str
    recorder: str


class AgreementTermOut(Schema):
    id: int
    seq: int
    content: str
    obligor_id: int | None
    due_on: dt.date | None
    amount: str | None
    manner: str
    place: str
    status: str
    checked_at: dt.datetime | None
    check_note: str


class ConfirmationOut(Schema):
    applied_at: dt.datetime
    court_name: str
    court_case_number: str
    decision: str
    decided_at: dt.datetime | None
    decision_note: str


class AgreementOut(Schema):
    number: str
    kind: str
    facts: str
    disputes: str
    responsibility: str
    performance_manner: str
    signed_at: dt.datetime
    effective_at: dt.datetime
    performance: str
    terms: list[AgreementTermOut]
    confirmation: ConfirmationOut | None


class CaseFollowUpOut(Schema):
    id: int
    visited_at: dt.datetime
    method: str
    visitor_name: str
    note: str
    dispute_settled: bool


class CaseClockOut(Schema):
    key: str
    name: str
    started_at: dt.datetime
    due_at: dt.datetime
    stopped_at: dt.datetime | None
    outcome: str
    overdue: bool
    extended_days: int
    approximate: bool


class CaseAttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    session_id: int | None
    document: str


class CaseSummary(Schema):
    id: int
    code: str
    title: str
    kind: str
    kind_label: str
    specialty: str
    status: str
    status_label: str
    channel: str
    event_id: int
    event_code: str
    org: str
    region: MediationRegionRef
    lead_mediator: str | None
    applied_at: dt.datetime
    outcome: str
    joint: bool
    court_case_number: str


class CaseOut(CaseSummary):
    facts: str
    claims: str
    court_name: str
    court_deadline: dt.datetime | None
    court_reported_at: dt.datetime | None
    court_report: str
    received_out_of_hours: bool
    accepted_at: dt.datetime | None
    refuse_reason: str
    outcome_at: dt.datetime | None
    outcome_note: str
    closed_at: dt.datetime | None
    filed_by: str
    retention: str
    mediators: list[CaseMediatorOut]
    parties: list[PartyOut]
    sessions: list[SessionOut]
    investigations: list[InvestigationOut]
    agreement: AgreementOut | None
    follow_ups: list[CaseFollowUpOut]
    clocks: list[CaseClockOut]
    attachments: list[CaseAttachmentOut]
    available_actions: list[str]


class CasePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CaseSummary]


class CaseActionOut(Schema):
    case: CaseOut
    created: dict[str, int] = Field(default_factory=dict, description="Ids of rows the action made")


class CaseTimelineEntry(Schema):
    seq: int
    action: str
    action_label: str
    actor: str
    from_state: str
    to_state: str
    note: str
    details: dict[str, Any]
    created_at: dt.datetime


class CaseWorklistOut(Schema):
    counts: dict[str, int]
    bucket: str | None
    items: list[CaseSummary]


class PoolMemberOut(Schema):
    id: int
    person_id: int
    name: str
    pool: str
    source: Literal[tuple(PoolSource.values)]  # type: ignore[valid-type]
    specialties: list[str]
    open_tasks: int


class PoolTaskOut(Schema):
    id: int
    status: str
    status_label: str
    event_id: int
    event_code: str
    title: str
    region: MediationRegionRef
    member: PoolMemberOut
    dispatcher: str
    instructions: str
    dispatched_at: dt.datetime
    accepted_at: dt.datetime | None
    decline_reason: str
    report: str
    settled: bool | None
    reported_at: dt.datetime | None
    closed_at: dt.datetime | None
    close_note: str
    due_at: dt.datetime | None
    overdue: bool
    case_id: int | None
    available_actions: list[str]


class PoolTaskPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[PoolTaskOut]


class DutyShiftOut(Schema):
    org: str
    person_id: int
    name: str
    role: str
    starts_at: dt.datetime
    ends_at: dt.datetime


class MediationFigureOut(Schema):
    key: str
    name: str
    cases: int
    settled: int
    ended: int
    average_days: float | None
    performed: int
    performance_checked: int
    terms_due: int
    terms_performed: int
