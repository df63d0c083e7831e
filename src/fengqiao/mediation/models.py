"""The mediation centre's rows: organisations, mediators, the 群英 pool, cases and all that hangs
on a case (parties, mediators on it, sessions and the departments seated at them, investigations,
the agreement and its terms, follow-up visits, judicial confirmation, attachments), the 群英
tasks, the centre's duty roster, and the log of unmasked reads of parties' personal data.

A case sits beside its dispute event (`Case.event`): the dispute stays one event, ranked and
counted as every other; the case carries the mediation. Both the case and a 群英 task are filed
under a region with the ancestor columns (`workflow.scope.file_under`), so scope is one indexed
equality per post, as for events. Statuses are ≤ 12 characters (the audit row's from/to).

Organisations (《全国人民调解工作规范》): a mediation committee (调解委员会) at a county, town or
village — its level is its region's —, a professional committee (行业性专业调解委员会), a
stationed room (派驻调解工作室) in the court, procuratorate, police or petition office, a brand
room (个人品牌调解室, e.g. 李中秋's 和合说事工作室) with its mediator, and the county's centre
(社会矛盾纠纷调处化解中心, 矛调中心) whose duty roster answers what arrives out of hours.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.lib.masking import mask_id_number, mask_phone
from fengqiao.lib.protect import EncryptedTextField


def _ancestor() -> models.ForeignKey:
    return models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")


class Kind(models.TextChoices):
    """The six kinds of the "146" system (seed 002)."""

    PEOPLE = "people", _("People's mediation")  # 人民调解
    ADMINISTRATIVE = "administrative", _("Administrative mediation")  # 行政调解
    JUDICIAL = "judicial", _("Judicial mediation")  # 司法调解
    ARBITRATION = "arbitration", _("Arbitration mediation")  # 仲裁调解
    REVIEW = "review", _("Administrative-review mediation")  # 复议调解
    PRE_LITIGATION = "pre_litigation", _("Pre-litigation mediation")  # 诉前调解


class Specialty(models.TextChoices):
    """What a dispute is about, and what a mediator is good at (matched by the suggestion)."""

    FAMILY = "family", _("Marriage and family")  # 婚姻家庭
    LABOUR = "labour", _("Labour dispute")  # 劳动争议
    WORK_INJURY = "work_injury", _("Work injury")  # 工伤
    LAND = "land", _("Land, forest and homestead")  # 土地山林(宅基地)
    NEIGHBOUR = "neighbour", _("Neighbours")  # 邻里
    TRAFFIC = "traffic", _("Traffic accident")  # 交通事故
    MEDICAL = "medical", _("Medical")  # 医疗
    PROPERTY = "property", _("Property management")  # 物业
    DEBT = "debt", _("Debts and loans")  # 借贷债务
    CONSUMER = "consumer", _("Consumer")  # 消费
    OTHER = "other", _("Other")  # 其他


# The Chinese names, for what goes out in Chinese whatever the reader's interface language (the
# suggestion's reason, texts, the case file).
KIND_CHINESE = {
    Kind.PEOPLE: "人民调解", Kind.ADMINISTRATIVE: "行政调解", Kind.JUDICIAL: "司法调解",
    Kind.ARBITRATION: "仲裁调解", Kind.REVIEW: "复议调解", Kind.PRE_LITIGATION: "诉前调解",
}
SPECIALTY_CHINESE = {
    Specialty.FAMILY: "婚姻家庭", Specialty.LABOUR: "劳动争议", Specialty.WORK_INJURY: "工伤",
    Specialty.LAND: "土地山林", Specialty.NEIGHBOUR: "邻里", Specialty.TRAFFIC: "交通事故",
    Specialty.MEDICAL: "医疗", Specialty.PROPERTY: "物业", Specialty.DEBT: "借贷债务",
    Specialty.CONSUMER: "消费", Specialty.OTHER: "其他",
}

# The specialty a dispute category points to (events' shipped category codes).
SPECIALTY_OF_CATEGORY = {
    "dispute.wages": Specialty.LABOUR,
    "dispute.work_injury": Specialty.WORK_INJURY,
    "dispute.neighbours": Specialty.NEIGHBOUR,
    "dispute.land": Specialty.LAND,
    "dispute.family": Specialty.FAMILY,
    "dispute.property": Specialty.PROPERTY,
    "dispute.consumer": Specialty.CONSUMER,
    "dispute.traffic": Specialty.TRAFFIC,
    "dispute.other": Specialty.OTHER,
}


# ------------------------------------------------------------------------ organisations


class OrgKind(models.TextChoices):
    CENTRE = "centre", _("Mediation centre")  # 社会矛盾纠纷调处化解中心
    COMMITTEE = "committee", _("Mediation committee")  # 人民调解委员会 (county/town/village)
    PROFESSIONAL = "professional", _("Professional committee")  # 行业性专业调解委员会
    STATIONED = "stationed", _("Stationed room")  # 派驻调解工作室
    BRAND = "brand", _("Brand room")  # 个人品牌调解室


class Host(models.TextChoices):
    """Where a stationed room sits."""

    NONE = "", _("—")
    COURT = "court", _("Court")  # 法院
    PROCURATORATE = "procuratorate", _("Procuratorate")  # 检察院
    POLICE = "police", _("Police")  # 公安(派出所)
    PETITION = "petition", _("Petition office")  # 信访局


class MediationOrg(models.Model):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=OrgKind.choices)
    host = models.CharField(_("stationed in"), max_length=16, choices=Host.choices, blank=True, default="")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="mediation_orgs",
                               verbose_name=_("region"))
    province = _ancestor()
    city = _ancestor()
    county = _ancestor()
    town = _ancestor()
    village = _ancestor()
    grid = _ancestor()
    # A brand room's own mediator (李中秋 of 和合说事工作室).
    lead = models.ForeignKey("Mediator", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("lead mediator"))
    department = models.ForeignKey("people.Department", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("department"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("office phone"), max_length=30, blank=True)  # a public office line
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("mediation organisation")
        verbose_name_plural = _("mediation organisations")
        ordering = ["region__code", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="uniq_mediation_org_name"),
            models.CheckConstraint(condition=Q(kind="stationed") | Q(host=""), name="mediation_org_host_only_stationed"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def level(self) -> str:
        """A committee's level is its region's: county, town or village."""
        return self.region.level


class MediatorLevel(models.TextChoices):
    GOLD = "gold", _("Gold-medal")  # 金牌
    RED = "red", _("Red")  # 红色
    FULL_TIME = "full_time", _("Full-time")  # 专职
    PART_TIME = "part_time", _("Part-time")  # 兼职
    INVITED = "invited", _("Invited")  # 特邀


LEVEL_CHINESE = {"gold": "金牌调解员", "red": "红色调解员", "full_time": "专职调解员",
                 "part_time": "兼职调解员", "invited": "特邀调解员"}
LEVEL_RANK = {MediatorLevel.GOLD: 0, MediatorLevel.RED: 1, MediatorLevel.FULL_TIME: 2,
              MediatorLevel.PART_TIME: 3, MediatorLevel.INVITED: 4}


class Mediator(models.Model):
    """A person who mediates: their level, specialties and area. The load (open cases) is
    counted from the cases (`queries.mediator_loads`), never stored."""

    person = models.OneToOneField("people.Person", on_delete=models.PROTECT, related_name="mediator",
                                  verbose_name=_("person"))
    org = models.ForeignKey(MediationOrg, null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="mediators", verbose_name=_("organisation"))
    level = models.CharField(_("level"), max_length=10, choices=MediatorLevel.choices)
    specialties = models.JSONField(_("specialties"), default=list, blank=True)  # Specialty values
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("area"))
    province = _ancestor()
    city = _ancestor()
    county = _ancestor()
    town = _ancestor()
    village = _ancestor()
    grid = _ancestor()
    title = models.CharField(_("title"), max_length=100, blank=True)  # 退休法官, 律师 …
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.person.name} ({self.get_level_display()})"


class Pool(models.Model):
    """A village's or town's 群英 pool (度尾镇 群英断事会: 6–8 per village, 162 in all)."""

    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))
    province = _ancestor()
    city = _ancestor()
    county = _ancestor()
    town = _ancestor()
    village = _ancestor()
    grid = _ancestor()
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("群英 pool")
        verbose_name_plural = _("群英 pools")
        ordering = ["region__code", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="uniq_pool_name")]

    def __str__(self) -> str:
        return self.name


class PoolSource(models.TextChoices):
    ELDERS = "elders", _("Elders' association")  # 老协会
    WORTHY = "worthy", _("Local worthy")  # 乡贤
    UNIT_HEAD = "unit_head", _("Unit head")  # 单元长
    VOLUNTEER = "volunteer", _("Volunteer")  # 志愿者


class PoolMember(models.Model):
    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="members", verbose_name=_("pool"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="pool_memberships",
                               verbose_name=_("person"))
    source = models.CharField(_("drawn from"), max_length=10, choices=PoolSource.choices)
    specialties = models.JSONField(_("specialties"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    joined_on = models.DateField(_("joined on"))

    class Meta:
        verbose_name = _("群英 member")
        verbose_name_plural = _("群英 members")
        ordering = ["pool", "id"]
        constraints = [models.UniqueConstraint(fields=["pool", "person"], name="uniq_pool_member")]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.pool.name}"


# ------------------------------------------------------------------------------- cases


class Status(models.TextChoices):
    APPLIED = "applied", pgettext_lazy("mediation status", "Applied")  # 已申请 / 待受理
    ACCEPTED = "accepted", pgettext_lazy("mediation status", "Accepted")  # 已受理
    MEDIATING = "mediating", pgettext_lazy("mediation status", "Mediating")  # 调解中
    AGREED = "agreed", pgettext_lazy("mediation status", "Agreed")  # 调解成功
    FAILED = "failed", pgettext_lazy("mediation status", "No agreement")  # 调解不成
    WITHDRAWN = "withdrawn", pgettext_lazy("mediation status", "Withdrawn")  # 撤回
    REFERRED = "referred", pgettext_lazy("mediation status", "Referred")  # 引导诉讼/仲裁
    REFUSED = "refused", pgettext_lazy("mediation status", "Refused")  # 不予受理
    CLOSED = "closed", pgettext_lazy("mediation status", "Closed")  # 结案归档


OPEN_STATUSES = (Status.APPLIED, Status.ACCEPTED, Status.MEDIATING)
ENDED_STATUSES = (Status.AGREED, Status.FAILED, Status.WITHDRAWN, Status.REFERRED)
TERMINAL_STATUSES = (Status.REFUSED, Status.CLOSED)


class Channel(models.TextChoices):
    EVENT = "event", _("From a dispute event")  # 事项转调解
    WINDOW = "window", _("Single window")  # 一窗受理
    COURT = "court", _("Court referral")  # 诉调对接 (委派/委托调解)


class Outcome(models.TextChoices):
    NONE = "", _("—")
    WRITTEN = "written", _("Written agreement")  # 书面调解协议
    ORAL = "oral", _("Oral agreement")  # 口头协议
    NO_AGREEMENT = "no_agreement", _("No agreement")  # 调解不成
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 当事人撤回
    LITIGATION = "litigation", _("Referred to litigation")  # 引导诉讼
    ARBITRATION = "arbitration", _("Referred to arbitration")  # 引导仲裁


class Retention(models.TextChoices):
    """保管期限 of a closed file."""

    NONE = "", _("—")
    LONG = "long", _("Long-term")  # 长期: a written agreement with terms to perform
    SHORT = "short", _("Short-term")  # 短期
    PERMANENT = "permanent", _("Permanent")  # 永久


class CaseCodeCounter(models.Model):
    """Per county and year, the last case number handed out (仙调〔2025〕12号)."""

    key = models.CharField(max_length=32, primary_key=True)
    last = models.PositiveIntegerField(default=0)


class Case(models.Model):
    code = models.CharField(_("case number"), max_length=40, unique=True)  # TJ-350322-2025-00012
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    specialty = models.CharField(_("matter"), max_length=12, choices=Specialty.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.APPLIED)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    # The dispute: one event, whatever the channel (the window and the court register it first).
    event = models.ForeignKey("events.Event", on_delete=models.PROTECT, related_name="mediation_cases",
                              verbose_name=_("event"))
    org = models.ForeignKey(MediationOrg, on_delete=models.PROTECT, related_name="cases",
                            verbose_name=_("organisation"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))
    province = _ancestor()
    city = _ancestor()
    county = _ancestor()
    town = _ancestor()
    village = _ancestor()
    grid = _ancestor()

    facts = models.TextField(_("facts"), blank=True)  # 纠纷简要事实
    claims = models.TextField(_("claims"), blank=True)  # 当事人申请事项 / 请求
    joint = models.BooleanField(_("joint mediation"), default=False)  # 联合调解: departments seated

    # 诉调对接: the court's referral.
    court_name = models.CharField(_("court"), max_length=100, blank=True)
    court_case_number = models.CharField(_("court case number"), max_length=60, blank=True)
    court_deadline = models.DateTimeField(_("court's deadline"), null=True, blank=True)
    court_reported_at = models.DateTimeField(_("reported to the court at"), null=True, blank=True)
    court_report = models.TextField(_("report to the court"), blank=True)

    applied_at = models.DateTimeField(_("applied at"), db_index=True)
    received_out_of_hours = models.BooleanField(_("arrived out of hours"), default=False)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    refuse_reason = models.CharField(_("reason for refusal"), max_length=500, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True, default="")
    outcome_at = models.DateTimeField(_("outcome at"), null=True, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)  # why no agreement, where referred
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # 立卷: who bound the file, and how long it is kept (保管期限), set when the case is closed.
    filed_by = models.CharField(_("filed by"), max_length=50, blank=True)
    retention = models.CharField(_("retention"), max_length=10, choices=Retention.choices, blank=True, default="")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mediation case")
        verbose_name_plural = _("mediation cases")
        ordering = ["-applied_at", "-id"]
        indexes = [
            models.Index(fields=["county", "status", "applied_at"], name="mcase_county_status"),
            models.Index(fields=["town", "status", "applied_at"], name="mcase_town_status"),
            models.Index(fields=["village", "status", "applied_at"], name="mcase_village_status"),
            models.Index(fields=["org", "status"], name="mcase_org_status"),
            models.Index(fields=["kind", "applied_at"], name="mcase_kind_applied"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["court_name", "court_case_number"], name="uniq_mcase_court_number",
                                    condition=~Q(court_case_number="")),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def settled(self) -> bool:
        """调解成功: an agreement was reached (written or oral)."""
        return self.outcome in (Outcome.WRITTEN, Outcome.ORAL)


class CaseMediator(models.Model):
    """A mediator on a case: the lead (主持人) and the others (with dates, so history stays)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead mediator")  # 主持调解员
        ASSISTANT = "assistant", _("Mediator")  # 参与调解员

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="mediators")
    mediator = models.ForeignKey(Mediator, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    reason = models.CharField(_("why chosen"), max_length=200, blank=True)  # the suggestion's reason
    active = models.BooleanField(default=True)
    assigned_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mediator on a case")
        verbose_name_plural = _("mediators on cases")
        constraints = [
            models.UniqueConstraint(fields=["case", "mediator"], name="uniq_case_mediator"),
            models.UniqueConstraint(fields=["case"], condition=Q(role="lead", active=True), name="one_lead_per_case"),
        ]
        indexes = [models.Index(fields=["mediator", "active"], name="case_mediator_active")]


class Side(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")  # 申请人
    RESPONDENT = "respondent", _("Respondent")  # 被申请人
    THIRD = "third", _("Third party")  # 第三人


class CaseParty(models.Model):
    """A party to the case. Phone and ID number encrypted at rest, each with a blind index;
    shown masked unless the reader's work needs them (`queries.may_see_parties`), every
    unmasked read logged (`PartyRead`)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    name = models.CharField(_("name"), max_length=100)
    is_organisation = models.BooleanField(_("an organisation"), default=False)  # a firm: 吴某's factory
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_index = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    id_number = EncryptedTextField(_("ID number"), blank=True)  # 身份证号 / 统一社会信用代码
    id_number_index = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    sex = models.CharField(_("sex"), max_length=2, blank=True)  # 男 / 女, for the §29 particulars
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)  # 民族
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)  # 年龄 on the documents
    # An organisation's legal representative (法定代表人) or the person acting for it.
    representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    occupation = models.CharField(_("occupation or employer"), max_length=100, blank=True)
    agent = models.CharField(_("agent"), max_length=100, blank=True)  # 委托代理人

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["case", "side", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class PartyRead(models.Model):
    """Every time someone is shown a case's parties unmasked (the events' `PersonalDataRead`
    cannot point at these rows). `via`: page, api, export, document."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    party = models.ForeignKey(CaseParty, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    via = models.CharField(max_length=20)
    field = models.CharField(max_length=20, blank=True)  # phone, id_number; empty: all the parties'
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("party data read")
        verbose_name_plural = _("party data reads")


# ---------------------------------------------------------------------------- sessions


class SessionMode(models.TextChoices):
    FACE_TO_FACE = "face_to_face", _("Face to face")  # 面对面
    BACK_TO_BACK = "back_to_back", _("Back to back")  # 背对背: each side apart


class Session(models.Model):
    """A mediation session (调解会): scheduled, then held (or cancelled)."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sessions")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.SCHEDULED)
    scheduled_for = models.DateTimeField(_("time"))
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200)
    mode = models.CharField(_("mode"), max_length=12, choices=SessionMode.choices, default=SessionMode.FACE_TO_FACE)
    attendees = models.JSONField(_("attendees"), default=list, blank=True)  # names of those present
    parties_present = models.ManyToManyField(CaseParty, blank=True, related_name="+")
    notes = models.TextField(_("notes"), blank=True)  # 调解记录
    result = models.TextField(_("result"), blank=True)  # 调解结果 of this session
    recorder = models.CharField(_("recorded by"), max_length=50, blank=True)  # 记录人
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["case", "scheduled_for", "id"]


class SeatKind(models.TextChoices):
    """The departments seated at a joint mediation (联合调解)."""

    LABOUR = "labour", _("Labour and social security office")  # 劳动保障所
    SAFETY = "safety", _("Work-safety inspectors")  # 安监
    JUSTICE = "justice", _("Justice office")  # 司法所
    POLICE = "police", _("Police station")  # 派出所
    COURT = "court", _("Court")  # 法院
    PETITION = "petition", _("Petition office")  # 信访
    LEGAL_ADVISER = "legal_adviser", _("Legal adviser")  # 法律顾问
    OTHER = "other", _("Other department")


class SessionSeat(models.Model):
    """A department seated at a session with its representative."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="seats")
    kind = models.CharField(_("department"), max_length=16, choices=SeatKind.choices)
    department = models.ForeignKey("people.Department", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    unit_name = models.CharField(_("unit"), max_length=100, blank=True)  # 城西新区劳动保障所
    representative = models.CharField(_("representative"), max_length=50)
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        ordering = ["session", "id"]


class Investigation(models.Model):
    """调查记录: who was asked what, where, by whom."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="investigations")
    held_at = models.DateTimeField(_("time"))
    place = models.CharField(_("place"), max_length=200)
    investigators = models.JSONField(_("investigators"), default=list, blank=True)  # names
    subject = models.CharField(_("person asked"), max_length=100)
    content = models.TextField(_("record"))
    recorder = models.CharField(_("recorded by"), max_length=50, blank=True)  # 记录人
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("investigation record")
        verbose_name_plural = _("investigation records")
        ordering = ["case", "held_at", "id"]


def attachment_path(instance: CaseAttachment, filename: str) -> str:
    return f"mediation/{instance.case_id}/{filename}"


class CaseAttachment(models.Model):
    """A photo of a session, a signed scan of a document of the case file, evidence."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos")
    # Which document of the case file a signed scan belongs to (casefile.py names them), if any.
    document = models.CharField(_("document"), max_length=30, blank=True)
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["case", "id"]


# --------------------------------------------------------------------- after agreement


class Performance(models.TextChoices):
    PENDING = "pending", _("Not yet checked")  # 待履行
    PERFORMED = "performed", _("Performed")  # 已履行
    PARTLY = "partly", _("Partly performed")  # 部分履行
    NOT = "not", _("Not performed")  # 未履行


class Agreement(models.Model):
    """调解协议: what 人民调解法 §29 requires of the written one (the parties' particulars come
    from the case's parties; the terms are rows)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="agreement")
    number = models.CharField(_("agreement number"), max_length=40, unique=True)  # XY-350322-2025-00012
    kind = models.CharField(_("form"), max_length=8, choices=[(Outcome.WRITTEN, Outcome.WRITTEN.label),
                                                               (Outcome.ORAL, Outcome.ORAL.label)])
    facts = models.TextField(_("main facts"), blank=True)  # 纠纷的主要事实
    disputes = models.TextField(_("points in dispute"), blank=True)  # 争议事项
    responsibility = models.TextField(_("each side's responsibility"), blank=True)  # 各方当事人的责任
    performance_manner = models.CharField(_("manner of performance"), max_length=300, blank=True)  # 履行方式
    signed_at = models.DateTimeField(_("signed at"))
    # §29: in force from the parties' signatures and the committee's seal; §30: oral from agreeing.
    effective_at = models.DateTimeField(_("in force from"))
    performance = models.CharField(_("performance"), max_length=10, choices=Performance.choices,
                                   default=Performance.PENDING)
    performance_checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")


class Term(models.Model):
    """One agreed term (协议条款): its content, who owes it, by when, and whether it was kept."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="terms")
    seq = models.PositiveSmallIntegerField()
    content = models.TextField(_("content"))
    obligor = models.ForeignKey(CaseParty, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("owed by"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True, blank=True)  # 元
    manner = models.CharField(_("manner of performance"), max_length=100, blank=True)  # 履行方式
    place = models.CharField(_("place of performance"), max_length=100, blank=True)  # 履行地点
    status = models.CharField(_("performance"), max_length=10, choices=Performance.choices,
                              default=Performance.PENDING)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    check_note = models.CharField(_("check note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["agreement", "seq"]
        constraints = [models.UniqueConstraint(fields=["agreement", "seq"], name="uniq_term_seq")]


class FollowUp(models.Model):
    """回访: a visit or call after the agreement to see it kept and the peace holding."""

    class Method(models.TextChoices):
        VISIT = "visit", _("Visit")  # 上门
        PHONE = "phone", _("Phone")  # 电话
        OTHER = "other", _("Other")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    visited_at = models.DateTimeField(_("time"))
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    visitor = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    visitor_name = models.CharField(_("visited by"), max_length=50)
    note = models.TextField(_("what was found"))
    dispute_settled = models.BooleanField(_("the dispute stays settled"), default=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        ordering = ["case", "visited_at", "id"]


class Confirmation(models.Model):
    """司法确认: the parties' joint application to the court within §33's 30 days, and the
    court's decision."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Awaiting the court")
        CONFIRMED = "confirmed", _("Confirmed")  # 确认有效
        REJECTED = "rejected", _("Not confirmed")  # 驳回申请

    agreement = models.OneToOneField(Agreement, on_delete=models.CASCADE, related_name="confirmation")
    applied_at = models.DateTimeField(_("applied at"))
    court_name = models.CharField(_("court"), max_length=100)
    court_case_number = models.CharField(_("court case number"), max_length=60, blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("the court's reasons"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("judicial confirmation")
        verbose_name_plural = _("judicial confirmations")


# ------------------------------------------------------------------------ 群英 tasks


class TaskStatus(models.TextChoices):
    DISPATCHED = "dispatched", pgettext_lazy("task status", "Waiting to be taken")  # 待接单
    ACCEPTED = "accepted", pgettext_lazy("task status", "Taken")  # 已接单 / 调解中
    REPORTED = "reported", pgettext_lazy("task status", "Reported back")  # 已反馈
    CLOSED = "closed", pgettext_lazy("task status", "Closed")  # 已办结
    DECLINED = "declined", pgettext_lazy("task status", "Declined")  # 已拒单
    CANCELLED = "cancelled", pgettext_lazy("task status", "Cancelled")  # 已撤回


TASK_OPEN_STATUSES = (TaskStatus.DISPATCHED, TaskStatus.ACCEPTED, TaskStatus.REPORTED, TaskStatus.DECLINED)


class Task(models.Model):
    """派单: a mediation task a person bound to the event hands to a 群英 member (接单 on a phone,
    mediates, reports back; the dispatcher confirms and closes)."""

    event = models.ForeignKey("events.Event", on_delete=models.PROTECT, related_name="mediation_tasks")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices,
                              default=TaskStatus.DISPATCHED)
    member = models.ForeignKey(PoolMember, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("群英"))
    dispatcher = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("dispatched by"))
    instructions = models.TextField(_("instructions"), blank=True)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    province = _ancestor()
    city = _ancestor()
    county = _ancestor()
    town = _ancestor()
    village = _ancestor()
    grid = _ancestor()
    dispatched_at = models.DateTimeField(_("dispatched at"), db_index=True)
    accepted_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=500, blank=True)
    report = models.TextField(_("report"), blank=True)
    settled = models.BooleanField(_("settled"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_note = models.CharField(_("dispatcher's note"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("群英 task")
        verbose_name_plural = _("群英 tasks")
        ordering = ["-dispatched_at", "-id"]
        indexes = [
            models.Index(fields=["member", "status"], name="mtask_member_status"),
            models.Index(fields=["town", "status"], name="mtask_town_status"),
            models.Index(fields=["village", "status"], name="mtask_village_status"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.event_id} → {self.member_id}"


# ---------------------------------------------------------------------------- duty


class DutyRole(models.TextChoices):
    POLICE = "police", _("Police officer")  # 值班民警
    MEDIATOR = "mediator", _("Full-time mediator")  # 值班专职调解员
    LEADER = "leader", _("Duty leader")  # 带班领导
    CLERK = "clerk", _("Window clerk")  # 窗口


class DutyShift(models.Model):
    """One person on duty at the centre from `starts_at` to `ends_at` (seed 000: police and
    full-time mediators round the clock)."""

    org = models.ForeignKey(MediationOrg, on_delete=models.CASCADE, related_name="shifts")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=10, choices=DutyRole.choices)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        ordering = ["org", "starts_at", "id"]
        indexes = [models.Index(fields=["org", "starts_at", "ends_at"], name="duty_org_span")]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                              name="duty_shift_ends_after_start")]
