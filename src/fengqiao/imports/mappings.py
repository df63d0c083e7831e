"""Which column of a sender's sheet holds which field of a report.

A `Mapping` says, for each field (`FIELDS`), which header of the file holds it, how the sender's
category labels translate into our category codes, and optionally the sender's date format. Two
mappings ship built in — the 12345 hotline's work-order export and the 110 desk's non-police
incident export — each knowing the header names those platforms use (they vary by province and
by version, hence several per field). An operator can save their own (`ColumnMapping`).

`detect(header, source)` picks the mapping that fits a file best: saved mappings whose columns are
all present come first, then the built-in one for the source, then the other built-in one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

# (field, label, required): the fields a row gives a report.
TICKET_ID = "ticket_id"
RECEIVED_AT = "received_at"
REPORTER_NAME = "reporter_name"
REPORTER_PHONE = "reporter_phone"
TITLE = "title"
CONTENT = "content"
CATEGORY = "category"
ADDRESS = "address"
AREA_COUNTY = "area_county"
AREA_TOWN = "area_town"
TIME_LIMIT = "time_limit"


@dataclass(frozen=True)
class Field:
    key: str
    label: Any
    required: bool = False


FIELDS: tuple[Field, ...] = (
    Field(TICKET_ID, _("Ticket number"), True),
    Field(RECEIVED_AT, _("Received at"), True),
    Field(CONTENT, _("Content"), True),
    Field(ADDRESS, _("Address"), True),
    Field(CATEGORY, _("Category")),
    Field(TITLE, _("Title")),
    Field(REPORTER_NAME, _("Caller")),
    Field(REPORTER_PHONE, _("Caller's phone")),
    Field(AREA_COUNTY, _("County (sender's)")),
    Field(AREA_TOWN, _("Town (sender's)")),
    Field(TIME_LIMIT, _("Time limit (sender's)")),
)
FIELD_KEYS = tuple(f.key for f in FIELDS)
REQUIRED = tuple(f.key for f in FIELDS if f.required)
FIELD_LABEL = {f.key: f.label for f in FIELDS}

# The header names each platform's exports use, most common first.
HEADERS_12345: dict[str, tuple[str, ...]] = {
    TICKET_ID: ("工单编号", "工单号", "受理编号", "诉求编号", "工单编码"),
    RECEIVED_AT: ("来电时间", "受理时间", "登记时间", "诉求时间", "创建时间", "派单时间"),
    REPORTER_NAME: ("来电人", "来电人姓名", "诉求人", "诉求人姓名", "联系人"),
    REPORTER_PHONE: ("联系电话", "来电号码", "来电电话", "诉求人电话", "联系方式"),
    TITLE: ("工单标题", "诉求标题", "标题"),
    CONTENT: ("诉求内容", "问题描述", "来电内容", "工单内容", "诉求描述"),
    CATEGORY: ("问题分类", "诉求分类", "事项分类", "诉求类型", "业务类型", "问题类型"),
    ADDRESS: ("事发地址", "诉求地址", "问题地址", "发生地址", "事发地点"),
    AREA_COUNTY: ("所属区县", "区县", "所属区域"),
    AREA_TOWN: ("所属街镇", "所属乡镇", "所属镇街", "街镇", "乡镇街道"),
    TIME_LIMIT: ("办理时限", "办结时限", "承办时限", "处理时限"),
}
HEADERS_110: dict[str, tuple[str, ...]] = {
    TICKET_ID: ("警情编号", "接警单号", "接警编号", "警情单号", "接警单编号"),
    RECEIVED_AT: ("报警时间", "接警时间", "报警日期"),
    REPORTER_NAME: ("报警人", "报警人姓名", "求助人"),
    REPORTER_PHONE: ("报警电话", "报警人电话", "联系电话", "报警人联系电话"),
    TITLE: ("警情标题", "标题"),
    CONTENT: ("警情内容", "简要案情", "报警内容", "警情描述"),
    CATEGORY: ("警情类别", "警情类型", "警情性质", "事件类别"),
    ADDRESS: ("发生地址", "案发地点", "事发地点", "发生地点", "事发地址"),
    AREA_COUNTY: ("所属区县", "区县"),
    AREA_TOWN: ("所属乡镇", "所属街镇", "乡镇街道", "街镇"),
    TIME_LIMIT: ("办理时限", "反馈时限"),
}

# How the senders' category labels translate into ours (labels seen in 12345 and 110 exports).
LABELS_12345: dict[str, str] = {
    "劳资纠纷": "dispute.wages", "拖欠工资": "dispute.wages", "欠薪": "dispute.wages",
    "劳动保障": "dispute.wages", "工伤": "dispute.work_injury", "工伤纠纷": "dispute.work_injury",
    "邻里纠纷": "dispute.neighbours", "婚姻家庭": "dispute.family", "家庭纠纷": "dispute.family",
    "土地纠纷": "dispute.land", "宅基地纠纷": "dispute.land", "山林纠纷": "dispute.land",
    "物业管理": "dispute.property", "物业服务": "dispute.property", "物业纠纷": "dispute.property",
    "消费维权": "dispute.consumer", "消费纠纷": "dispute.consumer", "市场监管": "dispute.consumer",
    "交通事故": "dispute.traffic",
    "消防安全": "hazard.fire", "消防隐患": "hazard.fire", "出租房管理": "hazard.rental",
    "道路交通安全": "hazard.road", "安全生产": "hazard.production", "地质灾害": "hazard.geology",
    "社会保障": "livelihood.social_security", "社保医保": "livelihood.social_security",
    "就业创业": "livelihood.social_security", "医疗卫生": "livelihood.health",
    "卫生健康": "livelihood.health", "教育": "livelihood.education", "教育文体": "livelihood.education",
    "供水": "livelihood.utilities", "供电": "livelihood.utilities", "供气": "livelihood.utilities",
    "水电气": "livelihood.utilities", "停水停电": "livelihood.utilities",
    "道路设施": "livelihood.infrastructure", "市政设施": "livelihood.infrastructure",
    "交通运输": "livelihood.infrastructure", "公共设施": "livelihood.infrastructure",
    "违法建设": "city.illegal_building", "违章建筑": "city.illegal_building",
    "违章搭建": "city.illegal_building", "占道经营": "city.street_vending",
    "流动摊贩": "city.street_vending", "环境卫生": "city.sanitation", "垃圾清运": "city.sanitation",
    "市容环卫": "city.sanitation", "噪声扰民": "environment.noise", "噪音扰民": "environment.noise",
    "噪声污染": "environment.noise", "水污染": "environment.water", "大气污染": "environment.air",
    "油烟污染": "environment.air", "生态环境": "environment.air",
    "信访": "petition.first", "其他": "other", "其它": "other",
}
LABELS_110: dict[str, str] = {
    "纠纷": "dispute.other", "民事纠纷": "dispute.other", "经济纠纷": "dispute.other",
    "劳资纠纷": "dispute.wages", "家庭纠纷": "dispute.family", "婚姻家庭纠纷": "dispute.family",
    "邻里纠纷": "dispute.neighbours", "土地纠纷": "dispute.land", "山林土地纠纷": "dispute.land",
    "物业纠纷": "dispute.property", "消费纠纷": "dispute.consumer", "交通事故": "dispute.traffic",
    "交通纠纷": "dispute.traffic", "噪音扰民": "environment.noise", "噪声扰民": "environment.noise",
    "消防隐患": "hazard.fire", "火灾隐患": "hazard.fire", "道路隐患": "hazard.road",
    "群众求助": "other", "求助": "other", "其他": "other", "其它": "other",
    "市政设施": "livelihood.infrastructure", "停水停电": "livelihood.utilities",
    "占道经营": "city.street_vending", "违章搭建": "city.illegal_building",
}

BUILTIN_12345 = "builtin:12345"
BUILTIN_110 = "builtin:110"


@dataclass
class Mapping:
    """A resolved mapping: the header of the file that holds each field, and the label table."""

    name: str
    source: str
    columns: dict[str, str] = field(default_factory=dict)  # field → header in the file
    categories: dict[str, str] = field(default_factory=dict)  # sender's label → category code
    date_format: str = ""  # strptime format, tried before the usual ones
    builtin: bool = False
    saved_id: int | None = None

    def missing(self, header: list[str]) -> list[str]:
        """The required fields with no column in `header`."""
        present = set(header)
        return [f for f in REQUIRED if self.columns.get(f) not in present]

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "source": self.source, "columns": dict(self.columns),
                "categories": dict(self.categories), "date_format": self.date_format,
                "builtin": self.builtin, "saved_id": self.saved_id}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Mapping:
        return cls(name=data.get("name", ""), source=data.get("source", ""),
                   columns=dict(data.get("columns") or {}), categories=dict(data.get("categories") or {}),
                   date_format=data.get("date_format") or "", builtin=bool(data.get("builtin")),
                   saved_id=data.get("saved_id"))


BUILTINS: dict[str, tuple[str, Any, dict[str, tuple[str, ...]], dict[str, str]]] = {
    BUILTIN_12345: ("hotline_12345", _("12345 hotline work orders (built in)"), HEADERS_12345, LABELS_12345),
    BUILTIN_110: ("police_110", _("110 non-police incidents (built in)"), HEADERS_110, LABELS_110),
}


def known_headers(saved: Sequence[Mapping] = ()) -> frozenset[str]:
    """Every column name a mapping looks for: how a sheet's header row is recognised."""
    names = {n for table in (HEADERS_12345, HEADERS_110) for names in table.values() for n in names}
    names |= {h for mp in saved for h in mp.columns.values() if h}
    return frozenset(names)


