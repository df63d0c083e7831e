"""What the case file's documents print: plain values, already chosen and masked for the viewer.

`fengqiao.mediation.casefile.collect` fills these from a case (and decides, once, whether the
viewer sees phone and ID numbers in full); the formats in `formats.py` only lay them out. Nothing
here reads the database, so a format can be checked with any data.

Dates are `datetime.date`/`datetime.datetime` (local time) or None; the formats print them the way
the forms do (2026年11月26日). A blank value prints as an empty line to be filled in by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Particulars:
    """One party's basic particulars (当事人的基本情况, 人民调解法 §29 (一))."""

    side: str  # 申请人 / 被申请人 / 当事人 / 甲方 …: how the forms name them
    name: str
    sex: str = ""  # 男 / 女
    ethnicity: str = ""  # 汉族
    age: int | None = None  # on the document's date
    occupation: str = ""  # 职业或职务
    address: str = ""  # 单位或住址
    phone: str = ""  # masked unless the viewer may see it
    id_number: str = ""  # masked unless the viewer may see it
    organisation: bool = False  # a firm or body: `name` is its name
    representative: str = ""  # 法定代表人 / 代表人 of an organisation
    agent: str = ""  # 委托代理人


@dataclass(frozen=True)
class Term:
    """One agreed term (调解协议的内容) with how and by when it is performed."""

    content: str  # 吴某支付柯某工资人民币壹万贰仟元
    obligor: str = ""  # who performs it
    amount: Decimal | None = None  # money, printed in capitals and figures
    manner: str = ""  # 履行方式: 现金 / 银行转账 / 当场履行 …
    due: dt.date | None = None  # 履行期限: on or before
    place: str = ""  # 履行地点
    performance: str = ""  # 已履行 / 部分履行 / 未履行 (the visit record prints it)


@dataclass(frozen=True)
class Seat:
    """A department seated at a joint session (联合调解) and who represented it."""

    department: str  # 度尾镇劳动保障所
    representatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Investigation:
    """人民调解调查记录: one inquiry into the facts."""

    at: dt.datetime | None
    place: str
    subjects: tuple[str, ...]  # 被调查人
    investigators: tuple[str, ...]  # 调查人
    recorder: str = ""
    participants: tuple[str, ...] = ()  # 参加人
    content: str = ""


@dataclass(frozen=True)
class Session:
    """人民调解记录: one mediation session (one per session)."""

    number: int
    at: dt.datetime | None
    place: str
    manner: str  # 面对面调解 / 背对背调解
    parties_present: tuple[str, ...]
    mediators: tuple[str, ...]
    recorder: str = ""
    seats: tuple[Seat, ...] = ()  # joint mediation: the departments seated
    participants: tuple[str, ...] = ()  # others invited (参加人)
    notes: str = ""  # 调解记录
    result: str = ""  # 调解结果
    joint: bool = False


@dataclass(frozen=True)
class Agreement:
    """The agreement: written (人民调解协议书) or oral (口头调解协议登记表)."""

    number: str  # 协议编号
    oral: bool
    concluded_on: dt.date | None  # 达成 / 签订
    effective_on: dt.date | None  # 生效 (§29: when signed and sealed; §28: oral, when reached)
    facts: str  # 纠纷的主要事实
    points: str  # 争议事项
    responsibility: str  # 各方当事人的责任
    terms: tuple[Term, ...]
    copies: int = 3  # 一式几份: each party one, the committee one
    manner: str = ""  # the manner of performance agreed for the whole (a term's own wins)
    confirmation_due: dt.date | None = None  # §33: the last day to apply together
    confirmation: str = ""  # the court's decision, once recorded


@dataclass(frozen=True)
class Visit:
    """人民调解回访记录: one follow-up visit."""

    at: dt.datetime | None
    visitors: tuple[str, ...]  # 回访人
    visited: tuple[str, ...]  # 被回访当事人
    matter: str  # 回访事由 (the dispute's name)
    findings: str  # 回访情况: performance, satisfaction, anything left
    performance: str = ""  # 已履行 / 部分履行 / 未履行
    satisfaction: str = ""  # 满意 / 基本满意 / 不满意
    holding: str = ""  # whether the dispute stays settled (纠纷是否反复)
    method: str = ""  # 上门回访 / 电话回访


@dataclass(frozen=True)
class CaseFile:
    """Everything the case file prints for one case, for one viewer."""

    committee: str  # 仙游县度尾镇人民调解委员会
    number: str  # (2026)度尾人调字第12号
    title: str  # 卷名: 柯某与吴某劳务报酬纠纷
    kind: str  # 人民调解 / 诉前调解 …
    category: str  # 纠纷类型
    source: str  # 案件来源: 当事人申请 / 人民调解委员会主动调解 / 人民法院委派 …
    summary: str  # 纠纷简要情况
    parties: tuple[Particulars, ...]
    requests: tuple[str, ...] = ()  # 当事人申请事项
    applied: bool = False  # a party applied (the 申请书 belongs in the file)
    applied_on: dt.date | None = None
    accepted_on: dt.date | None = None
    closed_on: dt.date | None = None
    registrar: str = ""  # 登记人
    mediators: tuple[str, ...] = ()
    filer: str = ""  # 立卷人
    filed_on: dt.date | None = None  # 立卷日期
    retention: str = ""  # 保管期限
    remarks: str = ""  # 备注 (the court's case number of a referral, …)
    investigations: tuple[Investigation, ...] = ()
    sessions: tuple[Session, ...] = ()
    agreement: Agreement | None = None
    visits: tuple[Visit, ...] = ()
    masked: bool = True  # phone and ID numbers are masked for this viewer
    scans: frozenset[str] = field(default_factory=frozenset)  # document keys with a signed scan
