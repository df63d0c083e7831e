"""The bulletin pack for the Monday and Friday dispatch meetings (每周一、五调度会): a Word 通报 and
an Excel ledger for a span and a region.

Every figure comes from `fengqiao.command.queries` (the dashboard's and the API's functions);
this module only chooses the tables and words. `fengqiao bulletin --from … --to …` and the
dashboard's button (a Huey task, `supervision.tasks.build_bulletin`) both call `build_pack`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.command import queries as q
from fengqiao.command.measures import Measures
from fengqiao.lib import clock
from fengqiao.lib.errors import InvalidInput
from fengqiao.regions.models import Region
from fengqiao.supervision.documents import Pack, Table, docx_bytes, xlsx_bytes

MAX_DAYS = 366
TOP = 10  # villages shown at the top and bottom in the document (all of them in the ledger)
SUMMARY_RATES = ("handling_rate", "resolution_rate", "on_time_rate", "overdue_rate", "satisfaction_rate")
MEASURE_ROWS = (
    ("received", "受理量"), ("handled", "处置"), ("resolved", "办结"), ("on_time", "按期办结"),
    ("open_overdue", "超期未办结"), ("overdue", "逾期"), ("extended", "延期"), ("escalated", "提级"),
    ("reworked", "返工"), ("called_back", "回访"), ("satisfied", "满意"),
    ("handling_rate", "处置率"), ("resolution_rate", "办结率"), ("on_time_rate", "按期办结率"),
    ("overdue_rate", "逾期率"), ("extension_rate", "延期率"), ("rework_rate", "返工率"),
    ("satisfaction_rate", "满意率"), ("score", "综合指标值"),
)
RANK_HEADERS = ["排名", "名称", "受理量", "办结", "办结率", "处置率", "逾期率", "满意率", "综合指标值", "备注"]


def check_period(date_from: dt.date, date_to: dt.date) -> None:
    if date_from is None or date_to is None:
        raise InvalidInput(_("Choose the start and end dates."), field="date_from")
    if date_to < date_from:
        raise InvalidInput(_("The end date is before the start date."), field="date_to")
    if (date_to - date_from).days >= MAX_DAYS:
        raise InvalidInput(_("Choose at most a year."), field="date_to")


def platform_reader():
    """The platform reading for itself (the command line without --user): sees the whole tree.
    Never saved; it only reads."""
    return get_user_model()(username="bulletin", is_superuser=True)


def _d(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _show(m: Measures, name: str) -> str:
    return q.display(m, name)


def _change_text(change: q.Change, name: str) -> str:
    if change.difference is None:
        return "—"
    diff = change.difference
    if name.endswith("_rate") or name == "score":
        sign = "+" if diff > 0 else ""
        return f"{sign}{diff}{'个百分点' if name.endswith('_rate') else ''}"
    if change.percent is None:
        return f"{'+' if diff > 0 else ''}{diff}"
    return f"{'+' if diff > 0 else ''}{diff}({'+' if change.percent > 0 else ''}{change.percent}%)"


def _rank_rows(rows: list[q.RankedRow]) -> list[list[object]]:
    out: list[list[object]] = []
    for r in rows:
        m = r.measures
        out.append([r.rank if r.rank is not None else "—", r.region.name, m.received, m.resolved,
                    _show(m, "resolution_rate"), _show(m, "handling_rate"), _show(m, "overdue_rate"),
                    _show(m, "satisfaction_rate"), _show(m, "score"),
                    "样本不足" if r.small_denominator else ""])
    return out


@dataclass
class Progress:
    callback: Callable[[int, str], None] | None = None

    def __call__(self, percent: int, step: str) -> None:
        if self.callback is not None:
            self.callback(percent, step)


def collect(*, user, region: Region | str, date_from: dt.date, date_to: dt.date,
            progress: Callable[[int, str], None] | None = None) -> Pack:
    """Gather the pack's figures for `region` and the span (within `user`'s scope)."""
    from fengqiao.supervision.queries import visible_records

    check_period(date_from, date_to)
    step = Progress(progress)
    region = q.check_region(user, region)
    span = q.Span(date_from, date_to)
    step(5, "总体情况")
    comparison = q.compare(user=user, region=region, a=span.previous(), b=span)
    m = comparison.current
    title = f"{region.name}基层治理事项办理情况通报"
    summary = [
        f"{_d(date_from)}至{_d(date_to)},{region.name}共受理事项{m.received}件,"
        f"已处置{m.handled}件,已办结{m.resolved}件,办结率{_show(m, 'resolution_rate')},"
        f"处置率{_show(m, 'handling_rate')},按期办结率{_show(m, 'on_time_rate')},"
        f"逾期率{_show(m, 'overdue_rate')},满意率{_show(m, 'satisfaction_rate')},"
        f"综合指标值{_show(m, 'score')}。",
        f"与上期({_d(comparison.previous_span.start)}至{_d(comparison.previous_span.end)})相比,"
        f"受理量{_change_text(comparison.period_on_period['received'], 'received')},"
        f"办结率{_change_text(comparison.period_on_period['resolution_rate'], 'resolution_rate')},"
        f"逾期率{_change_text(comparison.period_on_period['overdue_rate'], 'overdue_rate')};"
        f"目前超期未办结{m.open_overdue}件,请相关镇(街道)、村(社区)抓紧办理。",
    ]
    measures_table = Table(
        title="表1 主要指标", sheet="指标",
        headers=["指标", "本期", "上期", "环比", "去年同期", "同比"],
        rows=[[label, _show(m, name), _show(comparison.previous, name),
               _change_text(comparison.period_on_period[name], name),
               _show(comparison.year_earlier, name), _change_text(comparison.year_on_year[name], name)]
              for name, label in MEASURE_ROWS],
    )
    sections: list[tuple[str, list[Table | str]]] = [("总体情况", [measures_table])]

    step(25, "镇街排名")
    if region.level in ("county", "city", "province"):
        towns = q.ranking(user=user, region=region, level="town", measure="score", start=date_from, end=date_to)
        sections.append(("各镇(街道)排名", [
            "按综合指标值排名,数值相同者并列;受理量少于规定数量的标注“样本不足”。",
            Table(title="表2 各镇(街道)综合排名", sheet="镇街排名", headers=RANK_HEADERS, rows=_rank_rows(towns)),
        ]))
    step(45, "村居排名")
    if region.level in ("province", "city", "county", "town"):
        villages = q.ranking(user=user, region=region, level="village", measure="score",
                             start=date_from, end=date_to)
        ranked = [r for r in villages if r.rank is not None]
        top, bottom = ranked[:TOP], ranked[-TOP:] if len(ranked) > TOP else []
        sections.append(("村(社区)排名", [
            Table(title=f"表3 综合指标值前{len(top)}名的村(社区)", sheet="村居前列", headers=RANK_HEADERS,
                  rows=_rank_rows(top)),
            Table(title=f"表4 综合指标值后{len(bottom)}名的村(社区)", sheet="村居后列", headers=RANK_HEADERS,
                  rows=_rank_rows(list(reversed(bottom)))),
            Table(title="全部村(社区)", sheet="村居排名", headers=RANK_HEADERS, rows=_rank_rows(villages),
                  in_document=False),
        ]))

    step(65, "逾期事项")
    now = clock.now()
    overdue = q.overdue_items(user=user, region=region, limit=1000, now=now)
    sections.append(("逾期事项清单", [
        f"截至{timezone.localtime(now):%Y年%m月%d日%H时},共有{len(overdue)}件事项超期未办结,"
        "请责任单位当日反馈办理进展。",
        Table(title="表5 超期未办结事项", sheet="逾期事项",
              headers=["序号", "事项编号", "事项", "所在地", "类别", "办理期限", "已逾期", "督办"],
              rows=[[i, o.event.code, o.event.title, o.event.region.name if o.event.region else "",
                     o.event.category.name, timezone.localtime(o.event.deadline).strftime("%Y-%m-%d %H:%M"),
                     f"{o.overdue_by.days}天{int(o.overdue_by.total_seconds() // 3600) % 24}小时",
                     o.event.get_supervision_display() if o.event.supervision else ""]
                    for i, o in enumerate(overdue, start=1)]),
    ]))

    step(80, "专项行动")
    campaigns = [c for c in q.visible_campaigns(user) if c.start <= date_to and c.end >= date_from
                 and (c.region.is_ancestor_of(region) or region.is_ancestor_of(c.region))]
    rows = []
    for c in campaigns:
        where = region if c.region.is_ancestor_of(region) else c.region
        cm = q.measures_for(user=user, region=where, campaign=c)
        rows.append([c.name, where.name, f"{c.start:%Y-%m-%d}至{c.end:%Y-%m-%d}", cm.received, cm.resolved,
                     _show(cm, "resolution_rate"), cm.called_back, _show(cm, "satisfaction_rate")])
    sections.append(("专项行动", [
        Table(title="表6 专项行动办理情况", sheet="专项行动",
              headers=["专项行动", "范围", "时段", "受理量", "办结", "办结率", "回访", "满意率"], rows=rows),
    ]))

    step(90, "通报问责")
    records = visible_records(user).filter(decided_on__gte=date_from, decided_on__lte=date_to).filter(
        **{f"scope_region__{k}": v for k, v in region.subtree_kwargs().items()})
    if records.exists():
        sections.append(("通报、约谈、问责与考评", [
            Table(title="表7 本期通报、约谈、问责与考评", sheet="通报问责",
                  headers=["日期", "类型", "对象", "事由", "关联事项"],
                  rows=[[r.decided_on.isoformat(), r.get_kind_display(), r.target_label, r.title,
                         r.events.count()] for r in records]),
        ]))
    step(92, "重大事项与干部住村")
    from fengqiao.supervision.majors_pack import sections as majors_sections

    sections += majors_sections(user=user, region=region, date_from=date_from, date_to=date_to)
    return Pack(
        title=title,
        subtitle=f"(统计时段:{_d(date_from)}至{_d(date_to)})",
        issued=f"{region.name}基层治理指挥中心  {_d(clock.local_date(now))}",
        summary=summary, sections=sections,
    )


def build_pack(*, user, region: Region | str, date_from: dt.date, date_to: dt.date,
               progress: Callable[[int, str], None] | None = None) -> tuple[bytes, bytes, Pack]:
    pack = collect(user=user, region=region, date_from=date_from, date_to=date_to, progress=progress)
    if progress:
        progress(95, "生成文件")
    return docx_bytes(pack), xlsx_bytes(pack), pack


def base_name(region: Region, date_from: dt.date, date_to: dt.date) -> str:
    return f"通报-{region.code}-{date_from:%Y%m%d}-{date_to:%Y%m%d}"


def file_name(run, kind: str) -> str:
    suffix = "docx" if kind == "docx" else "xlsx"
    label = "通报" if kind == "docx" else "台账"
    return f"{label}-{run.region.code}-{run.date_from:%Y%m%d}-{run.date_to:%Y%m%d}.{suffix}"
