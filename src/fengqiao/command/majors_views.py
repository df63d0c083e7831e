"""The command centre's view of listed major matters and stationed cadres (重大事项、驻村住村).

- 三级挂账督办: listed, done and the completion rate of the matters under the region — printed
  with the command centre's `measures.format_rate` (the one rule, truncated by default: 240
  listed and 222 done show 92.5%) — by level, by kind and by town, and the milestones past
  their date;
- 干部住村: compliance per town over the last weeks, and the departments paired (挂钩) with
  lagging villages: their cadres' nights there beside the villages' events (the command
  centre's own measures: received, resolution rate, overdue rate).

Counts come from `majors.queries` and `stationing.queries`; the events' measures from
`command.queries.measures_for` — this module only lays them out. Outside the user's scope: 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from fengqiao.command import permissions as perms
from fengqiao.command import queries as q
from fengqiao.command.measures import format_rate, measure_label
from fengqiao.lib import clock
from fengqiao.lib.rates import current_rounding  # the admin's rule in force (command registers it)
from fengqiao.majors import queries as majors
from fengqiao.majors.models import LEVEL_CHINESE, Level
from fengqiao.stationing import queries as stationing

WEEKS = 4


@dataclass(frozen=True)
class FigureRow:
    label: str
    listed: int
    done: int
    rate: str
    overdue: int
    red: int


def _rows(qs, by: str, rounding: str) -> list[FigureRow]:
    out = []
    for b in majors.breakdown(qs, by):
        label = LEVEL_CHINESE.get(Level(b.key), b.label) if by == "level" else b.label
        out.append(FigureRow(label=str(label), listed=b.completion.listed, done=b.completion.done,
                             rate=format_rate(b.completion.done, b.completion.listed, 1, rounding),
                             overdue=b.overdue, red=b.red))
    return out


@login_required
@require_GET
def majors_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    perms.require_command_view(user)
    region = q.check_region(user, request.GET.get("region") or q.home_region(user))
    rounding = current_rounding()
    now = clock.now()
    matters = majors.visible_matters(user).filter(**region.subtree_kwargs(self_field="region_id"))
    total = majors.completion(matters, rounding)
    overdue = sorted(majors.with_progress(matters.filter(majors.overdue_q(now)), now)
                     .select_related(*majors.LIST_RELATED), key=lambda m: (getattr(m, "next_due", None) or now, m.pk))

    win = stationing.window(WEEKS)
    plans = stationing.visible_plans(user).filter(**region.subtree_kwargs(self_field="region_id"))
    results = stationing.plan_results(plans, win)
    towns = stationing.ranking(results, "town", win, rounding=rounding)
    paired = []
    for row in stationing.paired_results(user, win)[:100]:
        village = row.pairing.village
        if not region.is_ancestor_of(village):
            continue
        m = q.measures_for(user=user, region=village, start=win.start, end=min(win.end, win.today), now=now)
        paired.append({"row": row, "received": m.received,
                       "resolution_rate": q.display(m, "resolution_rate"),
                       "overdue_rate": q.display(m, "overdue_rate"), "open_overdue": m.open_overdue})
    return render(request, "command/majors.html", {
        "region": region,
        "total": {"listed": total.listed, "done": total.done, "open": total.open,
                  "rate": format_rate(total.done, total.listed, 1, rounding)},
        "by_level": _rows(matters, "level", rounding),
        "by_kind": _rows(matters, "kind", rounding),
        "by_town": _rows(matters, "town", rounding) if region.level in ("city", "county") else [],
        "overdue": overdue[:30],
        "win": win,
        "stay_total": stationing.totals(results),
        "towns": towns,
        "paired": paired,
        "span": (win.start, min(win.end, win.today)),
        "labels": {name: measure_label(name) for name in ("received", "resolution_rate", "overdue_rate",
                                                          "open_overdue")},
    })
