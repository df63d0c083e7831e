"""The incentive scheme's pages: the overview and its figures, a household's ledger, the rules,
scoring on the rubric, the shops with their exchanges, the red and black lists (page and
.docx), and elections with the figures behind each nominee."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods

from fengqiao.grid import queries as grid_queries
from fengqiao.grid.models import Appointment, Household
from fengqiao.incentives import actions, documents, permissions, queries
from fengqiao.incentives.models import (
    ElectionKind,
    ListEntry,
    PeriodStatus,
    Redemption,
    Rubric,
    Rule,
    Score,
    ShopItem,
    StarThreshold,
)
from fengqiao.lib import clock
from fengqiao.lib.errors import DomainError
from fengqiao.people.queries import visible_regions
from fengqiao.regions.models import Level, Region


class PointsForm(forms.Form):
    rule = forms.ModelChoiceField(label=pgettext_lazy("incentive", "rule"), queryset=Rule.objects.filter(active=True))
    times = forms.IntegerField(label=gettext_lazy("times"), min_value=1, max_value=20, initial=1)
    reason = forms.CharField(label=gettext_lazy("reason"), max_length=300)


class RedeemForm(forms.Form):
    household = forms.CharField(label=gettext_lazy("household number"), max_length=40)
    item = forms.ChoiceField(label=gettext_lazy("item"))
    quantity = forms.IntegerField(label=gettext_lazy("quantity"), min_value=1, max_value=100, initial=1)
    request_uuid = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(i.pk, f"{i.name} · {i.points}分 · {_('in stock')} {i.stock}") for i in items]


class ItemForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "name"), max_length=60)
    points = forms.IntegerField(label=gettext_lazy("points"), min_value=1, max_value=100_000)
    value = forms.DecimalField(label=gettext_lazy("value (yuan)"), min_value=0, max_value=100_000, decimal_places=2)
    add_stock = forms.IntegerField(label=gettext_lazy("stock received"), min_value=0, max_value=100_000, initial=0)


class ListForm(forms.Form):
    household = forms.CharField(label=gettext_lazy("household number"), max_length=40)
    kind = forms.ChoiceField(label=gettext_lazy("list"), choices=[("red", gettext_lazy("Red list")),
                                                                  ("black", gettext_lazy("Black list"))])
    reason = forms.CharField(label=gettext_lazy("reason"), max_length=200)


class PeriodForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "name"), max_length=60)
    region = forms.ChoiceField(label=gettext_lazy("region"))
    starts_on = forms.DateField(label=gettext_lazy("from"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=gettext_lazy("to"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.pk, r.display_name) for r in regions]


class ElectionForm(PeriodForm):
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=ElectionKind.choices)
    seats = forms.IntegerField(label=pgettext_lazy("election", "seats"), min_value=1, max_value=10_000)


# The figures behind a nominee, in the order the page shows them.
FIGURE_LABELS = {
    "visits": gettext_lazy("Visits made"), "households": gettext_lazy("Households visited"),
    "days_out": gettext_lazy("Days out"), "demands": gettext_lazy("Demands raised"),
    "solved": gettext_lazy("Demands solved"), "hazards": gettext_lazy("Hazards found"),
    "grid_visits": gettext_lazy("Visits in the grid"), "grid_households_visited": gettext_lazy("Households visited in the grid"),
    "grid_demands": gettext_lazy("Demands collected in the grid"), "grid_demands_solved": gettext_lazy("Solved"),
    "grid_hazards": gettext_lazy("Hazards in the grid"), "grid_hazards_closed": gettext_lazy("Hazards closed"),
    "points_earned": gettext_lazy("Points earned"), "score": gettext_lazy("Latest score"), "stars": gettext_lazy("Stars"),
}


def _gate(request: HttpRequest) -> None:
    permissions.require_view(request.user)


def _regions(user, levels) -> list[Region]:
    return list(visible_regions(user).filter(level__in=levels, retired_at=None).order_by("code")[:500])


# ------------------------------------------------------------------------------ overview


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    _gate(request)
    user = request.user
    code = (request.GET.get("area") or "")[:32]
    area = None
    if code:
        region = visible_regions(user).filter(code=code).first()
        if region is None:
            raise Http404("no such region")
        area = grid_queries.Area(region=region)
    zone = (request.GET.get("zone") or "")[:12]
    if zone:
        area = grid_queries.Area(zone=grid_queries.access_zone(user, zone))
    return render(request, "incentives/overview.html", {
        "stars": queries.star_households(user, area), "redemptions": queries.redemptions(user, area),
        "points": queries.points_totals(user, area), "elected": queries.elected_counts(user),
        "rules": Rule.objects.filter(active=True), "area": area,
        "area_choices": _regions(user, [Level.COUNTY, Level.TOWN, Level.VILLAGE]),
        "zone_choices": grid_queries.visible_zones(user), "area_code": code, "zone_id": zone,
        "may_keep_rules": permissions.may_keep_rules(user)})


# ---------------------------------------------------------------------------- household


@login_required
@require_http_methods(["GET", "POST"])
def household(request: HttpRequest, household_id: int) -> HttpResponse:
    _gate(request)
    h = queries.access_household(request.user, household_id)
    form = PointsForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.points_apply(actor=request.user, household=h, rule=form.cleaned_data["rule"],
                                     reason=form.cleaned_data["reason"], times=form.cleaned_data["times"])
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Points recorded."))
                return redirect("incentives_household", h.pk)
        else:
            messages.error(request, _("Check the form."))
    entries = queries.ledger(h)[:100]
    scores = Score.objects.filter(household=h).select_related("period").order_by("-period__starts_on")
    return render(request, "incentives/household.html", {
        "household": h, "balance": queries.balance_of(h), "entries": entries, "scores": scores, "form": form,
        "may_give": _may(permissions.require_give_points, request.user, h.region)})


def _may(check, user, region) -> bool:
    try:
        check(user, region)
    except DomainError:
        return False
    return True


# -------------------------------------------------------------------------------- rules


@login_required
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest) -> HttpResponse:
    _gate(request)
    if request.method == "POST":
        permissions.require_keep_rules(request.user)
        rule = Rule.objects.filter(pk=request.POST.get("rule") or 0).first() if (request.POST.get("rule") or "").isdigit() else None
        try:
            actions.rule_save(actor=request.user, rule=rule, code=request.POST.get("code", ""),
                              name=request.POST.get("name", ""), points=request.POST.get("points", ""),
                              description=request.POST.get("description", ""), order=request.POST.get("order") or 0,
                              active=request.POST.get("active") == "on")
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Rule saved."))
        return redirect("incentives_rules")
    return render(request, "incentives/rules.html", {
        "rules": Rule.objects.all(), "rubric": Rubric.objects.filter(active=True).prefetch_related("items").first(),
        "thresholds": StarThreshold.objects.all(),
        "may_keep": permissions.may_keep_rules(request.user)})


# ------------------------------------------------------------------------------ scoring


@login_required
@require_http_methods(["GET", "POST"])
def periods(request: HttpRequest) -> HttpResponse:
    _gate(request)
    regions = [r for r in _regions(request.user, [Level.COUNTY, Level.TOWN, Level.VILLAGE])
               if permissions.may_run_lists(request.user, r)]
    form = PeriodForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        rubric = Rubric.objects.filter(active=True).first()
        try:
            if rubric is None:
                raise DomainError(_("Choose a rubric of 100 points."))
            period = actions.period_open(actor=request.user, region=next(r for r in regions if str(r.pk) == d["region"]),
                                         rubric=rubric, name=d["name"], starts_on=d["starts_on"], ends_on=d["ends_on"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("incentives_period", period.pk)
    return render(request, "incentives/periods.html", {"periods": queries.periods_for(request.user)[:100],
                                                       "form": form if regions else None})


@login_required
@require_http_methods(["GET", "POST"])
def period(request: HttpRequest, period_id: int) -> HttpResponse:
    _gate(request)
    p = queries.access_period(request.user, period_id)
    items = list(p.rubric.items.all())
    if request.method == "POST":
        try:
            if request.POST.get("action") == "close":
                actions.period_close(actor=request.user, period=p)
                messages.success(request, _("Scoring closed and published."))
            else:
                h = queries.access_household(request.user, request.POST.get("household"))
                points = {i.pk: request.POST.get(f"item-{i.pk}", "") for i in items}
                score = actions.household_score(actor=request.user, period=p, household=h, points=points)
                messages.success(request, _("%(h)s: %(s)d points, %(n)d stars.") % {"h": h.code, "s": score.total,
                                                                                  "n": score.stars})
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("incentives_period", p.pk)
    scores = {s.household_id: s for s in queries.households_with_stars(request.user, p)}
    households = (grid_queries.scoped(request.user, Household.objects.filter(active=True))
                  .filter(**p.region.subtree_kwargs(self_field="region_id")).order_by("code")[:300])
    chosen = request.GET.get("household")
    target = None
    if chosen:
        target = queries.access_household(request.user, chosen)
    return render(request, "incentives/period.html", {
        "period": p, "items": items, "rows": [(h, scores.get(h.pk)) for h in households], "target": target,
        "target_score": scores.get(target.pk) if target else None,
        "open": p.status == PeriodStatus.OPEN,
        "may_close": p.status == PeriodStatus.OPEN and permissions.may_run_lists(request.user, p.region)})


# -------------------------------------------------------------------------------- shops


@login_required
@require_http_methods(["GET", "POST"])
def shops(request: HttpRequest) -> HttpResponse:
    _gate(request)
    regions = [r for r in _regions(request.user, [Level.TOWN, Level.VILLAGE]) if permissions.may_keep_shop(request.user, r)]
    if request.method == "POST":
        try:
            region = next((r for r in regions if str(r.pk) == request.POST.get("region")), None)
            if region is None:
                raise DomainError(_("Choose where the shop is."))
            shop = actions.shop_create(actor=request.user, region=region, name=request.POST.get("name", ""))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("incentives_shop", shop.pk)
    return render(request, "incentives/shops.html", {"shops": queries.shops_for(request.user), "regions": regions})


@login_required
@require_http_methods(["GET", "POST"])
def shop(request: HttpRequest, shop_id: int) -> HttpResponse:
    _gate(request)
    s = queries.access_shop(request.user, shop_id)
    items = list(s.items.filter(active=True))
    may_keep = permissions.may_keep_shop(request.user, s.region)
    redeem_form = RedeemForm(request.POST if request.POST.get("form") == "redeem" else None, items=items,
                             initial={"request_uuid": uuid.uuid4()})
    item_form = ItemForm(request.POST if request.POST.get("form") == "item" else None)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "redeem" and redeem_form.is_valid():
                d = redeem_form.cleaned_data
                h = grid_queries.scoped(request.user, Household.objects.filter(code=d["household"].strip())).first()
                if h is None:
                    raise DomainError(_("No household %(c)s here.") % {"c": d["household"]}, field="household")
                item = next(i for i in items if str(i.pk) == d["item"])
                done = actions.redeem(actor=request.user, item=item, household=h, quantity=d["quantity"],
                                      request_uuid=d["request_uuid"])
                messages.success(request, _("%(h)s exchanged %(n)d × %(i)s for %(p)d points.") % {
                    "h": h.code, "n": done.redemption.quantity, "i": item.name, "p": done.redemption.points})
            elif request.POST.get("form") == "item" and item_form.is_valid():
                actions.item_save(actor=request.user, shop=s, item=None, **item_form.cleaned_data)
                messages.success(request, _("Item saved."))
            elif request.POST.get("form") == "stock":
                stocked = ShopItem.objects.filter(shop=s, pk=request.POST.get("item") or 0).first() \
                    if (request.POST.get("item") or "").isdigit() else None
                if stocked is None:
                    raise DomainError(_("Choose an item."))
                actions.item_save(actor=request.user, shop=s, item=stocked, name=stocked.name, points=stocked.points,
                                  value=stocked.value, add_stock=request.POST.get("add_stock") or 0)
                messages.success(request, _("Stock received."))
            else:
                raise DomainError(_("Check the form."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("incentives_shop", s.pk)
    recent = (Redemption.objects.filter(item__shop=s).select_related("item", "account__household").order_by("-at")[:50])
    return render(request, "incentives/shop.html", {"shop": s, "items": items, "may_keep": may_keep,
                                                    "redeem_form": redeem_form, "item_form": item_form,
                                                    "recent": recent})


# -------------------------------------------------------------------------------- lists


def _list_context(request: HttpRequest) -> tuple[Region, str, dict[str, list[ListEntry]]]:
    villages = visible_regions(request.user).filter(level=Level.VILLAGE, retired_at=None)
    code = (request.GET.get("village") or "")[:32]
    village = villages.filter(code=code).first() if code else villages.order_by("code").first()
    if village is None:
        raise Http404("no village")
    period = (request.GET.get("period") or clock.local_date().strftime("%Y年%m月"))[:20]
    return village, period, queries.lists_of(request.user, village=village, period=period)


@login_required
@require_http_methods(["GET", "POST"])
def lists(request: HttpRequest) -> HttpResponse:
    _gate(request)
    village, period, rows = _list_context(request)
    form = ListForm(request.POST or None)
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise DomainError(_("Check the form."))
            h = grid_queries.scoped(request.user, Household.objects.filter(code=form.cleaned_data["household"].strip(),
                                                                           village=village)).first()
            if h is None:
                raise DomainError(_("No household %(c)s here.") % {"c": form.cleaned_data["household"]})
            actions.list_add(actor=request.user, village=village, period=period, kind=form.cleaned_data["kind"],
                             household=h, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Added to the list."))
        return redirect(f"{request.path}?village={village.code}&period={period}")
    villages = visible_regions(request.user).filter(level=Level.VILLAGE, retired_at=None).order_by("code")[:500]
    return render(request, "incentives/lists.html", {
        "village": village, "period": period, "red": rows["red"], "black": rows["black"], "villages": villages,
        "periods": queries.list_periods(request.user, village), "form": form,
        "may_run": permissions.may_run_lists(request.user, village)})


@login_required
def lists_docx(request: HttpRequest) -> HttpResponse:
    _gate(request)
    village, period, rows = _list_context(request)
    data = documents.lists_docx(village=village, period=period, red=rows["red"], black=rows["black"])
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''red-black-lists.docx"
    return response


# ---------------------------------------------------------------------------- elections


@login_required
@require_http_methods(["GET", "POST"])
def elections(request: HttpRequest) -> HttpResponse:
    _gate(request)
    regions = [r for r in _regions(request.user, [Level.COUNTY, Level.TOWN]) if permissions.may_run_lists(request.user, r)]
    form = ElectionForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            election = actions.election_open(actor=request.user, region=next(r for r in regions if str(r.pk) == d["region"]),
                                             kind=d["kind"], name=d["name"], starts_on=d["starts_on"],
                                             ends_on=d["ends_on"], seats=d["seats"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("incentives_election", election.pk)
    return render(request, "incentives/elections.html", {"elections": queries.elections_for(request.user)[:100],
                                                         "form": form if regions else None})


@login_required
@require_http_methods(["GET", "POST"])
def election(request: HttpRequest, election_id: int) -> HttpResponse:
    _gate(request)
    e = queries.access_election(request.user, election_id)
    if request.method == "POST":
        try:
            action = request.POST.get("action")
            if action == "nominate":
                appointment = Appointment.objects.filter(pk=request.POST.get("appointment") or 0).first() \
                    if (request.POST.get("appointment") or "").isdigit() else None
                if appointment is None:
                    raise DomainError(_("Choose the nominee."))
                actions.nominate(actor=request.user, election=e, appointment=appointment)
            elif action == "votes":
                nominee = queries.access_nominee(request.user, request.POST.get("nominee"))
                actions.votes_record(actor=request.user, nominee=nominee, votes=request.POST.get("votes"))
            elif action == "close":
                actions.election_close(actor=request.user, election=e)
            else:
                raise DomainError(_("Check the form."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("incentives_election", e.pk)
    role = actions.ELECTION_ROLE[ElectionKind(e.kind)]
    nominees = list(queries.nominees_of(e))
    taken = {n.person_id for n in nominees}
    candidates = (Appointment.objects.filter(role=role, active=True, **e.region.subtree_kwargs(self_field="region_id"))
                  .exclude(person_id__in=taken).select_related("person", "region", "household")[:300])
    keys = [k for k in FIGURE_LABELS if any(k in n.figures for n in nominees)]
    return render(request, "incentives/election.html", {
        "election": e, "nominees": nominees, "candidates": candidates, "keys": [FIGURE_LABELS[k] for k in keys],
        "rows": [(n, [n.figures.get(k, "") for k in keys]) for n in nominees],
        "open": e.status == "nominating", "may_run": permissions.may_run_lists(request.user, e.region)})
