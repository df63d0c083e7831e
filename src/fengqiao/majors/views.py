"""The major-matter pages. Views parse input, call `queries` (scope: 404 outside it) and the
action functions of `actions` (every write), and render; no rule of the workflow lives here.

- 重大事项 the list: filters by level, kind, area, status, card, owner and leader; the completion
  figure of what is shown and its breakdown (by level, kind, owner, leader, town; htmx swaps
  it); the ledger (.xlsx) and the meeting's progress report (.docx) of the same selection;
- the matter page: its milestones with their clocks, the task force, progress reports with
  evidence, the closing, the timeline (the audit stream `major:<id>`), and a button for every
  move legal now and permitted;
- the assessment page: risks, public opinion, experts, grade and measures, the decision, and
  its .docx report;
- 待审批销号 the closing approvals waiting at the user's level.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengqiao.lib import clock
from fengqiao.lib.errors import DomainError
from fengqiao.majors import actions, documents, forms, permissions, queries
from fengqiao.majors.machine import (
    MACHINE,
    MILESTONE_MACHINE,
    assessed_to_go,
    assessment_gaps,
    current_assessment,
)
from fengqiao.majors.models import (
    ASSESSED_KINDS,
    DECISIONS_BY_GRADE,
    Assessment,
    Evidence,
    Grade,
    Matter,
    MilestoneStatus,
    Status,
)
from fengqiao.majors.templatetags.majors_tags import major_action, major_details, major_status
from fengqiao.people.queries import person_of
from fengqiao.workflow.timeline import present

PAGE_SIZE = 20
MAX_EXPORT = 2000


def _is_htmx(request: HttpRequest) -> bool:
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


def _require_use(request: HttpRequest) -> None:
    if not permissions.may_use_majors(request.user):
        raise PermissionDenied(_("Your posts do not open the major matters."))


# ------------------------------------------------------------------------------------- list


def _filtered(request: HttpRequest):
    visible = queries.visible_matters(request.user)
    form = forms.FilterForm(request.GET or None, matters=visible)
    if request.GET and not form.is_valid():
        return form, None
    filters = form.filters() if request.GET else queries.MatterFilters()
    try:
        return form, queries.filter_matters(request.user, filters)
    except queries.UnknownFilter as exc:
        form.add_error(None, _("Unknown %(f)s: %(v)s") % {"f": exc.field, "v": exc.value[:40]})
        return form, None


@login_required
@require_GET
def matter_list(request: HttpRequest) -> HttpResponse:
    _require_use(request)
    form, qs = _filtered(request)
    status = 200
    if qs is None:
        qs, status = Matter.objects.none(), 400
    by = request.GET.get("by") or "level"
    if by not in queries.BREAKDOWNS:
        by = "level"
    now = clock.now()
    if _is_htmx(request) and request.GET.get("panel") == "breakdown":
        response = render(request, "majors/_breakdown.html", _breakdown_context(request, qs, by, now))
        patch_vary_headers(response, ["HX-Request"])
        return response
    page = Paginator(queries.with_progress(qs, now).select_related(*queries.LIST_RELATED)
                     .order_by("-registered_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    for key in ("page", "by", "panel"):
        query.pop(key, None)
    response = render(request, "majors/list.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "completion": queries.completion(qs),
        "may_register": permissions.may_register(request.user),
        "closing_count": queries.closing_queue(request.user).count(),
        **_breakdown_context(request, qs, by, now),
    }, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _breakdown_context(request: HttpRequest, qs, by: str, now) -> dict[str, Any]:
    query = request.GET.copy()
    for key in ("page", "by", "panel"):
        query.pop(key, None)
    return {"by": by, "breakdowns": queries.BREAKDOWNS, "rows": queries.breakdown(qs, by, now=now),
            "base_query": query.urlencode()}


def _export_selection(request: HttpRequest):
    """The list's selection to export, or the response that refuses it (the list with its form's
    errors, 400; too many rows: back to the list with a message)."""
    _require_use(request)
    _form, qs = _filtered(request)
    if qs is None:
        return None, matter_list(request)
    if qs.count() > MAX_EXPORT:
        messages.error(request, _("More than %(n)d matters match: narrow the filters to export.") % {"n": MAX_EXPORT})
        return None, redirect(reverse("majors_list") + ("?" + request.GET.urlencode() if request.GET else ""))
    return qs, None


@login_required
@require_GET
def ledger_export(request: HttpRequest) -> HttpResponse:
    """重大事项挂账督办台账 (.xlsx) of the list's selection."""
    qs, refused = _export_selection(request)
    if refused is not None:
        return refused
    content = documents.ledger_xlsx(qs, title="重大事项挂账督办台账")
    return _file(content, documents.XLSX_TYPE, f"重大事项台账-{clock.local_date():%Y%m%d}.xlsx")


