"""Intake pages: the registration desk (一窗受理) at /events/new/, through the one door."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fengqiao.events.actions import PartyInput
from fengqiao.events.forms import EventRegistrationForm, party_formset
from fengqiao.intake.actions import intake_submit
from fengqiao.intake.desk import desk_report
from fengqiao.intake.permissions import may_register
from fengqiao.lib.errors import DomainError
from fengqiao.people.queries import posts_of


@login_required
@require_http_methods(["GET", "POST"])
def event_new(request: HttpRequest) -> HttpResponse:
    """一窗受理: register an event in the user's area."""
    if not may_register(request.user):
        return render(request, "events/no_post.html", {"has_posts": bool(posts_of(request.user))}, status=403)
    if request.method == "POST":
        form = EventRegistrationForm(request.POST, request.FILES, user=request.user)
        parties = party_formset(request.POST)
        if form.is_valid() and parties.is_valid():
            d = form.cleaned_data
            # Through the intake door: twins and the unrouted go to triage.
            try:
                event = intake_submit(actor=request.user, report=desk_report(
                    title=d["title"],
                    description=d["description"],
                    category=d["category"],
                    source=d["source"],
                    region=d["region"],
                    address=d["address"],
                    latitude=d["latitude"],
                    longitude=d["longitude"],
                    dispute_source=d["dispute_source"] or "",
                    high_risk=d["high_risk"],
                    parties=[
                        PartyInput(
                            name=p["name"].strip(), phone=p["phone"], id_number=p["id_number"],
                            is_reporter=p["is_reporter"],
                        )
                        for p in parties.cleaned_data
                        if p and (p.get("name") or "").strip()
                    ],
                    attachments=d["attachments"],
                )).event
            except DomainError as exc:
                _place_error(form, parties, exc)
                return render(request, "events/new.html",
                              {"form": form, "parties": parties, "page_url": request.path}, status=exc.status)
            messages.success(request, _("Registered as %(code)s.") % {"code": event.code})
            return redirect("event_detail", event_id=event.pk)
        return render(request, "events/new.html",
                      {"form": form, "parties": parties, "page_url": request.path}, status=400)
    form = EventRegistrationForm(user=request.user)
    return render(request, "events/new.html", {"form": form, "parties": party_formset()})


FIELD_OF_ACTION_ERROR = {"category_code": "category", "region_code": "region"}


def _place_error(form, parties, exc: DomainError) -> None:
    """Show a domain error next to the field it names (parties[1].phone → party row 2)."""
    field = exc.field or ""
    if field.startswith("parties["):
        index_text, _sep, sub = field[len("parties["):].partition("].")
        real = [f for f in parties.forms if f.cleaned_data and (f.cleaned_data.get("name") or "").strip()]
        if index_text.isdigit() and int(index_text) < len(real) and sub in real[int(index_text)].fields:
            real[int(index_text)].add_error(sub, exc.message)
            return
    field = FIELD_OF_ACTION_ERROR.get(field, field)
    if field in form.fields:
        form.add_error(field, exc.message)
    else:
        form.add_error(None, exc.message)
