"""Django forms for the mediation pages: opening a case from a dispute event, one small form per
move of a case and of a 群英 task, handing a task to a member, the signed scans, the list filters.

Forms check the shape of the input (lengths, dates, choices among the case's own rows); every rule
of the workflow lives in `fengqiao.mediation.actions` and is asked there. `kwargs()` is what the
action function receives, by the names of its keyword arguments."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.mediation.models import (
    Case,
    CaseMediator,
    Confirmation,
    FollowUp,
    Kind,
    MediationOrg,
    Mediator,
    Performance,
    PoolMember,
    SeatKind,
    Session,
    SessionMode,
    Side,
    Specialty,
    Status,
)

TEXT = 500
LONG = 5000
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
SEAT_ROWS = 6  # departments one joint session can seat on the form
TERM_ROWS = 6
PARTY_ROWS = 4


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _when(label, *, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(label=label, required=required, input_formats=DATETIME_FORMATS,
                               widget=DateTimeInput())


def _text(label, *, required: bool = True, rows: int = 0, max_length: int = TEXT) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(label=label, required=required, max_length=max_length, widget=widget)


def _now_local() -> dt.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


def _names(text: str) -> list[str]:
    """Names written one per line or separated by commas (、,,;;)."""
    out = []
    for part in text.replace("、", "\n").replace(",", "\n").replace(",", "\n").replace(";", "\n").replace(
            ";", "\n").splitlines():
        if part.strip():
            out.append(part.strip()[:50])
    return out


# -------------------------------------------------------------------------- case moves


class CaseForm(forms.Form):
    """The fields of one move on a case; `kwargs()` goes to the action function."""

    def __init__(self, *args, case: Case, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.user = user

    def kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)

    def main_fields(self) -> list[Any]:
        """The fields shown one by one (the repeated rows of seats and terms are laid out apart)."""
        return [self[name] for name in self.fields if not name.startswith(("seat_", "term_"))]


class NoteForm(CaseForm):
    note = _text(_("Note"), required=False, rows=2)


class ReasonForm(CaseForm):
    reason = _text(_("Reason"), rows=2)


class TextForm(CaseForm):
    text = _text(_("Note"), rows=3, max_length=LONG)


class AssignForm(CaseForm):
    mediator = forms.ModelChoiceField(label=_("Mediator"), queryset=Mediator.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=CaseMediator.Role.choices, initial=CaseMediator.Role.LEAD)
    reason = _text(_("Why this mediator"), required=False)

    def __init__(self, *args, suggestions=(), **kwargs):
        super().__init__(*args, **kwargs)
        on_case = self.case.mediators.filter(active=True).values_list("mediator_id", flat=True)
        qs = Mediator.objects.filter(active=True).exclude(pk__in=list(on_case)).select_related("person")
        if self.case.county_id:
            qs = qs.filter(county_id=self.case.county_id)
        self.fields["mediator"].queryset = qs.order_by("level", "id")
        self.fields["mediator"].label_from_instance = lambda m: f"{m.person.name} · {m.get_level_display()}"
        self.suggestions = list(suggestions)


class ReleaseForm(CaseForm):
    mediator = forms.ModelChoiceField(label=_("Mediator"), queryset=Mediator.objects.none())
    reason = _text(_("Reason"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ids = self.case.mediators.filter(active=True).values_list("mediator_id", flat=True)
        self.fields["mediator"].queryset = Mediator.objects.filter(pk__in=list(ids)).select_related("person")
        self.fields["mediator"].label_from_instance = lambda m: m.person.name


class _SeatsMixin:
    """Rows of departments seated at a joint session (联合调解): kind, unit, representative."""

    def add_seat_fields(self) -> None:
        fields = self.fields  # type: ignore[attr-defined]
        for n in range(1, SEAT_ROWS + 1):
            fields[f"seat_{n}_kind"] = forms.ChoiceField(
                label=_("Department"), required=False, choices=[("", "—")] + list(SeatKind.choices))
            fields[f"seat_{n}_unit"] = _text(pgettext_lazy("seat", "Unit name"), required=False, max_length=100)
            fields[f"seat_{n}_representative"] = _text(_("Representative"), required=False, max_length=50)

    def seat_rows(self) -> list[list[Any]]:
        form: Any = self
        return [[form[f"seat_{n}_kind"], form[f"seat_{n}_unit"], form[f"seat_{n}_representative"]]
                for n in range(1, SEAT_ROWS + 1)]

    def clean_seats(self, cleaned: dict[str, Any]) -> list[dict[str, str]]:
        seats = []
        form: Any = self
        for n in range(1, SEAT_ROWS + 1):
            kind = cleaned.pop(f"seat_{n}_kind", "")
            unit = cleaned.pop(f"seat_{n}_unit", "")
            rep = cleaned.pop(f"seat_{n}_representative", "")
            if not kind and not unit and not rep:
                continue
            if not kind:
                form.add_error(f"seat_{n}_kind", _("Choose the department."))
            elif not rep:
                form.add_error(f"seat_{n}_representative", _("Name who represents the department."))
            else:
                seats.append({"kind": kind, "unit_name": unit, "representative": rep})
        return seats


class ScheduleSessionForm(_SeatsMixin, CaseForm):
    scheduled_for = _when(_("Time"))
    place = _text(pgettext_lazy("mediation", "Place"), max_length=200)
    mode = forms.ChoiceField(label=_("Mode"), choices=SessionMode.choices, initial=SessionMode.FACE_TO_FACE)
    notes = _text(_("Notes"), required=False, rows=2, max_length=LONG)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_seat_fields()

    def clean(self):
        cleaned = super().clean()
        cleaned["seats"] = self.clean_seats(cleaned)
        return cleaned


class HoldSessionForm(_SeatsMixin, CaseForm):
    """记录调解: a session held (the scheduled one, or one held there and then)."""

    session = forms.ModelChoiceField(label=_("Scheduled session"), required=False, queryset=Session.objects.none(),
                                     empty_label=pgettext_lazy("session", "Held now, not scheduled"))
    held_at = _when(_("Held at"))
    place = _text(pgettext_lazy("mediation", "Place"), max_length=200)
    mode = forms.ChoiceField(label=_("Mode"), choices=SessionMode.choices, initial=SessionMode.FACE_TO_FACE)
    parties_present = forms.ModelMultipleChoiceField(label=_("Parties present"), required=False,
                                                     queryset=Case.objects.none(),
                                                     widget=forms.CheckboxSelectMultiple)
    attendees = _text(_("Others present (one per line)"), required=False, rows=2)
    notes = _text(_("Record of the session"), rows=5, max_length=LONG)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = self.case.sessions.filter(state=Session.State.SCHEDULED)
        self.fields["session"].label_from_instance = (
            lambda s: f"{timezone.localtime(s.scheduled_for):%Y-%m-%d %H:%M} · {s.place}")
        self.fields["parties_present"].queryset = self.case.parties.all()
        self.fields["parties_present"].label_from_instance = lambda p: p.name
        if not self.is_bound:
            self.initial.setdefault("held_at", _now_local())
            first = self.case.sessions.filter(state=Session.State.SCHEDULED).first()
            if first is not None:
                self.initial.update({"session": first.pk, "place": first.place, "mode": first.mode})
            self.initial.setdefault("parties_present", list(self.case.parties.values_list("pk", flat=True)))
        self.add_seat_fields()

    def clean(self):
        cleaned = super().clean()
        cleaned["seats"] = self.clean_seats(cleaned)
        cleaned["attendees"] = _names(cleaned.get("attendees") or "")
        cleaned["parties_present"] = [p.pk for p in cleaned.get("parties_present") or []]
        return cleaned


class CancelSessionForm(CaseForm):
    session = forms.ModelChoiceField(label=_("Session"), queryset=Session.objects.none())
    reason = _text(_("Reason"), rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = self.case.sessions.filter(state=Session.State.SCHEDULED)
        self.fields["session"].label_from_instance = (
            lambda s: f"{timezone.localtime(s.scheduled_for):%Y-%m-%d %H:%M} · {s.place}")


class InvestigateForm(CaseForm):
    held_at = _when(_("Time"))
    place = _text(pgettext_lazy("mediation", "Place"), max_length=200)
    subject = _text(_("Person asked"), max_length=100)
    investigators = _text(_("Investigators"), required=False, max_length=200)
    content = _text(_("Record"), rows=5, max_length=LONG)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("held_at", _now_local())

    def clean_investigators(self):
        return _names(self.cleaned_data.get("investigators") or "")


class ExtendForm(CaseForm):
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=30)
    reason = _text(_("Reason"), rows=2)


class AgreeForm(CaseForm):
    """达成协议: written (人民调解协议书) or oral, with the §29 contents and the terms."""

    form = forms.ChoiceField(label=_("Form of the agreement"), widget=forms.RadioSelect,
                             choices=[("written", _("Written agreement")), ("oral", _("Oral agreement"))],
                             initial="written")
    facts = _text(_("Main facts"), rows=3, max_length=LONG)
    disputes = _text(_("Points in dispute"), rows=2, max_length=LONG)
    responsibility = _text(_("Each side's responsibility"), rows=2, max_length=LONG)
    performance_manner = _text(_("Manner of performance"), required=False, max_length=300)
    signed_at = _when(_("Signed at"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parties = list(self.case.parties.all())
        choices = [("", "—")] + [(str(p.pk), p.name) for p in parties]
        for n in range(1, TERM_ROWS + 1):
            self.fields[f"term_{n}_content"] = _text(_("Term"), required=False, max_length=2000)
            self.fields[f"term_{n}_obligor"] = forms.ChoiceField(label=_("Owed by"), required=False, choices=choices)
            self.fields[f"term_{n}_due_on"] = forms.DateField(label=_("Due on"), required=False, widget=DateInput())
        if not self.is_bound:
            self.initial.setdefault("facts", self.case.facts)
            self.initial.setdefault("signed_at", _now_local())

    def term_rows(self) -> list[list[Any]]:
        return [[self[f"term_{n}_content"], self[f"term_{n}_obligor"], self[f"term_{n}_due_on"]]
                for n in range(1, TERM_ROWS + 1)]

    def clean(self):
        cleaned = super().clean()
        terms = []
        for n in range(1, TERM_ROWS + 1):
            content = cleaned.pop(f"term_{n}_content", "")
            obligor = cleaned.pop(f"term_{n}_obligor", "")
            due_on = cleaned.pop(f"term_{n}_due_on", None)
            if not content:
                if obligor or due_on:
                    self.add_error(f"term_{n}_content", _("Write what was agreed."))
                continue
            terms.append({"content": content, "obligor_id": int(obligor) if obligor else None, "due_on": due_on})
        if not terms:
            self.add_error("term_1_content", _("An agreement has at least one term."))
        cleaned["terms"] = terms
        return cleaned


class FailForm(ReasonForm):
    pass


class ReferForm(CaseForm):
    to = forms.ChoiceField(label=_("Referred to"), widget=forms.RadioSelect,
                           choices=[("litigation", _("Litigation")), ("arbitration", _("Arbitration"))])
    note = _text(_("Note"), rows=2)


class ReportToCourtForm(CaseForm):
    report = _text(_("Report to the court"), rows=3, max_length=LONG)


class CheckTermForm(CaseForm):
    term = forms.ModelChoiceField(label=_("Term"), queryset=Case.objects.none())
    status = forms.ChoiceField(label=_("Performance"), widget=forms.RadioSelect,
                               choices=[c for c in Performance.choices if c[0] != Performance.PENDING])
    note = _text(_("Note"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        try:
            terms = self.case.agreement.terms.all()
        except Exception:  # no agreement: the move is not offered
            terms = Case.objects.none()
        self.fields["term"].queryset = terms
        self.fields["term"].label_from_instance = lambda t: f"{t.seq}. {t.content[:40]}"


class FollowUpForm(CaseForm):
    method = forms.ChoiceField(label=_("Method"), choices=FollowUp.Method.choices, initial=FollowUp.Method.VISIT)
    visited_at = _when(_("Time"))
    note = _text(_("What was found"), rows=3, max_length=LONG)
    dispute_settled = forms.BooleanField(label=_("The dispute stays settled"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("visited_at", _now_local())


class ApplyConfirmationForm(CaseForm):
    court_name = _text(_("Court"), max_length=100)
    applied_at = _when(_("Applied at"))
    court_case_number = _text(_("Court case number"), required=False, max_length=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("applied_at", _now_local())


class RecordConfirmationForm(CaseForm):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[c for c in Confirmation.Decision.choices
                                          if c[0] != Confirmation.Decision.PENDING])
    decided_at = _when(_("Decided at"))
    court_case_number = _text(_("Court case number"), required=False, max_length=60)
    note = _text(_("The court's reasons"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("decided_at", _now_local())


CASE_FORMS: dict[str, type[CaseForm]] = {
    "accept": NoteForm,
    "refuse": ReasonForm,
    "assign": AssignForm,
    "release": ReleaseForm,
    "schedule_session": ScheduleSessionForm,
    "hold_session": HoldSessionForm,
    "cancel_session": CancelSessionForm,
    "investigate": InvestigateForm,
    "note": TextForm,
    "extend": ExtendForm,
    "agree": AgreeForm,
    "fail": FailForm,
    "withdraw": ReasonForm,
    "refer": ReferForm,
    "report_to_court": ReportToCourtForm,
    "check_term": CheckTermForm,
    "follow_up": FollowUpForm,
    "apply_confirmation": ApplyConfirmationForm,
    "record_confirmation": RecordConfirmationForm,
    "close": NoteForm,
}


def case_form(action: str, *, case: Case, user, data=None, **extra) -> CaseForm:
    return CASE_FORMS[action](data, case=case, user=user, prefix=action, **extra)


# ------------------------------------------------------------------------- opening


class PartyRowForm(forms.Form):
    side = forms.ChoiceField(label=_("Side"), choices=Side.choices)
    name = _text(_("Name"), required=False, max_length=100)
    is_organisation = forms.BooleanField(label=_("An organisation"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=30,
                            help_text=_("Left blank: the number the event registered for this name."))
    id_number = _text(_("ID number"), required=False, max_length=30)
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=[("", "—"), ("男", "男"), ("女", "女")])
    occupation = _text(_("Occupation or employer"), required=False, max_length=100)
    address = _text(_("Address"), required=False, max_length=200)
    agent = _text(_("Agent"), required=False, max_length=100)


class OpenCaseForm(forms.Form):
    """转调解: open a mediation case beside a dispute event (the event stays one event)."""

    org = forms.ModelChoiceField(label=_("Mediation organisation"), queryset=MediationOrg.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.PEOPLE)
    specialty = forms.ChoiceField(label=_("Matter"), choices=Specialty.choices)
    title = _text(_("Title"), max_length=200)
    facts = _text(_("Facts"), rows=3, max_length=LONG)
    claims = _text(_("What the parties ask for"), required=False, rows=2, max_length=LONG)
    mediator = forms.ChoiceField(label=_("Lead mediator"), required=False, widget=forms.RadioSelect)

    def __init__(self, *args, orgs, suggestions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs
        self.suggestions = list(suggestions)
        self.fields["mediator"].choices = [("", pgettext_lazy("mediator", "Choose later"))] + [
            (str(s.mediator.pk), s.mediator.person.name) for s in self.suggestions]

    def clean_mediator(self):
        value = self.cleaned_data.get("mediator")
        if not value:
            return None
        return next((s for s in self.suggestions if str(s.mediator.pk) == value), None)


class PartyRows(forms.BaseFormSet):
    def parties(self) -> list[dict[str, Any]]:
        return [f.cleaned_data for f in self.forms if f.cleaned_data.get("name")]


PartyFormSet: type[PartyRows] = forms.formset_factory(  # type: ignore[assignment]  # the factory's stub returns the base
    PartyRowForm, formset=PartyRows, extra=0, max_num=10, absolute_max=10, validate_max=True)


# ---------------------------------------------------------------------------- tasks


class MemberChoiceField(forms.ModelChoiceField):
    """A 群英 member with where they come from, their pool and how many tasks they hold."""

    loads: dict[int, int] = {}

    def label_from_instance(self, obj: Any) -> str:
        held = _("%(n)s open tasks") % {"n": self.loads.get(obj.pk, 0)}
        return f"{obj.person.name} · {obj.get_source_display()} · {obj.pool.name} · {held}"


class DispatchForm(forms.Form):
    """派单: hand the event to a member of the village's (or the town's) 群英 pool."""

    member = MemberChoiceField(label=_("群英 member"), queryset=PoolMember.objects.none(),
                               widget=forms.RadioSelect)
    instructions = _text(_("Instructions"), required=False, rows=3, max_length=2000)

    def __init__(self, *args, members, loads: dict[int, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(MemberChoiceField, self.fields["member"])
        field.queryset = members
        field.loads = dict(loads or {})


class TaskForm(forms.Form):
    def kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class TaskNoFields(TaskForm):
    pass


class TaskReasonForm(TaskForm):
    reason = _text(_("Reason"), rows=2)


class TaskReportForm(TaskForm):
    settled = forms.TypedChoiceField(label=_("Settled?"), widget=forms.RadioSelect, coerce=lambda v: v == "yes",
                                     choices=[("yes", _("Settled")), ("no", _("Not settled"))])
    report = _text(_("What was done"), rows=4, max_length=LONG)


class TaskCloseForm(TaskForm):
    note = _text(_("Note"), required=False, rows=2)


class TaskReassignForm(TaskForm):
    member = forms.ModelChoiceField(label=_("群英 member"), queryset=PoolMember.objects.none())

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["member"].queryset = members
        self.fields["member"].label_from_instance = lambda m: f"{m.person.name} · {m.pool.name}"


TASK_FORMS: dict[str, type[TaskForm]] = {
    "accept": TaskNoFields,
    "decline": TaskReasonForm,
    "report": TaskReportForm,
    "close": TaskCloseForm,
    "send_back": TaskReasonForm,
    "reassign": TaskReassignForm,
    "cancel": TaskReasonForm,
}


# ---------------------------------------------------------------------------- others


SCAN_TYPES = {"application/pdf", "image/jpeg", "image/png"}
MAX_SCAN_BYTES = 20 * 1024 * 1024


class ScanForm(forms.Form):
    """A signed scan of one document of the file (PDF, JPG or PNG, by its bytes)."""

    file = forms.FileField(label=_("Signed scan (PDF, JPG or PNG)"))

    def clean_file(self):
        from fengqiao.lib.filetypes import sniff_attachment

        upload = self.cleaned_data["file"]
        if upload.size > MAX_SCAN_BYTES:
            raise forms.ValidationError(_("The scan is larger than 20 MB."))
        if sniff_attachment(upload) not in SCAN_TYPES:
            raise forms.ValidationError(_("A signed scan is a PDF, JPG or PNG file."))
        return upload


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All")), ("open", _("Open"))] + list(Status.choices))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All"))] + list(Kind.choices))
    applied_from = forms.DateField(label=_("Applied from"), required=False, widget=DateInput())
    applied_to = forms.DateField(label=_("Applied to"), required=False, widget=DateInput())
    q = _text(_("Search"), required=False, max_length=100)
