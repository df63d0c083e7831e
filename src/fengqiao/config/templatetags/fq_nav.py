"""The main navigation: each page a person's posts open to them, and nothing they would be
turned away from."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fengqiao.people.queries import sees_everything

register = template.Library()

# url name → the other url names that keep the same tab current.
SECTIONS = {
    "command_dashboard": ("command_", "supervision_records", "supervision_categories", "supervision_pairings",
                          "supervision_bulletin", "supervision_ledger"),
    "triage_queue": ("triage_",),
    "imports": ("import",),
    "proxy_worklist": ("proxy_",),
    "grid_home": ("grid_",),
    "incentives_overview": ("incentives_",),
    "petition_worklist": ("petition_",),
    "mediation_worklist": ("mediation_",),
    "mediation_tasks": ("mediation_task",),
    "majors_list": ("majors_",),
    "stationing_list": ("stationing_plan", "stationing_station", "stationing_ranking"),
}


@register.simple_tag(takes_context=True)
def nav_links(context) -> list[dict]:
    request = context["request"]
    user = request.user
    if not user.is_authenticated:
        return []
    cached = getattr(request, "_fq_nav_links", None)
    if cached is not None:  # asked again on the same page (nav_has): the same answer, no queries
        return cached
    request._fq_nav_links = links_ = _links(request, user)
    return links_


def _links(request, user) -> list[dict]:
    from fengqiao.citizen.permissions import may_file_field_reports, may_proxy
    from fengqiao.command.permissions import is_department_liaison, may_view_command
    from fengqiao.grid.permissions import may_view_grid
    from fengqiao.imports.permissions import may_import
    from fengqiao.incentives.permissions import may_view as may_view_incentives
    from fengqiao.intake.permissions import may_register
    from fengqiao.majors.permissions import may_use_majors
    from fengqiao.mediation.permissions import is_pool_member, may_use_centre
    from fengqiao.petitions.permissions import may_use_petitions
    from fengqiao.stationing.permissions import may_check_in, may_use_stationing
    from fengqiao.triage.permissions import may_triage

    everything = sees_everything(user)
    links = [
        ("worklist", _("Worklist")),
        ("event_list", _("Events")),
    ]
    if may_register(user):  # 受理登记: the desk's posts only (a grid worker files 网格采集)
        links.append(("event_new", _("Register")))
    if everything or may_triage(user):
        links.append(("triage_queue", pgettext("nav", "Triage")))
    if everything or may_import(user):
        links.append(("imports", pgettext("nav", "Import")))
    if may_use_centre(user):
        links.append(("mediation_worklist", pgettext("nav", "Mediation")))
    elif is_pool_member(user):
        links.append(("mediation_tasks", pgettext("nav", "群英 tasks")))
    if may_use_petitions(user):
        links.append(("petition_worklist", pgettext("nav", "Petitions")))
    if may_use_majors(user):
        links.append(("majors_list", pgettext("nav", "Major matters")))
    if may_use_stationing(user):
        links.append(("stationing_list", pgettext("nav", "Stationed cadres")))
    if may_check_in(user):
        links.append(("stationing_checkin", pgettext("nav", "Stay check-in")))
    if may_view_grid(user):
        links.append(("grid_home", pgettext("nav", "Grid")))
    if may_view_incentives(user):
        links.append(("incentives_overview", pgettext("nav", "Points and stars")))
    if may_view_command(user):
        links.append(("command_dashboard", pgettext("nav", "Command centre")))
    if is_department_liaison(user):
        links.append(("supervision_paired_villages", pgettext("nav", "Paired villages")))
    if may_proxy(user):
        links.append(("proxy_worklist", pgettext("nav", "My proxied matters")))
    if may_file_field_reports(user):
        links.append(("field_report", pgettext("nav", "Field report")))
    current = getattr(request.resolver_match, "url_name", "") or ""
    out = []
    for name, label in links:
        prefixes = SECTIONS.get(name, ())
        active = current == name or any(current.startswith(p) for p in prefixes)
        out.append({"url": reverse(name), "label": label, "active": active, "name": name})
    return out


@register.simple_tag(takes_context=True)
def nav_has(context, name: str) -> bool:
    """Whether the menu offers the page `name` (a page's own buttons offer what the menu does)."""
    return any(link["name"] == name for link in nav_links(context))