def builtin(name: str, header: list[str], *, source: str | None = None) -> Mapping:
    """A built-in mapping resolved against a file's header (each field → the first of its known
    header names the file has)."""
    default_source, _label, headers, labels = BUILTINS[name]
    present = {h.strip() for h in header}
    columns = {}
    for key, names in headers.items():
        found = next((n for n in names if n in present), None)
        if found:
            columns[key] = found
    return Mapping(name=name, source=source or default_source, columns=columns,
                   categories=dict(labels), builtin=True)


def _score(mapping: Mapping, header: list[str]) -> tuple[int, int]:
    present = set(header)
    required = sum(1 for f in REQUIRED if mapping.columns.get(f) in present)
    total = sum(1 for h in mapping.columns.values() if h in present)
    return required, total


def detect(header: list[str], source: str, saved: Sequence[Mapping] = ()) -> Mapping:
    """The mapping that fits `header` best. Saved mappings for the source whose every column is
    in the file win; otherwise the built-in mapping with the most required fields found (the
    source's own on a tie). Always returns one; `missing()` tells whether it is enough."""
    header = [h.strip() for h in header]
    present = set(header)
    for m in saved:
        if m.source == source and m.columns and all(h in present for h in m.columns.values()):
            if not m.missing(header):
                return m
    preferred = BUILTIN_110 if source == "police_110" else BUILTIN_12345
    candidates = [builtin(preferred, header, source=source)]
    candidates += [builtin(n, header, source=source) for n in BUILTINS if n != preferred]
    return max(candidates, key=lambda m: _score(m, header))  # max keeps the first on a tie
