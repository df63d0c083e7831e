"""The meeting pack's sections on listed major matters and stationed cadres (每周一、五调度会).

`bulletin.collect` appends them after its own: the completion of the matters on the three
ledgers (printed with the command centre's `measures.format_rate`), the matters behind their
milestones, compliance with the stay rules per town over the pack's weeks, and the paired
departments' nights in their lagging villages beside those villages' events. Every count comes
from `majors.queries`, `stationing.queries` and `command.queries`; this module only lays out."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fengqiao.command import queries as q
from fengqiao.command.measures import format_rate
from fengqiao.lib import clock
from fengqiao.lib.rates import current_rounding
from fengqiao.majors import queries as majors
from fengqiao.majors.models import CARD_CHINESE, LEVEL_CHINESE, Card, Level, Report
from fengqiao.regions.models import Region
from fengqiao.stationing import queries as stationing
from fengqiao.supervision.documents import Table


def _d(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def sections(*, user, region: Region, date_from: dt.date, date_to: dt.date) -> list[tuple[str, list[Table | str]]]:
    rounding = current_rounding()
    now = clock.now()
    tz = timezone.get_current_timezone()
    since = timezone.make_aware(dt.datetime.combine(date_from, dt.time()), tz)
    until = timezone.make_aware(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time()), tz)
    matters = majors.visible_matters(user).filter(**region.subtree_kwargs(self_field="region_id"))
    total = majors.completion(matters, rounding)
    closed = matters.filter(closed_at__gte=since, closed_at__lt=until).count()
    breaks = Report.objects.filter(matter__in=matters, breakthrough=True, reported_at__gte=since,
                                   reported_at__lt=until).count()
    behind = sorted(majors.with_progress(matters.filter(majors.overdue_q(now)), now)
                    .select_related(*majors.LIST_RELATED), key=lambda m: (getattr(m, "next_due", None) or now, m.pk))
    level_rows: list[list[object]] = []
    for b in majors.breakdown(matters, "level", now=now, rounding=rounding):
        level_rows.append([LEVEL_CHINESE[Level(b.key)], b.completion.listed, b.completion.done,
                           format_rate(b.completion.done, b.completion.listed, 1, rounding), b.overdue, b.red])
    behind_rows: list[list[object]] = []
    for m in behind:
        late = [r for r in majors.milestone_rows(m, now) if r.state == "overdue" and r.clock is not None]
        for r in late:
            assert r.clock is not None
            behind_rows.append([m.code, m.title, f"{r.milestone.seq}. {r.milestone.title}",
                                r.milestone.due_on.isoformat(), f"{(now - r.clock.due_at).days}天", m.owner.name,
                                m.leader.name, CARD_CHINESE.get(Card(m.card), "") if m.card else ""])
    out: list[tuple[str, list[Table | str]]] = [("重大事项挂账督办", [
        f"截至{_d(clock.local_date(now))},{region.name}三级挂账督办重大事项{total.listed}个,已完成(销号){total.done}个,"
        f"完成率{format_rate(total.done, total.listed, 1, rounding)};本期销号{closed}个,取得关键性突破{breaks}项;"
        f"节点逾期事项{len(behind)}个,请包案领导、责任单位抓紧推进。",
        Table(title="表8 重大事项分层级完成情况", sheet="重大事项层级",
              headers=["层级", "挂账", "已销号", "完成率", "节点逾期", "红牌督办"], rows=level_rows),
        Table(title="表9 节点逾期的重大事项", sheet="重大事项逾期",
              headers=["编号", "事项", "逾期节点", "节点期限", "已逾期", "责任单位", "包案领导", "督办"], rows=behind_rows),
    ])]

    weeks = max(1, min(stationing.MAX_WEEKS, ((date_to - date_from).days // 7) + 1))
    win = stationing.window(weeks, until=date_to)
    plans = stationing.visible_plans(user).filter(**region.subtree_kwargs(self_field="region_id"))
    results = stationing.plan_results(plans, win)
    towns = stationing.ranking(results, "town", win, rounding=rounding)
    people = stationing.ranking(results, "person", win, rounding=rounding)
    stays = stationing.totals(results)
    paired_rows: list[list[object]] = []
    for row in stationing.paired_results(user, win):
        village = row.pairing.village
        if not region.is_ancestor_of(village):
            continue
        events = q.measures_for(user=user, region=village, start=date_from, end=date_to, now=now)
        paired_rows.append([row.pairing.department.name, village.name, "是" if row.station else "否", row.plans,
                            row.tally.required, row.tally.met, row.tally.rate_text(rounding), events.received,
                            q.display(events, "resolution_rate"), events.open_overdue])
    low = [r for r in people if r.rank is not None and r.tally.required and r.tally.met < r.tally.required]
    out.append(("干部住村落实情况", [
        f"{_d(win.start)}至{_d(win.end)},住村干部应住{stays.required}晚,按规定住村{stays.met}晚,"
        f"落实率{stays.rate_text(rounding)};因法定节假日免除{stays.excused}晚。未达标{len(low)}人,请所在单位督促落实。"
        "规定的周一、周五逢法定节假日的,顺延至当周下一个工作日;当周已无工作日的免除。",
        Table(title="表10 各镇(街道)干部住村落实情况", sheet="住村镇街",
              headers=["排名", "镇(街道)", "应住", "达标", "达标率"],
              rows=[[r.rank if r.rank is not None else "—", r.label, r.tally.required, r.tally.met,
                     r.tally.rate_text(rounding)] for r in towns]),
        Table(title="表11 挂钩部门驻村帮扶情况", sheet="挂钩部门",
              headers=["部门", "村(社区)", "驻村", "驻村干部", "应住", "达标", "达标率", "受理量", "办结率", "超期未办结"],
              rows=paired_rows),
        Table(title="干部住村明细", sheet="住村明细", headers=["排名", "姓名", "住村地点与规则", "应住", "达标", "达标率"],
              rows=[[r.rank if r.rank is not None else "—", r.label, r.sub, r.tally.required, r.tally.met,
                     r.tally.rate_text(rounding)] for r in people], in_document=False),
    ]))
    return out
