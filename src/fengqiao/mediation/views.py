"""The mediation centre's pages. Views parse input, call `queries` (scope: 404 outside it) and the
action functions of `actions` (every write), and render; no rule of the workflow lives here.

- 调解工作台 the mediator's worklist: tabs with their counts (htmx swaps the panel);
- 案件查询 the case list with filters, and its .xlsx ledger;
- the case page: timeline (the audit stream mediation:<id>), parties (masked or not), mediators,
  sessions with the departments seated, investigations, the agreement's terms and their
  performance, follow-ups, judicial confirmation, the clocks, the case file's documents (each a
  .docx, each with its signed scan), and a button for every move that is legal now and permitted;
- 转调解 opening a case beside a dispute event, with the suggested mediators and why;
- 群英 tasks on a phone: the member's list (接单, in progress, report back) and the task page;
  派单 for a person bound to the event;
- 值班表 the centre's duty roster.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case as SqlCase
from django.db.models import IntegerField, QuerySet, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengqiao.events.scope import access_event_for_user
from fengqiao.lib import clock
from fengqiao.lib.errors import DomainError
from fengqiao.mediation import actions, casefile, forms, machine, permissions, queries
from fengqiao.mediation.documents import formats, ledger
from fengqiao.mediation.models import (
    OPEN_STATUSES,
    SPECIALTY_OF_CATEGORY,
    Case,
    CaseAttachment,
    MediationOrg,
    OrgKind,
    Performance,
    PoolMember,
    Session,
    Specialty,
    Status,
    Task,
    TaskStatus,
)
from fengqiao.mediation.suggest import suggest_mediators
from fengqiao.people.queries import person_of
from fengqiao.workflow.models import Clock

PAGE_SIZE = 20

# The worklist's tabs, in the order a mediator works them.
TABS: list[tuple[str, Any]] = [
    ("to_accept", gettext_lazy("To accept")),  # 待受理
    ("mine", gettext_lazy("My cases")),  # 我的调解
    ("mediating", gettext_lazy("Mediating")),  # 调解中
    ("performance", gettext_lazy("Performance and follow-up")),  # 待履行/回访
    ("confirmation", gettext_lazy("Confirmation window")),  # 司法确认期内
    ("to_report", gettext_lazy("To report to the court")),  # 待回复法院
    ("overdue", gettext_lazy("Overdue")),  # 已超期
]
TAB_KEYS = [k for k, _label in TABS]

TASK_TABS: list[tuple[str, Any, tuple[str, ...]]] = [
    ("new", gettext_lazy("To take"), (TaskStatus.DISPATCHED,)),  # 待接单
    ("doing", pgettext_lazy("task tab", "In progress"), (TaskStatus.ACCEPTED,)),  # 调解中
    ("reported", gettext_lazy("Reported back"), (TaskStatus.REPORTED,)),  # 已反馈
    ("done", pgettext_lazy("task tab", "Done"), (TaskStatus.CLOSED, TaskStatus.DECLINED, TaskStatus.CANCELLED)),
]


def _is_htmx(request: HttpRequest) -> bool:
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


def _centre(request: HttpRequest) -> None:
    permissions.require_centre(request.user)


# ------------------------------------------------------------------------------ worklist


def _bucket(user, key: str) -> QuerySet[Case]:
    if key in queries.CASE_BUCKETS:
        return queries.case_worklist(user, key)
    if key == "mediating":
        return queries.visible_cases(user).filter(status__in=[Status.ACCEPTED, Status.MEDIATING])
    if key == "overdue":
        late = Clock.objects.filter(workflow=machine.MACHINE.name, stopped_at=None, due_at__lt=clock.now())
        return queries.visible_cases(user).filter(pk__in=list(late.values_list("record_id", flat=True)))
    raise Http404("no such tab")


def _case_rows(cases) -> list[dict[str, Any]]:
    """Each case with its running clocks' state (one query for all the page's clocks)."""
    cases = list(cases)
    now = clock.now()
    by_case: dict[int, list[Clock]] = {}
    for c in Clock.objects.filter(workflow=machine.MACHINE.name, record_id__in=[x.pk for x in cases],
                                  stopped_at=None).select_related("policy").order_by("due_at"):
        by_case.setdefault(c.record_id, []).append(c)
    rows = []
    for case in cases:
        running = by_case.get(case.pk, [])
        first = running[0] if running else None
        rows.append({"case": case, "clock": first, "clock_state": _clock_state(first, now) if first else "",
                     "lead": _lead_name(case)})
    return rows


def _lead_name(case: Case) -> str:
    for cm in case.mediators.all():
        if cm.active and cm.role == "lead":
            return cm.mediator.person.name
    return ""


@login_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    """调解工作台: the tabs with their counts; htmx swaps the panel on a tab click."""
    _centre(request)
    counts = {key: _bucket(request.user, key).count() for key in TAB_KEYS}
    tab = request.GET.get("tab")
    if tab not in TAB_KEYS:
        tab = next((k for k in TAB_KEYS if counts[k]), TAB_KEYS[0])
    qs = (_bucket(request.user, tab).select_related("org", "village", "town", "event")
          .prefetch_related("mediators__mediator__person").order_by("-applied_at", "-id"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "tabs": [{"key": k, "label": label, "count": counts[k]} for k, label in TABS],
        "tab": tab,
        "page": page,
        "rows": _case_rows(page.object_list),
    }
    template = "mediation/_worklist.html" if _is_htmx(request) else "mediation/worklist.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# ----------------------------------------------------------------------------- case list


def _filtered(request: HttpRequest) -> tuple[forms.CaseFilterForm, QuerySet[Case] | None]:
    form = forms.CaseFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, None
    data = form.cleaned_data if request.GET else {}
    filters = queries.CaseFilters(
        status=data.get("status") or None, kind=data.get("kind") or None,
        applied_from=data.get("applied_from"), applied_to=data.get("applied_to"), q=data.get("q") or None,
    )
    try:
        return form, queries.filter_cases(request.user, filters)
    except LookupError as exc:
        form.add_error(None, _("Unknown value: %(v)s") % {"v": exc.args[0]})
        return form, None


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    """案件查询: the cases in the user's scope, filtered; the .xlsx ledger of the same."""
    _centre(request)
    form, qs = _filtered(request)
    status = 200
    if qs is None:
        qs, status = Case.objects.none(), 400
    qs = (qs.select_related("org", "village", "town", "event").prefetch_related("mediators__mediator__person")
          .order_by("-applied_at", "-id"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "mediation/case_list.html", {
        "form": form, "page": page, "rows": _case_rows(page.object_list), "query": query.urlencode(),
        "total": page.paginator.count,
    }, status=status)


@login_required
@require_GET
def case_export(request: HttpRequest) -> HttpResponse:
    """The filtered cases as an .xlsx ledger (台账), parties masked unless the user may see them."""
    _centre(request)
    form, qs = _filtered(request)
    if qs is None:
        return case_list(request)
    if qs.count() > ledger.MAX_ROWS:
        messages.error(request, _("More than %(n)d cases match: narrow the filters to export.")
                       % {"n": ledger.MAX_ROWS})
        return redirect(reverse("mediation_cases") + ("?" + request.GET.urlencode() if request.GET else ""))
    content = ledger.cases_workbook(request.user, qs.order_by("-applied_at", "-id"))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="mediation-{clock.now():%Y%m%d-%H%M}.xlsx"'
    return response


# ------------------------------------------------------------------------------- the case


def _clock_state(c: Clock, now: dt.datetime) -> str:
    if c.stopped_at is not None:
        return c.outcome or "met"
    if c.overdue_notified_at is not None or now > c.due_at:
        return "overdue"
    if c.warned_at is not None or now >= c.warn_at:
        return "warning"
    return "running"


def _clocks(case: Case) -> list[dict[str, Any]]:
    now = clock.now()
    out = []
    for c in queries.clocks_for(case):
        local_due = timezone.localtime(c.due_at)
        days_left = (local_due.date() - timezone.localtime(now).date()).days
        out.append({"clock": c, "key": c.policy.key, "name": c.policy.name, "state": _clock_state(c, now),
                    "due": c.due_at, "days_left": days_left, "basis": c.policy.basis})
    return out


def _actor(entry) -> str:
    """Who did it: the person's name, or 系统 for the platform's own steps (a clock's warning)."""
    if entry.actor_id is None and entry.actor_name in ("", "system"):
        return _("System")
    return entry.actor_name


STATE_LABELS = {Status(s).value: Status(s).label for s in Status}


def _timeline(case: Case) -> list[dict[str, Any]]:
    out = []
    for entry in queries.timeline(case):
        out.append({
            "entry": entry,
            "label": machine.MACHINE.label(entry.action),
            "actor": _actor(entry),
            "from": str(STATE_LABELS.get(entry.from_state, entry.from_state)) if entry.from_state else "",
            "to": str(STATE_LABELS.get(entry.to_state, entry.to_state)) if entry.to_state else "",
            "moved": entry.from_state != entry.to_state,
            "clock": (entry.details or {}).get("clock", ""),
        })
    return out


def _documents(case: Case, cf) -> list[dict[str, Any]]:
    scans: dict[str, list[CaseAttachment]] = {}
    for att in case.attachments.exclude(document="").order_by("id"):
        scans.setdefault(att.document, []).append(att)
    out = []
    for item in formats.entries(cf):
        out.append({"key": item.key, "name": item.name, "required": item.required,
                    "scans": scans.get(item.key, [])})
    out.append({"key": "casefile", "name": _("The whole case file (cover, index and every document)"),
                "required": True, "scans": scans.get("casefile", []), "whole": True})
    return out


def _agreement(case: Case) -> Any:
    try:
        return case.agreement
    except Exception:  # no agreement (yet)
        return None


def _panel(request: HttpRequest, case: Case, bound: dict[str, forms.CaseForm]) -> list[dict[str, Any]]:
    panel = []
    for action in queries.case_actions_for(request.user, case):
        if action not in forms.CASE_FORMS:
            continue
        extra: dict[str, Any] = {}
        if action == "assign":
            extra["suggestions"] = _suggestions_for_case(case)
        form = bound.get(action) or forms.case_form(action, case=case, user=request.user, **extra)
        panel.append({"action": action, "label": machine.MACHINE.label(action), "form": form,
                      "has_fields": bool(form.fields), "open": action in bound,
                      "primary": action in PRIMARY})
    return panel


# The moves a case is mostly waiting for: shown first and filled in blue.
PRIMARY = {"accept", "hold_session", "agree", "follow_up", "apply_confirmation", "record_confirmation",
           "check_term", "close", "report_to_court"}


def _suggestions_for_case(case: Case) -> list[Any]:
    on_case = list(case.mediators.filter(active=True).values_list("mediator_id", flat=True))
    try:
        return suggest_mediators(specialty=case.specialty, region=case.region, kind=case.kind, exclude=on_case)
    except Exception:  # a suggestion is a help, never a reason the page fails
        return []


def _render_case(request: HttpRequest, case: Case, *, bound: dict[str, forms.CaseForm] | None = None,
                 status: int = 200, error: str = "") -> HttpResponse:
    bound = bound or {}
    panel = _panel(request, case, bound)
    offered = {p["action"] for p in panel}
    for action, form in bound.items():  # an error on a move no longer offered
        if action not in offered:
            error = " ".join(filter(None, [error, *[str(m) for errs in form.errors.values() for m in errs]]))
    parties = queries.parties_for(request.user, case, via="page")
    agreement = _agreement(case)
    terms = list(agreement.terms.select_related("obligor").order_by("seq")) if agreement else []
    today = timezone.localtime(clock.now()).date()
    try:
        confirmation = agreement.confirmation if agreement else None
    except Exception:  # RelatedObjectDoesNotExist: not applied for
        confirmation = None
    sessions = list(case.sessions.prefetch_related("seats", "parties_present").order_by("scheduled_for", "id"))
    clocks_ = _clocks(case)
    # The documents this case's file holds (the parties already read above: one logged read).
    cf = casefile.collect(case, viewer=request.user, party_rows=parties)
    return render(request, "mediation/case_detail.html", {
        "case": case,
        "event": case.event,
        "parties": parties,
        "masked": bool(parties) and parties[0]["masked"],
        "mediators": list(case.mediators.select_related("mediator__person").order_by("-active", "role", "id")),
        "sessions": sessions,
        "investigations": list(case.investigations.order_by("held_at", "id")),
        "agreement": agreement,
        "terms": [{"term": t, "late": t.status == Performance.PENDING and t.due_on is not None and t.due_on < today}
                  for t in terms],
        "confirmation": confirmation,
        "follow_ups": list(case.follow_ups.order_by("visited_at", "id")),
        "clocks": clocks_,
        "confirm_clock": next((c for c in clocks_ if c["key"] == "mediation.confirm"), None),
        "photos": list(case.attachments.filter(document="").order_by("id")),
        "documents": _documents(case, cf),
        "scan_form": forms.ScanForm(),
        "timeline": _timeline(case),
        "panel": sorted(panel, key=lambda p: (not p["primary"],)),
        "action_error": error,
        "page_url": reverse("mediation_case", args=[case.pk]),
        "tasks": list(case.tasks.select_related("member__person").order_by("-dispatched_at")),
    }, status=status)


def _load(request: HttpRequest, case_id: int) -> Case:
    case = queries.access_case_for_user(request.user, case_id)
    return Case.objects.select_related("event", "event__category", "org", "region", "village", "town").get(pk=case.pk)


@login_required
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    return _render_case(request, _load(request, case_id))


def _inputs(action: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The form's values as the action function takes them (its input dataclasses)."""
    if "seats" in kwargs:
        kwargs["seats"] = [actions.SeatInput(**s) for s in kwargs["seats"]]
        if action == "hold_session" and not kwargs["seats"]:
            kwargs["seats"] = None  # keep the scheduled session's seats
    if action == "agree":
        kwargs["terms"] = [actions.TermInput(**t) for t in kwargs["terms"]]
    return kwargs


@login_required
@require_POST
def case_act(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    """POST one move: the form's errors or the action's refusal (403/409/400) re-render the page
    with the message; success redirects back to the case."""
    case = _load(request, case_id)
    if action not in forms.CASE_FORMS:
        raise Http404("no such action")
    try:
        actions_require_first(case, request.user, action)
    except DomainError as exc:
        return _render_case(request, case, status=exc.status, error=exc.message)
    form = forms.case_form(action, case=case, user=request.user, data=request.POST)
    if not form.is_valid():
        return _render_case(request, case, bound={action: form}, status=400)
    try:
        getattr(actions, f"case_{action}")(case=case, actor=request.user, **_inputs(action, form.kwargs()))
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _render_case(request, _load(request, case_id), bound={action: form}, status=exc.status)
    messages.success(request, _("Done: %(action)s.") % {"action": machine.MACHINE.label(action)})
    if queries.visible_cases(request.user).filter(pk=case.pk).exists():
        return redirect("mediation_case", case_id=case.pk)
    return redirect("mediation_worklist")


def actions_require_first(case: Case, user, action: str) -> None:
    """The posts first (403 before a 400 on the input), as the API does."""
    from fengqiao.mediation.actions import WORKFLOW

    WORKFLOW.require_first(case, user, action)


# ------------------------------------------------------------------------------ documents


@login_required
@require_GET
def document_download(request: HttpRequest, case_id: int, key: str) -> HttpResponse:
    """One document of the case file as .docx (or the whole file bound): masked as the user may
    see the parties, an unmasked one logged."""
    case = _load(request, case_id)
    try:
        name, content = casefile.build(case, viewer=request.user, key=key)
    except formats.NotInFile:
        raise Http404("no such document") from None
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename=\"casefile.docx\"; filename*=UTF-8''{quote(name)}"
    return response


@login_required
@require_POST
def scan_upload(request: HttpRequest, case_id: int, key: str) -> HttpResponse:
    """A signed scan of one document (PDF/JPG/PNG by its bytes), through `case_attach`."""
    case = _load(request, case_id)
    valid = {*casefile.keys(case, viewer=request.user), "casefile"}
    if key not in valid:
        raise Http404("no such document")
    try:
        actions.WORKFLOW.require_first(case, request.user, "note")  # case_attach's own posts: 403 first
    except DomainError as exc:
        return _render_case(request, case, status=exc.status, error=exc.message)
    form = forms.ScanForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = " ".join(str(m) for errs in form.errors.values() for m in errs)
        return _render_case(request, case, status=400, error=errors)
    try:
        actions.case_attach(case=case, actor=request.user, upload=form.cleaned_data["file"], document=key)
    except DomainError as exc:
        return _render_case(request, _load(request, case_id), status=exc.status, error=exc.message)
    messages.success(request, _("The signed scan is attached."))
    return redirect(reverse("mediation_case", args=[case.pk]) + "#documents")


@login_required
@require_GET
def attachment_download(request: HttpRequest, case_id: int, attachment_id: int) -> FileResponse:
    case = queries.access_case_for_user(request.user, case_id)
    att = CaseAttachment.objects.filter(case=case, pk=attachment_id).first()
    if att is None or not att.file.name or not att.file.storage.exists(att.file.name):
        raise Http404("no such attachment")
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name,
                        content_type=att.content_type or "application/octet-stream")


# ------------------------------------------------------------------------------- opening


def _default_org(orgs: QuerySet[MediationOrg], event) -> MediationOrg | None:
    """The committee nearest the dispute: the village's, else the town's, else the county's."""
    for region_id in (event.village_id, event.town_id, event.county_id):
        found = orgs.filter(region_id=region_id, kind=OrgKind.COMMITTEE).first()
        if found is not None:
            return found
    return orgs.first()


def _with_event_contacts(event, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A party left without phone or ID number keeps what the event registered for the same name:
    the numbers go from row to row on the server, never through the form (where the opener
    would see them unmasked)."""
    known = {p.name: p for p in event.parties.all()}
    out = []
    for row in rows:
        party = known.get(row["name"])
        if party is not None:
            row = {**row, "phone": row.get("phone") or party.phone, "id_number": row.get("id_number") or party.id_number}
        out.append(row)
    return out


@login_required
@require_http_methods(["GET", "POST"])
def case_open(request: HttpRequest, event_id: int) -> HttpResponse:
    """转调解: open a mediation case beside a dispute event, with suggested mediators and why."""
    event = access_event_for_user(request.user, event_id)
    permissions.require_open(request.user, event.region, event)
    orgs = queries.orgs_to_open_at(request.user)
    specialty = str(SPECIALTY_OF_CATEGORY.get(event.category.code, Specialty.OTHER))
    chosen_specialty = request.POST.get("specialty") or specialty
    if chosen_specialty not in Specialty.values:
        chosen_specialty = specialty
    region = event.region or event.village or event.town or event.county
    suggestions = suggest_mediators(specialty=chosen_specialty, region=region) if region is not None else []
    existing = list(queries.visible_cases(request.user).filter(event=event))
    if request.method == "POST":
        form = forms.OpenCaseForm(request.POST, orgs=orgs, suggestions=suggestions)
        parties = forms.PartyFormSet(request.POST, prefix="parties")
        if form.is_valid() and parties.is_valid():
            data = form.cleaned_data
            try:
                case = actions.case_open(
                    actor=request.user, event=event, org=data["org"], kind=data["kind"], title=data["title"],
                    specialty=data["specialty"], facts=data["facts"], claims=data["claims"],
                    parties=[actions.PartyInput(**p) for p in _with_event_contacts(event, parties.parties())],
                )
                if data["mediator"] is not None:
                    actions.case_assign(case=case, actor=request.user, mediator=data["mediator"].mediator,
                                        role="lead", reason=data["mediator"].reason)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The mediation case %(code)s is open.") % {"code": case.code})
                return redirect("mediation_case", case_id=case.pk)
        status = 400
    else:
        org = _default_org(orgs, event)
        form = forms.OpenCaseForm(initial={
            "org": org.pk if org else None, "title": event.title, "facts": event.description,
            "specialty": specialty, "mediator": str(suggestions[0].mediator.pk) if suggestions else "",
        }, orgs=orgs, suggestions=suggestions)
        initial = []
        for i, p in enumerate(event.parties.order_by("-is_reporter", "id")):
            initial.append({"name": p.name, "side": "applicant" if (p.is_reporter or i == 0) else "respondent"})
        while len(initial) < 2:
            initial.append({"side": "applicant" if not initial else "respondent"})
        parties = forms.PartyFormSet(prefix="parties", initial=initial)
        status = 200
    return render(request, "mediation/case_open.html", {
        "event": event, "form": form, "parties": parties, "suggestions": suggestions, "existing": existing,
    }, status=status)


# ------------------------------------------------------------------------------- 群英 tasks


def _task_rows(tasks) -> list[dict[str, Any]]:
    tasks = list(tasks)
    now = clock.now()
    by_task: dict[int, Clock] = {}
    for c in Clock.objects.filter(workflow=machine.TASK_MACHINE.name, record_id__in=[t.pk for t in tasks],
                                  stopped_at=None).select_related("policy"):
        by_task.setdefault(c.record_id, c)
    return [{"task": t, "clock": by_task.get(t.pk),
             "clock_state": _clock_state(by_task[t.pk], now) if t.pk in by_task else ""} for t in tasks]


@login_required
@require_GET
def tasks(request: HttpRequest) -> HttpResponse:
    """群英's phone page: the tasks handed to me (接单), in progress, reported back; and, for a
    dispatcher, the tasks they handed out."""
    if not permissions.may_use_tasks(request.user):
        raise Http404("no tasks here")
    mine = queries.my_tasks(request.user)
    counts = {key: mine.filter(status__in=statuses).count() for key, _label, statuses in TASK_TABS}
    tab = request.GET.get("tab")
    keys = [k for k, _label, _s in TASK_TABS]
    if tab not in keys:
        tab = next((k for k in keys if counts[k]), keys[0])
    statuses = next(s for k, _label, s in TASK_TABS if k == tab)
    rows = _task_rows(mine.filter(status__in=statuses).select_related(
        "event", "event__village", "dispatcher", "member__pool").order_by("-dispatched_at", "-id")[:50])
    dispatched = _task_rows(queries.dispatched_tasks(request.user).exclude(
        status__in=[TaskStatus.CLOSED, TaskStatus.CANCELLED]).select_related(
        "event", "member__person").order_by("-dispatched_at")[:50])
    return render(request, "mediation/tasks.html", {
        "tabs": [{"key": k, "label": label, "count": counts[k]} for k, label, _s in TASK_TABS],
        "tab": tab, "rows": rows, "dispatched": dispatched,
        "is_member": permissions.is_pool_member(request.user),
    })


def _task_forms(request: HttpRequest, task: Task, bound: dict[str, forms.TaskForm]) -> list[dict[str, Any]]:
    out = []
    for action in queries.task_actions_for(request.user, task):
        cls = forms.TASK_FORMS[action]
        if action in bound:
            form = bound[action]
        elif action == "reassign":
            form = forms.TaskReassignForm(prefix=action, members=_members_for(task.event).exclude(pk=task.member_id))
        else:
            form = cls(prefix=action)
        out.append({"action": action, "label": machine.TASK_MACHINE.label(action), "form": form,
                    "has_fields": bool(form.fields), "open": action in bound,
                    "primary": action in {"accept", "report", "close"}})
    return sorted(out, key=lambda p: not p["primary"])


TASK_STATE_LABELS = {TaskStatus(s).value: TaskStatus(s).label for s in TaskStatus}


def _render_task(request: HttpRequest, task: Task, *, bound: dict[str, forms.TaskForm] | None = None,
                 status: int = 200, error: str = "") -> HttpResponse:
    now = clock.now()
    running = list(queries.task_clocks(task))
    timeline = []
    for entry in queries.task_timeline(task):
        timeline.append({"entry": entry, "label": machine.TASK_MACHINE.label(entry.action),
                         "actor": _actor(entry),
                         "to": str(TASK_STATE_LABELS.get(entry.to_state, entry.to_state)),
                         "moved": entry.from_state != entry.to_state})
    return render(request, "mediation/task_detail.html", {
        "task": task, "event": task.event, "panel": _task_forms(request, task, bound or {}),
        "clocks": [{"clock": c, "state": _clock_state(c, now)} for c in running],
        "timeline": timeline, "action_error": error,
        "is_member": task.member.person_id == getattr(person_of(request.user), "pk", None),
        "page_url": reverse("mediation_task", args=[task.pk]),
    }, status=status)


@login_required
@require_GET
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    return _render_task(request, queries.access_task_for_user(request.user, task_id))


@login_required
@require_POST
def task_act(request: HttpRequest, task_id: int, action: str) -> HttpResponse:
    task = queries.access_task_for_user(request.user, task_id)
    if action not in forms.TASK_FORMS:
        raise Http404("no such action")
    try:
        permissions.require_task(request.user, task, action)
    except DomainError as exc:
        return _render_task(request, task, status=exc.status, error=exc.message)
    cls = forms.TASK_FORMS[action]
    if action == "reassign":
        form: forms.TaskForm = forms.TaskReassignForm(request.POST, prefix=action, members=_members_for(task.event))
    else:
        form = cls(request.POST, prefix=action)
    if not form.is_valid():
        return _render_task(request, task, bound={action: form}, status=400)
    try:
        getattr(actions, f"task_{action}")(task=task, actor=request.user, **form.kwargs())
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _render_task(request, queries.access_task_for_user(request.user, task_id),
                            bound={action: form}, status=exc.status)
    messages.success(request, _("Done: %(action)s.") % {"action": machine.TASK_MACHINE.label(action)})
    if queries.visible_tasks(request.user).filter(pk=task.pk).exists():
        return redirect("mediation_task", task_id=task.pk)
    return redirect("mediation_tasks")


def _members_for(event) -> QuerySet[PoolMember]:
    """The members who may take a task on the event (`queries.members_for_event`: the pools of
    its village and its town), fewest open tasks first."""
    pairs = queries.members_for_event(event)
    qs = PoolMember.objects.filter(pk__in=[m.pk for m, _load in pairs]).select_related("person", "pool")
    if not pairs:
        return qs
    rank = SqlCase(*[When(pk=m.pk, then=Value(i)) for i, (m, _load) in enumerate(pairs)],
                   output_field=IntegerField())
    return qs.order_by(rank)


def _member_loads(event) -> dict[int, int]:
    return {m.pk: load for m, load in queries.members_for_event(event)}


@login_required
@require_http_methods(["GET", "POST"])
def task_dispatch(request: HttpRequest, event_id: int) -> HttpResponse:
    """派单: a person bound to the event hands it to a 群英 member."""
    event = access_event_for_user(request.user, event_id)
    permissions.require_dispatch(request.user, event)
    members = _members_for(event)
    loads = _member_loads(event)
    status = 200
    if request.method == "POST":
        form = forms.DispatchForm(request.POST, members=members, loads=loads)
        if form.is_valid():
            try:
                task = actions.task_dispatch(actor=request.user, event=event, member=form.cleaned_data["member"],
                                             instructions=form.cleaned_data["instructions"])
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The task is handed to %(name)s.")
                                 % {"name": task.member.person.name})
                return redirect("mediation_task", task_id=task.pk)
        status = 400
    else:
        form = forms.DispatchForm(members=members, loads=loads)
    open_tasks = list(Task.objects.filter(event=event).exclude(status__in=[TaskStatus.CLOSED, TaskStatus.CANCELLED])
                      .select_related("member__person"))
    return render(request, "mediation/task_dispatch.html", {
        "event": event, "form": form, "open_tasks": open_tasks, "loads": loads,
    }, status=status)


# ------------------------------------------------------------------------------ duty roster


@login_required
@require_GET
def duty(request: HttpRequest) -> HttpResponse:
    """值班表: who is on duty at the centre now and in the coming week; what arrives out of hours
    goes to them."""
    _centre(request)
    now = clock.now()
    out = queries.duty_roster(queries.duty_centres(request.user), now=now, days=7)
    return render(request, "mediation/duty.html", {
        "centres": out, "office_hours": queries.is_office_hours(now), "now": now,
        "out_of_hours_open": queries.visible_cases(request.user).filter(
            received_out_of_hours=True, status__in=OPEN_STATUSES).count(),
    })


def session_label(session: Session) -> str:
    return f"{timezone.localtime(session.scheduled_for):%Y-%m-%d %H:%M} {session.place}"
