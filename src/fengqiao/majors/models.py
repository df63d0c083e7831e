"""Major matters (重大事项) under three-level listed supervision (三级挂账督办), after a stability risk
assessment (社会稳定风险评估).

A matter is one of five kinds — key project (重点项目), major decision (重大决策), major reform
(重大改革), major activity (重大活动), major risk (重大风险隐患: real estate, illegal fund-raising …)
— owned by a unit (a county department), led by a leader in charge (包案领导), and listed at a level
(市 / 县 / 乡) in a region of that level: the city, the county or the town whose ledger carries it
and whose office approves its closing (销号). The first four kinds touch the public's interest and
must be assessed before they start (应评尽评, seed 002); a risk is listed to be defused.

The matter's states and moves are data (`majors/machine.py`) performed by the shared transition
function; so are its milestones' (a second machine on the same audit stream, `major:<id>`),
each milestone a running clock (`workflow.Clock`, policy `major.milestone`, due at the end of its
due date, warned before). Who sees a matter is `majors/queries.py`; who may do what
`majors/permissions.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    KEY_PROJECT = "key_project", pgettext_lazy("major kind", "Key project")  # 重点项目
    DECISION = "decision", pgettext_lazy("major kind", "Major decision")  # 重大决策
    REFORM = "reform", pgettext_lazy("major kind", "Major reform")  # 重大改革
    ACTIVITY = "activity", pgettext_lazy("major kind", "Major activity")  # 重大活动
    RISK = "risk", pgettext_lazy("major kind", "Major risk")  # 重大风险隐患


# 应评尽评 (seed 002): "将涉及群众利益的重点项目、重大决策、重大改革事项、重大活动全部纳入风险评估范围".
# A matter of these kinds cannot start without a completed assessment whose decision lets it go.
ASSESSED_KINDS = frozenset({Kind.KEY_PROJECT, Kind.DECISION, Kind.REFORM, Kind.ACTIVITY})


class Area(models.TextChoices):
    """The field a matter lies in (领域): what the ledger is sorted by beside its kind."""

    NONE = "", _("Not given")
    LAND = "land", pgettext_lazy("major area", "Land and demolition")  # 征地拆迁
    REAL_ESTATE = "real_estate", pgettext_lazy("major area", "Real estate")  # 房地产
    FUND_RAISING = "fund_raising", pgettext_lazy("major area", "Illegal fund-raising")  # 非法集资
    FINANCE = "finance", pgettext_lazy("major area", "Finance")  # 金融风险
    LABOUR = "labour", pgettext_lazy("major area", "Labour and wages")  # 劳资欠薪
    ENVIRONMENT = "environment", pgettext_lazy("major area", "Environment")  # 生态环境
    SAFETY = "safety", pgettext_lazy("major area", "Production safety")  # 安全生产
    INFRASTRUCTURE = "infrastructure", pgettext_lazy("major area", "Infrastructure")  # 基础设施
    LIVELIHOOD = "livelihood", pgettext_lazy("major area", "Public services")  # 民生保障
    OTHER = "other", pgettext_lazy("major area", "Other")


class Level(models.TextChoices):
    """The listing level (挂账层级) — the region level whose ledger carries the matter."""

    CITY = "city", pgettext_lazy("listing level", "City")  # 市级
    COUNTY = "county", pgettext_lazy("listing level", "County")  # 县级
    TOWN = "town", pgettext_lazy("listing level", "Town")  # 乡级 (乡镇、街道)


LEVEL_CHINESE = {Level.CITY: "市级", Level.COUNTY: "县级", Level.TOWN: "乡级"}
# Lowest first: escalation (提级挂账) moves one step up this list.
LEVEL_ORDER = [Level.TOWN, Level.COUNTY, Level.CITY]


class Status(models.TextChoices):
    REGISTERED = "registered", pgettext_lazy("major status", "Registered")  # 已登记
    ASSESSING = "assessing", pgettext_lazy("major status", "Assessing")  # 评估中
    ASSESSED = "assessed", pgettext_lazy("major status", "Assessed")  # 评估通过(待实施)
    POSTPONED = "postponed", pgettext_lazy("major status", "Postponed")  # 暂缓实施
    STOPPED = "stopped", pgettext_lazy("major status", "Not to proceed")  # 不予实施
    UNDERWAY = "underway", pgettext_lazy("major status", "Underway")  # 挂账推进中
    CLOSING = "closing", pgettext_lazy("major status", "Closing requested")  # 待销号
    CLOSED = "closed", pgettext_lazy("major status", "Closed")  # 已销号


TERMINAL_STATUSES = (Status.STOPPED, Status.CLOSED)
OPEN_STATUSES = tuple(s for s in Status if s not in TERMINAL_STATUSES)
# On the ledger (挂账): started and not yet closed, or closed (done).
LISTED_STATUSES = (Status.UNDERWAY, Status.CLOSING, Status.CLOSED)


class Card(models.TextChoices):
    """Supervision in steps (普通/黄牌/红牌督办), raised one step by each `supervise`."""

    NONE = "", _("None")
    NORMAL = "normal", pgettext_lazy("supervision card", "Normal")  # 普通督办
    YELLOW = "yellow", pgettext_lazy("supervision card", "Yellow card")  # 黄牌督办
    RED = "red", pgettext_lazy("supervision card", "Red card")  # 红牌督办


CARD_ORDER = [Card.NONE, Card.NORMAL, Card.YELLOW, Card.RED]
CARD_CHINESE = {Card.NORMAL: "普通督办", Card.YELLOW: "黄牌督办", Card.RED: "红牌督办"}


class Grade(models.TextChoices):
    """The risk grade of an assessment (风险等级)."""

    HIGH = "high", pgettext_lazy("risk grade", "High")  # 高风险: 大部分群众有意见、反应特别强烈,可能引发大规模群体性事件
    MEDIUM = "medium", pgettext_lazy("risk grade", "Medium")  # 中风险: 部分群众有意见、反应强烈,可能引发矛盾冲突
    LOW = "low", pgettext_lazy("risk grade", "Low")  # 低风险: 多数群众理解支持,少数人有意见


GRADE_CHINESE = {Grade.HIGH: "高风险", Grade.MEDIUM: "中风险", Grade.LOW: "低风险"}
GRADE_MEANING = {
    Grade.HIGH: "大部分群众有意见、反应特别强烈,可能引发大规模群体性事件",
    Grade.MEDIUM: "部分群众有意见、反应强烈,可能引发矛盾冲突",
    Grade.LOW: "多数群众理解支持,少数人有意见,通过工作可以化解",
}


class Decision(models.TextChoices):
    GO = "go", pgettext_lazy("assessment decision", "Proceed")  # 准予实施
    GO_WITH_MEASURES = "go_measures", pgettext_lazy("assessment decision", "Proceed with measures")  # 采取措施后实施
    POSTPONE = "postpone", pgettext_lazy("assessment decision", "Postpone")  # 暂缓实施
    STOP = "stop", pgettext_lazy("assessment decision", "Do not proceed")  # 不予实施


DECISION_CHINESE = {Decision.GO: "准予实施", Decision.GO_WITH_MEASURES: "采取防范化解措施后实施",
                    Decision.POSTPONE: "暂缓实施", Decision.STOP: "不予实施"}
GOING_DECISIONS = frozenset({Decision.GO, Decision.GO_WITH_MEASURES})
# What each grade allows (the practice of 社会稳定风险评估): a high risk is not carried out until
# the conditions change; a medium one only after its risks are defused; a low one may go.
DECISIONS_BY_GRADE = {
    Grade.HIGH: frozenset({Decision.POSTPONE, Decision.STOP}),
    Grade.MEDIUM: frozenset({Decision.GO_WITH_MEASURES, Decision.POSTPONE, Decision.STOP}),
    Grade.LOW: frozenset({Decision.GO, Decision.GO_WITH_MEASURES, Decision.POSTPONE, Decision.STOP}),
}


class Dimension(models.TextChoices):
    """The four questions every identified risk answers to (合法性、合理性、可行性、可控性)."""

    LEGALITY = "legality", pgettext_lazy("risk dimension", "Legality")  # 合法性
    REASONABLENESS = "reasonable", pgettext_lazy("risk dimension", "Reasonableness")  # 合理性
    FEASIBILITY = "feasibility", pgettext_lazy("risk dimension", "Feasibility")  # 可行性
    CONTROLLABILITY = "control", pgettext_lazy("risk dimension", "Controllability")  # 可控性(安全性)


class Likelihood(models.TextChoices):
    HIGH = "high", pgettext_lazy("likelihood", "High")
    MEDIUM = "medium", pgettext_lazy("likelihood", "Medium")
    LOW = "low", pgettext_lazy("likelihood", "Low")


class Channel(models.TextChoices):
    """How public opinion was gathered (民意调查方式)."""

    NOTICE = "notice", pgettext_lazy("opinion channel", "Public notice")  # 公示公告
    QUESTIONNAIRE = "questionnaire", pgettext_lazy("opinion channel", "Questionnaire")  # 问卷调查
    SYMPOSIUM = "symposium", pgettext_lazy("opinion channel", "Symposium")  # 座谈会
    HEARING = "hearing", pgettext_lazy("opinion channel", "Hearing")  # 听证会
    VISIT = "visit", pgettext_lazy("opinion channel", "Door-to-door visits")  # 入户走访
    ONLINE = "online", pgettext_lazy("opinion channel", "Online consultation")  # 网络征求意见


class ExpertConclusion(models.TextChoices):
    AGREE = "agree", pgettext_lazy("expert conclusion", "Agree")  # 同意实施
    CONDITIONAL = "conditional", pgettext_lazy("expert conclusion", "Agree with conditions")  # 有条件同意
    DISAGREE = "disagree", pgettext_lazy("expert conclusion", "Disagree")  # 不同意实施


class MilestoneStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("milestone status", "Pending")  # 未完成
    DONE = "done", pgettext_lazy("milestone status", "Done")  # 已完成


class TeamPost(models.TextChoices):
    """A member's post in the task force (攻坚小组)."""

    HEAD = "head", pgettext_lazy("task force post", "Head")  # 组长
    DEPUTY = "deputy", pgettext_lazy("task force post", "Deputy head")  # 副组长
    MEMBER = "member", pgettext_lazy("task force post", "Member")  # 成员
    LIAISON = "liaison", pgettext_lazy("task force post", "Liaison")  # 联络员


