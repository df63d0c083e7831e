"""Petitions (信访): the petition, its petitioners, the documents issued to them, the backlog
(信访积案) sorted by 四个一批, and the log of every unmasked read of a petitioner.

A petition is a case record beside the event of the closed loop: where the matter is also an
event, `Petition.event` points at it and the matter stays one event. Its states and moves are data
(`petitions/machine.py`) performed by the shared transition function; its time limits are the
clocks of 信访工作条例 (2022) (`workflow.Clock` rows of the workflow "petition", policies shipped
by migration 0002). Who sees a petition is `petitions/queries.py`; who may do what is
`petitions/permissions.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.lib.masking import mask_id_number, mask_name, mask_phone
from fengqiao.lib.protect import EncryptedTextField


class Status(models.TextChoices):
    REGISTERED = "registered", pgettext_lazy("petition status", "Registered")  # 已登记(待转送)
    ROUTED = "routed", pgettext_lazy("petition status", "Routed")  # 已转送/交办(待受理)
    ACCEPTED = "accepted", pgettext_lazy("petition status", "Accepted")  # 已受理
    NOT_ACCEPTED = "not_accepted", pgettext_lazy("petition status", "Not accepted")  # 不予受理
    HANDLING = "handling", pgettext_lazy("petition status", "Handling")  # 办理中
    ANSWERED = "answered", pgettext_lazy("petition status", "Answered")  # 已出具处理意见
    IN_REVIEW = "in_review", pgettext_lazy("petition status", "In review")  # 复查中
    REVIEWED = "reviewed", pgettext_lazy("petition status", "Reviewed")  # 已出具复查意见
    IN_REREVIEW = "in_rereview", pgettext_lazy("petition status", "In re-review")  # 复核中
    REREVIEWED = "rereviewed", pgettext_lazy("petition status", "Re-reviewed")  # 已出具复核意见
    CLOSED = "closed", pgettext_lazy("petition status", "Closed")  # 办结 / 终结


TERMINAL_STATUSES = (Status.NOT_ACCEPTED, Status.CLOSED)
OPEN_STATUSES = tuple(s for s in Status if s not in TERMINAL_STATUSES)


class Form(models.TextChoices):
    LETTER = "letter", pgettext_lazy("petition form", "Letter")  # 来信
    VISIT = "visit", pgettext_lazy("petition form", "Visit")  # 来访
    PHONE = "phone", pgettext_lazy("petition form", "Phone")  # 来电
    ONLINE = "online", pgettext_lazy("petition form", "Online")  # 网上信访


class Kind(models.TextChoices):
    FIRST = "first", pgettext_lazy("petition kind", "First-time")  # 初信初访
    REPEAT = "repeat", pgettext_lazy("petition kind", "Repeat")  # 重复信访


class Closing(models.TextChoices):
    NONE = "", _("Not closed")
    SETTLED = "settled", _("Settled")  # 办结: the petitioner accepts (息诉罢访) or lets the window pass
    TERMINATED = "terminated", _("Terminated")  # 终结: re-review answered, not accepted again


class Batch(models.TextChoices):
    """四个一批: how a backlog case is to be dealt with."""

    RESOLVE = "resolve", _("Resolve")  # 化解一批
    STRIVE = "strive", _("Strive to resolve")  # 争取化解一批
    STABILISE = "stabilise", _("Stabilise and control")  # 稳控一批
    BY_LAW = "by_law", _("Deal with by law")  # 依法打击一批


BATCH_CHINESE = {
    Batch.RESOLVE: "化解一批",
    Batch.STRIVE: "争取化解一批",
    Batch.STABILISE: "稳控一批",
    Batch.BY_LAW: "依法打击一批",
}


class Counter(models.Model):
    """The last number handed out per key: petition codes per county and day, document numbers
    per county, kind and year (文号)."""

    key = models.CharField(max_length=48, primary_key=True)
    last = models.PositiveIntegerField(default=0)


class Petition(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)  # XF-350322-20260315-0001
    form = models.CharField(_("form"), max_length=8, choices=Form.choices)
    kind = models.CharField(_("first-time or repeat"), max_length=8, choices=Kind.choices)
    joint = models.BooleanField(_("joint petition"), default=False)  # 联名信 / 集体访
    headcount = models.PositiveIntegerField(_("headcount"), default=1)
    key_difficult = models.BooleanField(_("key difficult matter"), default=False)  # 重点难点
    title = models.CharField(_("subject"), max_length=200)  # no petitioner's name in it: texts carry it
    content = models.TextField(_("matter"))
    category = models.ForeignKey(
        "events.Category", on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.REGISTERED)

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="petitions",
                               verbose_name=_("region"))
    # Ancestors of `region` (workflow.scope.file_under): scope and counts are one indexed equality.
    province = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    city = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    town = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    # The body responsible (转送/交办 to): a county department, or a town's or village's office.
    body_department = models.ForeignKey(
        "people.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("responsible department"),
    )
    body_region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("responsible office"),
    )
    routing = models.CharField(_("routing"), max_length=8, blank=True)  # transfer (转送) / assign (交办)
    handler = models.ForeignKey(  # 承办人: the body's clerk who handles it
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("handler"),
    )
    leader = models.ForeignKey(  # 领导包案
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("leader in charge"),
    )
    team = models.ManyToManyField("people.Person", blank=True, related_name="petition_teams",
                                  verbose_name=_("task team"))  # 专班
    event = models.ForeignKey(  # the matter as an event of the closed loop, if it is one
        "events.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="petitions",
        verbose_name=_("event"),
    )

    received_at = models.DateTimeField(_("received at"))  # the letter arrived, the visitor came
    registered_at = models.DateTimeField(_("registered at"), db_index=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    registered_by_person = models.ForeignKey("people.Person", null=True, blank=True,
                                             on_delete=models.SET_NULL, related_name="+")
    routed_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)  # 处理意见
    review_answer = models.TextField(_("review answer"), blank=True)  # 复查意见
    rereview_answer = models.TextField(_("re-review answer"), blank=True)  # 复核意见
    refusal_reason = models.CharField(_("reason not accepted"), max_length=500, blank=True)
    closing = models.CharField(_("closing"), max_length=10, choices=Closing.choices, blank=True)
    extended_days = models.PositiveIntegerField(default=0)  # the one extension (≤ 30)
    extension_reason = models.CharField(max_length=500, blank=True)
    objection_count = models.PositiveIntegerField(default=0)
    urge_count = models.PositiveIntegerField(default=0)
    supervised = models.BooleanField(_("supervised"), default=False)  # 督办
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["-registered_at", "-id"]
        indexes = [
            models.Index(fields=["county", "status", "registered_at"], name="petition_county_status"),
            models.Index(fields=["town", "status", "registered_at"], name="petition_town_status"),
            models.Index(fields=["village", "status", "registered_at"], name="petition_village_status"),
            models.Index(fields=["kind", "registered_at"], name="petition_kind_registered"),
            models.Index(fields=["body_department", "status"], name="petition_body_dept"),
            models.Index(fields=["leader", "status"], name="petition_leader"),
            models.Index(fields=["handler", "status"], name="petition_handler"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(headcount__gte=1), name="petition_headcount_positive"),
            models.CheckConstraint(
                condition=Q(body_department__isnull=True) | Q(body_region__isnull=True),
                name="petition_one_body",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def has_body(self) -> bool:
        return self.body_department_id is not None or self.body_region_id is not None

    @property
    def body_name(self) -> str:
        """The body responsible as a letter names it: 县人社局, 度尾镇人民政府, 洋坂村委会."""
        if self.body_department is not None:
            return self.body_department.name
        if self.body_region is not None:
            return body_name_of_region(self.body_region)
        return ""

    @property
    def body_tier(self) -> str:
        """county, town or village: where the body responsible sits ('' before routing)."""
        if self.body_department_id is not None:
            return "county"
        if self.body_region is not None:
            level = self.body_region.level
            return "village" if level in ("village", "grid", "unit") else level
        return ""


def body_name_of_region(region) -> str:
    name = region.name
    if region.level == "town" and not name.endswith(("人民政府", "办事处")):
        return name + ("办事处" if name.endswith("街道") else "人民政府")
    if region.level == "county" and not name.endswith("人民政府"):
        return name + "人民政府"
    return name


class Petitioner(models.Model):
    """A petitioner (信访人); for a joint petition, each representative. The identity is stored
    encrypted and shown masked to everyone who does not handle the petition; every unmasked
    read is a `PetitionerRead` row."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="petitioners")
    name = EncryptedTextField(_("name"))
    id_number = EncryptedTextField(_("ID number"), blank=True)
    id_number_index = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_index = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    address = EncryptedTextField(_("address"), blank=True)
    is_representative = models.BooleanField(_("representative"), default=False)  # 代表人
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("petitioner")
        verbose_name_plural = _("petitioners")
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return mask_name(self.name)

    def masked(self) -> dict[str, str]:
        return {"name": mask_name(self.name), "id_number": mask_id_number(self.id_number),
                "phone": mask_phone(self.phone), "address": mask_address(self.address)}