@login_required
@require_GET
def progress_export(request: HttpRequest) -> HttpResponse:
    """重大事项挂账督办推进情况 (.docx) for the meeting: since last Monday or Friday, whichever is later."""
    qs, refused = _export_selection(request)
    if refused is not None:
        return refused
    today = clock.local_date()
    since = _last_meeting(today)
    person = person_of(request.user)
    scope = _scope_name(request.user) if person is not None else ""
    content = documents.progress_docx(qs, scope_name=scope, since=since)
    return _file(content, documents.DOCX_TYPE, f"重大事项推进情况-{today:%Y%m%d}.docx")


def _last_meeting(today: dt.date) -> dt.date:
    """The last Monday or Friday before today (每周一、五调度会): what changed since the last meeting."""
    for back in range(1, 8):
        day = today - dt.timedelta(days=back)
        if day.weekday() in (0, 4):
            return day
    return today - dt.timedelta(days=7)


def _scope_name(user) -> str:
    from fengqiao.people.queries import posts_of

    posts = [p for p in posts_of(user) if p.role in permissions.REGIONAL_ROLES]
    if not posts:
        return ""
    from fengqiao.regions.models import LEVEL_ORDER

    top = min(posts, key=lambda p: LEVEL_ORDER.index(p.region.level)).region
    return top.name