class Identity(models.TextChoices):
    """Who the member is (seed 000: 203 village cadres and 165 party members in the task forces)."""

    LEADER = "leader", pgettext_lazy("task force identity", "Leading cadre")  # 班子领导
    CADRE = "cadre", pgettext_lazy("task force identity", "Government cadre")  # 机关干部
    VILLAGE_CADRE = "village_cadre", pgettext_lazy("task force identity", "Village cadre")  # 村两委干部
    PARTY_MEMBER = "party_member", pgettext_lazy("task force identity", "Party member")  # 党员群众
    WORTHY = "worthy", pgettext_lazy("task force identity", "Local worthy")  # 乡贤
    OTHER = "other", pgettext_lazy("task force identity", "Other")


class Counter(models.Model):
    """The last number handed out per key: matter codes per county and year, report numbers
    (文号) per listing region and year."""

    key = models.CharField(max_length=48, primary_key=True)
    last = models.PositiveIntegerField(default=0)


def _region_fk(**kw):
    return models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", **kw)


class Matter(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)  # ZD-350322-2026-0001
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    area = models.CharField(_("area"), max_length=16, choices=Area.choices, blank=True)
    target = models.TextField(_("target"), blank=True)  # 目标任务
    target_on = models.DateField(_("planned completion"))  # 计划完成时间
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED)
    card = models.CharField(_("supervision"), max_length=8, choices=Card.choices, blank=True, default="")

    level = models.CharField(_("listing level"), max_length=8, choices=Level.choices)
    listing_region = models.ForeignKey(  # the city, county or town whose ledger carries it
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("listed at"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="major_matters",
                               verbose_name=_("location"))
    # Ancestors of `region` (workflow.scope.file_under): scope and counts are one indexed equality.
    province = _region_fk()
    city = _region_fk()
    county = _region_fk()
    town = _region_fk()
    village = _region_fk()
    grid = _region_fk()

    owner = models.ForeignKey("people.Department", on_delete=models.PROTECT, related_name="major_matters",
                              verbose_name=_("owner unit"))  # 责任单位
    leader = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="major_matters_led",
                               verbose_name=_("leader in charge"))  # 包案领导

    registered_at = models.DateTimeField(_("registered at"), db_index=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    listed_at = models.DateTimeField(_("listed at"), null=True, blank=True)  # 挂账: started
    breakthrough_at = models.DateTimeField(_("first breakthrough"), null=True, blank=True)  # 关键性突破
    breakthroughs = models.PositiveIntegerField(_("breakthroughs"), default=0)
    urge_count = models.PositiveIntegerField(_("urged"), default=0)
    escalation_count = models.PositiveIntegerField(_("escalated"), default=0)
    close_requested_at = models.DateTimeField(_("closing requested at"), null=True, blank=True)
    close_requested_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL,
                                           related_name="+")
    close_summary = models.TextField(_("completion summary"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)  # 销号
    closed_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    close_note = models.CharField(_("closing note"), max_length=1000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("major matter")
        verbose_name_plural = _("major matters")
        ordering = ["-registered_at", "-id"]
        indexes = [
            models.Index(fields=["county", "status"], name="major_county_status"),
            models.Index(fields=["town", "status"], name="major_town_status"),
            models.Index(fields=["listing_region", "status"], name="major_listing_status"),
            models.Index(fields=["level", "kind", "status"], name="major_level_kind"),
            models.Index(fields=["owner", "status"], name="major_owner"),
            models.Index(fields=["leader", "status"], name="major_leader"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def needs_assessment(self) -> bool:
        return self.kind in ASSESSED_KINDS


class Assessment(models.Model):
    """One round of the stability risk assessment (社会稳定风险评估) of a matter. A postponed matter
    is assessed again in a new round when its conditions change."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="assessments")
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    number = models.CharField(_("report number"), max_length=40, blank=True)  # 仙稳评〔2026〕3号
    subject = models.CharField(_("assessing body"), max_length=200)  # 评估主体
    scope = models.TextField(_("what was assessed"), blank=True)  # 评估内容
    started_at = models.DateTimeField(_("started at"))
    grade = models.CharField(_("risk grade"), max_length=8, choices=Grade.choices, blank=True)
    grade_reason = models.TextField(_("grounds for the grade"), blank=True)
    measures = models.TextField(_("measures"), blank=True)  # 风险防范化解措施
    contingency = models.TextField(_("contingency plan"), blank=True)  # 应急处置预案
    decision = models.CharField(_("decision"), max_length=12, choices=Decision.choices, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    decision_body = models.CharField(_("deciding body"), max_length=200, blank=True)  # 决策机关
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("stability risk assessment")
        verbose_name_plural = _("stability risk assessments")
        ordering = ["matter", "round"]
        constraints = [models.UniqueConstraint(fields=["matter", "round"], name="uniq_assessment_round")]

    def __str__(self) -> str:
        return f"{self.matter.code} #{self.round}"

    @property
    def decided(self) -> bool:
        return bool(self.decision)


class Risk(models.Model):
    """A risk identified (风险识别): which question it answers to, how likely, how grave, and the
    measure that defuses it."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="risks")
    dimension = models.CharField(_("dimension"), max_length=12, choices=Dimension.choices)
    description = models.TextField(_("risk"))
    likelihood = models.CharField(_("likelihood"), max_length=8, choices=Likelihood.choices)
    impact = models.CharField(_("impact"), max_length=8, choices=Likelihood.choices)
    measure = models.TextField(_("measure"), blank=True)
    responsible = models.CharField(_("responsible"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("identified risk")
        verbose_name_plural = _("identified risks")
        ordering = ["id"]


class Opinion(models.Model):
    """Public opinion gathered through one channel (民意调查): how many were reached, for and against."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="opinions")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    held_on = models.DateField(_("date"))
    reached = models.PositiveIntegerField(_("people reached"))
    support = models.PositiveIntegerField(_("in favour"))
    oppose = models.PositiveIntegerField(_("against"))
    concerns = models.TextField(_("main concerns"), blank=True)

    class Meta:
        verbose_name = _("public opinion")
        verbose_name_plural = _("public opinion")
        ordering = ["held_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(support__lte=models.F("reached")) & Q(oppose__lte=models.F("reached")),
                                   name="opinion_counts_within_reached"),
        ]

    @property
    def neutral(self) -> int:
        return max(0, self.reached - self.support - self.oppose)


class ExpertReview(models.Model):
    """An expert's review (专家评审/论证)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="experts")
    name = models.CharField(_("expert"), max_length=50)
    title = models.CharField(_("title and field"), max_length=100)  # 职称、专业领域
    conclusion = models.CharField(_("conclusion"), max_length=12, choices=ExpertConclusion.choices)
    opinion = models.TextField(_("opinion"))

    class Meta:
        verbose_name = _("expert review")
        verbose_name_plural = _("expert reviews")
        ordering = ["id"]


class Milestone(models.Model):
    """A node of the matter's plan (节点任务) with its due date; a running clock while pending."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="milestones")
    seq = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=12, choices=MilestoneStatus.choices,
                              default=MilestoneStatus.PENDING)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    late = models.BooleanField(_("late"), default=False)
    result = models.TextField(_("result"), blank=True)
    rescheduled = models.PositiveSmallIntegerField(_("rescheduled"), default=0)
    urge_count = models.PositiveIntegerField(_("urged"), default=0)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["matter", "seq"]
        constraints = [models.UniqueConstraint(fields=["matter", "seq"], name="uniq_milestone_seq")]

    def __str__(self) -> str:
        return f"{self.matter.code} · {self.seq}. {self.title}"


class TeamMember(models.Model):
    """A member of the matter's task force (攻坚小组): a person and their post in it."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="team")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="major_teams")
    post = models.CharField(_("post"), max_length=8, choices=TeamPost.choices, default=TeamPost.MEMBER)
    identity = models.CharField(_("identity"), max_length=16, choices=Identity.choices, default=Identity.CADRE)
    unit = models.CharField(_("unit"), max_length=100, blank=True)  # 所在单位 / 村
    active = models.BooleanField(_("active"), default=True)
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("task force member")
        verbose_name_plural = _("task force")
        ordering = ["matter", "post", "id"]
        constraints = [models.UniqueConstraint(fields=["matter", "person"], name="uniq_team_person")]


class Report(models.Model):
    """A progress report (进展情况) with its evidence; a breakthrough (关键性突破) is a report so
    marked."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="reports")
    milestone = models.ForeignKey(Milestone, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="reports")
    text = models.TextField(_("progress"))
    breakthrough = models.BooleanField(_("breakthrough"), default=False)
    reported_at = models.DateTimeField(_("reported at"))
    reported_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reported_by_name = models.CharField(max_length=50, blank=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["matter", "reported_at"], name="major_report_time")]


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"majors/{instance.report.matter_id}/{filename}"


class Evidence(models.Model):
    """A file behind a report (照片、会议纪要、验收文件), stored as the type its bytes show."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["id"]