def mask_address(address: str | None) -> str:
    """The first six characters (the town, the village), the rest starred."""
    if not address:
        return ""
    keep = address[:6]
    return keep + "*" * min(max(len(address) - 6, 0), 8)


class PetitionerRead(models.Model):
    """Every showing of a petitioner's identity unmasked: on the page, in the API, in a ledger
    export or in a notice (.docx). `petitioner` empty: all the petition's petitioners."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="+")
    petitioner = models.ForeignKey(Petitioner, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    via = models.CharField(max_length=12)  # page, api, export, document
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("petitioner read")
        verbose_name_plural = _("petitioner reads")
        indexes = [models.Index(fields=["petition", "created_at"], name="petitioner_read_petition")]


class Document(models.Model):
    """A written notice issued to the petitioner (受理告知书, 不予受理告知书, 延期告知书, 处理意见书,
    复查意见书, 复核意见书). Its particulars are fixed when it is issued (`facts`); the .docx is
    laid out from them on each download (petitions/documents.py)."""

    class Kind(models.TextChoices):
        ACCEPTANCE = "acceptance", _("Notice of acceptance")  # 受理告知书
        REFUSAL = "refusal", _("Notice of non-acceptance")  # 不予受理告知书
        EXTENSION = "extension", _("Notice of extension")  # 延期告知书
        ANSWER = "answer", _("Written answer")  # 信访事项处理意见书
        REVIEW = "review", _("Review answer")  # 复查意见书
        REREVIEW = "rereview", _("Re-review answer")  # 复核意见书

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    number = models.CharField(_("document number"), max_length=40)  # 仙信受告〔2026〕12号
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    facts = models.JSONField(default=dict)  # body, dates, reasons (no petitioner identity)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["issued_at", "id"]


class BacklogCase(models.Model):
    """信访积案: a long-standing petition matter, sorted into one of 四个一批 and led by a named
    leader until it is settled (化解). Every re-sort is a `BacklogSort` row and an audited
    action on the petition's stream."""

    petition = models.OneToOneField(Petition, on_delete=models.CASCADE, related_name="backlog")
    first_raised_year = models.PositiveSmallIntegerField(_("year first raised"))
    batch = models.CharField(_("batch"), max_length=10, choices=Batch.choices)
    leader = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("leader in charge"))
    listed_at = models.DateTimeField(_("listed at"))
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    settlement = models.TextField(_("settlement"), blank=True)

    class Meta:
        verbose_name = _("backlog case")
        verbose_name_plural = _("backlog cases")
        indexes = [
            models.Index(fields=["batch", "settled_at"], name="backlog_batch"),
            models.Index(fields=["settled_at"], name="backlog_settled"),
        ]

    def age_at(self, year: int) -> int:
        """Whole years since it was first raised (信访积案 of over twenty years: ≥ 20)."""
        return max(year - self.first_raised_year, 0)


class BacklogSort(models.Model):
    """One (re-)sorting of a backlog case into a batch: the history of 四个一批."""

    case = models.ForeignKey(BacklogCase, on_delete=models.CASCADE, related_name="sorts")
    from_batch = models.CharField(max_length=10, choices=Batch.choices, blank=True)
    to_batch = models.CharField(max_length=10, choices=Batch.choices)
    reason = models.CharField(max_length=500, blank=True)
    sorted_at = models.DateTimeField()
    sorted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["sorted_at", "id"]