def _file(content: bytes, content_type: str, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# ------------------------------------------------------------------------------ registration


@login_required
@require_http_methods(["GET", "POST"])
def matter_new(request: HttpRequest) -> HttpResponse:
    if not permissions.may_register(request.user):
        raise PermissionDenied(_("Your posts do not allow listing major matters."))
    form = forms.MatterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            matter = actions.matter_register(
                actor=request.user, title=d["title"], description=d["description"], kind=d["kind"],
                area=d.get("area") or "", level=d["level"], region=d["region"], owner=d["owner"],
                leader=d["leader"], target_on=d["target_on"], target=d.get("target") or "")
        except DomainError as exc:
            form.add_error(None, exc.message)
            return render(request, "majors/new.html", {"form": form}, status=exc.status)
        messages.success(request, _("Registered: %(code)s.") % {"code": matter.code})
        return redirect("majors_detail", matter_id=matter.pk)
    return render(request, "majors/new.html", {"form": form}, status=400 if request.method == "POST" else 200)


# ------------------------------------------------------------------------------ the matter


def _load(request: HttpRequest, matter_id: int) -> Matter:
    _require_use(request)
    return queries.access_matter_for_user(request.user, matter_id)


# The page's action forms: move → (form, what it needs). The assessment's edits are on its page.
MATTER_FORMS: dict[str, type] = {
    "assess": forms.AssessForm,
    "start": forms.NoteForm,
    "plan": forms.MilestoneForm,
    "team": forms.MemberForm,
    "report": forms.ReportForm,
    "breakthrough": forms.ReportForm,
    "urge": forms.NoteForm,
    "supervise": forms.NoteForm,
    "escalate": forms.ReasonForm,
    "reassign": forms.ReassignForm,
    "request_close": forms.SummaryForm,
    "approve_close": forms.ApproveForm,
    "reject_close": forms.ReasonForm,
}
# Shown in the side panel (the others have their own section of the page).
PANEL_ACTIONS = ("assess", "start", "report", "breakthrough", "urge", "supervise", "escalate", "reassign",
                 "request_close", "approve_close", "reject_close")
ASSESSMENT_FORMS: dict[str, type] = {
    "add_risk": forms.RiskForm,
    "add_opinion": forms.OpinionForm,
    "add_expert": forms.ExpertForm,
    "conclude": forms.ConcludeForm,
    "remove": forms.PartForm,
    "decide": forms.DecideForm,
}
MILESTONE_FORMS: dict[str, type] = {
    "complete": forms.CompleteForm,
    "urge_milestone": forms.NoteForm,
    "reschedule": forms.RescheduleForm,
}


def _form(action: str, matter: Matter, data=None, files=None):
    cls = MATTER_FORMS[action]
    kwargs: dict[str, Any] = {"prefix": action}
    if cls in (forms.MemberForm, forms.ReportForm, forms.ReassignForm):
        kwargs["matter"] = matter
    return cls(data, **kwargs) if data is not None else cls(**kwargs)


def _allowed(user, matter: Matter, action: str) -> bool:
    return MACHINE.legal_now(matter, action) and permissions.may(user, matter, action)


def _panel(request: HttpRequest, matter: Matter, bound: dict[str, Any]) -> list[dict[str, Any]]:
    panel = []
    for action in PANEL_ACTIONS:
        if not _allowed(request.user, matter, action):
            continue
        panel.append({"action": action, "label": MACHINE.label(action),
                      "form": bound.get(action) or _form(action, matter), "open": action in bound,
                      "files": action in ("report", "breakthrough")})
    return panel


def _render_matter(request: HttpRequest, matter: Matter, *, bound: dict[str, Any] | None = None,
                   status: int = 200, error: str = "") -> HttpResponse:
    now = clock.now()
    bound = bound or {}
    user = request.user
    rows = queries.milestone_rows(matter, now)
    milestone_panels = []
    for r in rows:
        ms = r.milestone
        offered = []
        for action in MILESTONE_FORMS:
            if MILESTONE_MACHINE.legal_now(ms, action) and permissions.may_milestone(user, ms, action):
                key = f"{action}-{ms.pk}"
                form = bound.get(key) or MILESTONE_FORMS[action](prefix=key)
                offered.append({"action": action, "label": MILESTONE_MACHINE.label(action), "form": form,
                                "open": key in bound, "files": action == "complete"})
        milestone_panels.append({"row": r, "actions": offered,
                                 "removable": ms.status == MilestoneStatus.PENDING and matter.status != Status.UNDERWAY
                                 and _allowed(user, matter, "plan")})
    assessment = current_assessment(matter)
    reports = list(matter.reports.select_related("milestone").prefetch_related("evidence")[:50])
    team = list(queries.team_of(matter))
    context = {
        "matter": matter,
        "panel": _panel(request, matter, bound),
        "action_error": error,
        "milestones": milestone_panels,
        "done_count": sum(1 for r in rows if r.milestone.status == MilestoneStatus.DONE),
        "overdue_count": sum(1 for r in rows if r.state == "overdue"),
        "plan_form": bound.get("plan") or _form("plan", matter) if _allowed(user, matter, "plan") else None,
        "team_form": bound.get("team") or _form("team", matter) if _allowed(user, matter, "team") else None,
        "team": team,
        "team_counts": _team_counts(team),
        "reports": reports,
        "assessment": assessment,
        "assessment_rounds": list(matter.assessments.order_by("round")),
        "needs_assessment": matter.kind in ASSESSED_KINDS,
        "assessed_to_go": assessed_to_go(matter),
        "matter_clocks": [(c, queries.clock_state(c, now)) for c in queries.matter_clocks(matter)],
        "clock_labels": queries.CLOCK_STATE_LABELS,
        "timeline": present(queries.timeline(matter), action_label=major_action, state_label=major_status,
                            details=major_details),
        "may_approve": permissions.may(user, matter, "approve_close"),
        "page_url": reverse("majors_detail", args=[matter.pk]),
        "now": now,
    }
    return render(request, "majors/detail.html", context, status=status)


def _team_counts(team) -> list[tuple[str, int]]:
    from collections import Counter

    from fengqiao.majors.models import Identity

    counts = Counter(m.identity for m in team)
    return [(str(Identity(k).label), n) for k, n in counts.most_common()]


@login_required
@require_GET
def matter_detail(request: HttpRequest, matter_id: int) -> HttpResponse:
    return _render_matter(request, _load(request, matter_id))


def _do(request: HttpRequest, matter: Matter, action: str, d: dict[str, Any]) -> str:
    """Call the action for `action` with the cleaned form data; the message to show."""
    user = request.user
    files = request.FILES.getlist(f"{action}-evidence")
    if action == "assess":
        actions.assessment_open(actor=user, matter=matter, subject=d.get("subject", ""), scope=d.get("scope", ""))
    elif action == "start":
        actions.matter_start(actor=user, matter=matter, note=d.get("note", ""))
    elif action == "plan":
        actions.milestones_plan(actor=user, matter=matter,
                                add=[actions.MilestoneInput(title=d["title"], due_on=d["due_on"])])
    elif action == "team":
        person = d.get("person")
        actions.team_change(actor=user, matter=matter, add=[actions.MemberInput(
            post=d["post"], identity=d["identity"], person_id=person.pk if person else None,
            name=d.get("name", ""), unit=d.get("unit", ""))])
    elif action in ("report", "breakthrough"):
        actions.report_add(actor=user, matter=matter, text=d["text"], milestone_id=d.get("milestone"),
                           uploads=files, breakthrough=action == "breakthrough")
    elif action == "urge":
        actions.matter_urge(actor=user, matter=matter, note=d.get("note", ""))
    elif action == "supervise":
        actions.matter_supervise(actor=user, matter=matter, note=d.get("note", ""))
    elif action == "escalate":
        actions.matter_escalate(actor=user, matter=matter, reason=d["reason"])
    elif action == "reassign":
        actions.matter_reassign(actor=user, matter=matter, owner=d.get("owner"), leader=d.get("leader"),
                                reason=d["reason"])
    elif action == "request_close":
        actions.close_request(actor=user, matter=matter, summary=d["summary"])
    elif action == "approve_close":
        actions.close_approve(actor=user, matter=matter, note=d.get("note", ""))
    elif action == "reject_close":
        actions.close_reject(actor=user, matter=matter, reason=d["reason"])
    else:  # pragma: no cover - MATTER_FORMS lists every action above
        raise Http404("no such action")
    return _("Done: %(action)s.") % {"action": MACHINE.label(action)}


@login_required
@require_POST
def matter_act(request: HttpRequest, matter_id: int, action: str) -> HttpResponse:
    """POST /majors/<id>/act/<action>: the posts first (403), then the form (400), then the
    action (its 409 or 400 re-renders the page with the message)."""
    matter = _load(request, matter_id)
    if action not in MATTER_FORMS:
        raise Http404("no such action")
    actions.WORKFLOW.require_first(matter, request.user, action)
    form = _form(action, matter, data=request.POST)
    if not form.is_valid():
        return _render_matter(request, matter, bound={action: form}, status=400)
    try:
        message = _do(request, matter, action, form.cleaned_data)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _render_matter(request, _load(request, matter_id), bound={action: form}, status=exc.status)
    messages.success(request, message)
    target = request.POST.get("next")
    if target == "closing" and action in ("approve_close", "reject_close"):
        return redirect("majors_closing")
    return redirect("majors_detail", matter_id=matter.pk)


@login_required
@require_POST
def milestone_remove(request: HttpRequest, matter_id: int, milestone_id: int) -> HttpResponse:
    matter = _load(request, matter_id)
    ms = queries.access_milestone_for_user(request.user, matter.pk, milestone_id)
    actions.WORKFLOW.require_first(matter, request.user, "plan")
    try:
        actions.milestones_plan(actor=request.user, matter=matter, remove=[ms.pk])
    except DomainError as exc:
        return _render_matter(request, _load(request, matter_id), status=exc.status, error=exc.message)
    messages.success(request, _("Milestone removed."))
    return redirect("majors_detail", matter_id=matter.pk)


@login_required
@require_POST
def member_remove(request: HttpRequest, matter_id: int, member_id: int) -> HttpResponse:
    matter = _load(request, matter_id)
    actions.WORKFLOW.require_first(matter, request.user, "team")
    try:
        actions.team_change(actor=request.user, matter=matter, remove=[member_id])
    except DomainError as exc:
        return _render_matter(request, _load(request, matter_id), status=exc.status, error=exc.message)
    messages.success(request, _("Member stood down."))
    return redirect("majors_detail", matter_id=matter.pk)


@login_required
@require_POST
def milestone_act(request: HttpRequest, matter_id: int, milestone_id: int, action: str) -> HttpResponse:
    matter = _load(request, matter_id)
    ms = queries.access_milestone_for_user(request.user, matter.pk, milestone_id)
    if action not in MILESTONE_FORMS:
        raise Http404("no such action")
    actions.MILESTONE_WORKFLOW.require_first(ms, request.user, action)
    key = f"{action}-{ms.pk}"
    form = MILESTONE_FORMS[action](request.POST, prefix=key)
    if not form.is_valid():
        return _render_matter(request, matter, bound={key: form}, status=400)
    d = form.cleaned_data
    try:
        if action == "complete":
            actions.milestone_complete(actor=request.user, milestone=ms, result=d["result"],
                                       uploads=request.FILES.getlist(f"{key}-evidence"))
        elif action == "urge_milestone":
            actions.milestone_urge(actor=request.user, milestone=ms, note=d.get("note", ""))
        else:
            actions.milestone_reschedule(actor=request.user, milestone=ms, due_on=d["due_on"], reason=d["reason"])
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _render_matter(request, _load(request, matter_id), bound={key: form}, status=exc.status)
    messages.success(request, _("Done: %(action)s.") % {"action": MILESTONE_MACHINE.label(action)})
    return redirect(reverse("majors_detail", args=[matter.pk]) + f"#milestone-{ms.pk}")


@login_required
@require_GET
def evidence_download(request: HttpRequest, matter_id: int, evidence_id: int) -> FileResponse:
    matter = _load(request, matter_id)
    ev = Evidence.objects.filter(report__matter=matter, pk=evidence_id).first()
    if ev is None or not ev.file.name or not ev.file.storage.exists(ev.file.name):
        raise Http404("no such file")
    return FileResponse(ev.file.open("rb"), as_attachment=True, filename=ev.name, content_type=ev.content_type)


# -------------------------------------------------------------------------- the assessment


def _assessment_of(matter: Matter, round_value: Any) -> Assessment | None:
    if round_value in (None, ""):
        return current_assessment(matter)
    try:
        number = int(round_value)
    except (TypeError, ValueError):
        raise Http404("no such round") from None
    found = matter.assessments.filter(round=number).first()
    if found is None:
        raise Http404("no such round")
    return found


def _render_assessment(request: HttpRequest, matter: Matter, *, bound: dict[str, Any] | None = None,
                       status: int = 200) -> HttpResponse:
    bound = bound or {}
    assessment = _assessment_of(matter, request.GET.get("round"))
    editing = (assessment is not None and not assessment.decided and matter.status == Status.ASSESSING
               and permissions.may(request.user, matter, "edit_assessment"))
    deciding = (assessment is not None and MACHINE.allows(matter.status, "decide")
                and permissions.may(request.user, matter, "decide"))

    def make(name: str):
        if name in bound:
            return bound[name]
        cls = ASSESSMENT_FORMS[name]
        if name == "conclude" and assessment is not None and assessment.grade:
            return cls(prefix=name, initial={"grade": assessment.grade, "grade_reason": assessment.grade_reason,
                                             "measures": assessment.measures, "contingency": assessment.contingency})
        return cls(prefix=name)

    decide_form = make("decide") if deciding else None
    if decide_form is not None and assessment is not None and assessment.grade:
        allowed = DECISIONS_BY_GRADE[Grade(assessment.grade)]
        field = decide_form.fields["decision"]
        field.choices = [(v, label) for v, label in field.choices if v in allowed]
    opinions = list(assessment.opinions.all()) if assessment is not None else []
    reached = sum(o.reached for o in opinions)
    support = sum(o.support for o in opinions)
    from fengqiao.lib.rates import current_rounding, format_rate

    return render(request, "majors/assessment.html", {
        "matter": matter,
        "assessment": assessment,
        "rounds": list(matter.assessments.order_by("round")),
        "risks": list(assessment.risks.all()) if assessment is not None else [],
        "opinions": opinions,
        "experts": list(assessment.experts.all()) if assessment is not None else [],
        "opinion_totals": {"reached": reached, "support": support,
                           "rate": format_rate(support, reached, 1, current_rounding())},
        "gaps": assessment_gaps(assessment) if assessment is not None and not assessment.decided else [],
        "editing": editing,
        "conclude_open": editing and assessment is not None and not assessment.grade,
        "forms": {name: make(name) for name in ("add_risk", "add_opinion", "add_expert", "conclude")} if editing else {},
        "decide_form": decide_form,
        "may_open": _allowed(request.user, matter, "assess"),
        "assess_form": forms.AssessForm(prefix="assess") if _allowed(request.user, matter, "assess") else None,
    }, status=status)


@login_required
@require_GET
def assessment_page(request: HttpRequest, matter_id: int) -> HttpResponse:
    return _render_assessment(request, _load(request, matter_id))


@login_required
@require_POST
def assessment_act(request: HttpRequest, matter_id: int, op: str) -> HttpResponse:
    matter = _load(request, matter_id)
    if op not in ASSESSMENT_FORMS:
        raise Http404("no such step")
    actions.WORKFLOW.require_first(matter, request.user, "decide" if op == "decide" else "edit_assessment")
    form = ASSESSMENT_FORMS[op](request.POST, prefix=op)
    if not form.is_valid():
        return _render_assessment(request, matter, bound={op: form}, status=400)
    d = form.cleaned_data
    user = request.user
    try:
        if op == "add_risk":
            actions.assessment_add_risk(actor=user, matter=matter, **d)
        elif op == "add_opinion":
            actions.assessment_add_opinion(actor=user, matter=matter, **d)
        elif op == "add_expert":
            actions.assessment_add_expert(actor=user, matter=matter, **d)
        elif op == "conclude":
            actions.assessment_conclude(actor=user, matter=matter, **d)
        elif op == "remove":
            actions.assessment_remove(actor=user, matter=matter, part=d["part"], part_id=d["part_id"])
        else:
            actions.assessment_decide(actor=user, matter=matter, decision=d["decision"], note=d.get("note", ""),
                                      body_name=d.get("body_name", ""))
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _render_assessment(request, _load(request, matter_id), bound={op: form}, status=exc.status)
    messages.success(request, _("Saved."))
    if op == "decide":
        return redirect("majors_detail", matter_id=matter.pk)
    return redirect(reverse("majors_assessment", args=[matter.pk]) + f"#{op.replace('add_', '')}")


@login_required
@require_GET
def assessment_docx(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = _load(request, matter_id)
    assessment = _assessment_of(matter, request.GET.get("round"))
    if assessment is None:
        raise Http404("not assessed")
    return _file(documents.assessment_docx(matter, assessment), documents.DOCX_TYPE,
                 documents.assessment_filename(matter, assessment))


# ----------------------------------------------------------------------------- closing queue


@login_required
@require_GET
def closing_queue(request: HttpRequest) -> HttpResponse:
    """待审批销号: the closing requests at the user's office posts, with the approval forms."""
    _require_use(request)
    qs = queries.with_progress(queries.closing_queue(request.user), clock.now()).select_related(
        *queries.LIST_RELATED, "close_requested_by").order_by("close_requested_at")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for m in page.object_list:
        rows.append({"matter": m, "may_approve": permissions.may(request.user, m, "approve_close"),
                     "may_reject": permissions.may(request.user, m, "reject_close"),
                     "approve": forms.ApproveForm(prefix="approve_close"),
                     "reject": forms.ReasonForm(prefix="reject_close"),
                     "milestones": m.milestones.aggregate(n=Count("pk"), late=Count("pk", filter=Q(late=True)))})
    return render(request, "majors/closing.html", {"page": page, "rows": rows,
                                                   "may_register": permissions.may_register(request.user)})
