"""The event (事项) and everything that hangs on it: parties, attachments, the people bound to
it (3+N), extension requests, deadline policies and the working-day calendar. The audit record
lives in `fengqiao.audit`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.lib.masking import mask_id_number, mask_phone
from fengqiao.lib.protect import EncryptedTextField

# The calendar and the day kinds belong to the shared workflow machinery (workflow 0001 took the
# table over); they are named here too for the code that has always found them in events.
from fengqiao.workflow.models import CalendarDay as CalendarDay
from fengqiao.workflow.models import DayKind as DayKind


class Status(models.TextChoices):
    REGISTERED = "registered", _("Registered")  # 已受理 / 待分拨
    DISPATCHED = "dispatched", _("Dispatched")  # 已分拨 / 待签收
    IN_PROGRESS = "in_progress", _("In progress")  # 处置中
    RESOLVED = "resolved", _("Resolved")  # 已办结
    CLOSED = "closed", _("Closed")  # 已归档
    REFUSED = "refused", _("Refused")  # 不予受理
    MERGED = "merged", _("Merged")  # 已合并


OPEN_STATUSES = (Status.REGISTERED, Status.DISPATCHED, Status.IN_PROGRESS)
TERMINAL_STATUSES = (Status.CLOSED, Status.REFUSED, Status.MERGED)


class Tier(models.TextChoices):
    VILLAGE = "village", pgettext_lazy("event tier", "Village")
    TOWN = "town", pgettext_lazy("event tier", "Town")
    COUNTY = "county", pgettext_lazy("event tier", "County")


TIER_ORDER = [Tier.VILLAGE, Tier.TOWN, Tier.COUNTY]


class Source(models.TextChoices):
    GRID = "grid", pgettext_lazy("event source", "Grid collection")  # 网格单元采集
    SWEEP = "sweep", pgettext_lazy("event source", "Sweep")  # 下沉力量摸排
    CITIZEN = "citizen", pgettext_lazy("event source", "Citizen report")  # 群众自主上报
    HOTLINE_12345 = "hotline_12345", pgettext_lazy("event source", "12345 hotline")
    POLICE_110 = "police_110", pgettext_lazy("event source", "110 non-police call")
    ONLINE_OPINION = "online_opinion", pgettext_lazy("event source", "Online opinion")  # 网络舆情
    WALK_IN = "walk_in", pgettext_lazy("event source", "Walk-in")  # 一窗受理
    PROXY = "proxy", pgettext_lazy("event source", "Proxy agent")  # 代办
    HAZARD_CHECK = "hazard_check", pgettext_lazy("event source", "Hazard check")  # 隐患排查
    VIDEO = "video", pgettext_lazy("event source", "Video alert")


class DisputeSource(models.TextChoices):
    POLICE = "police", _("Police source")  # 警源
    LITIGATION = "litigation", _("Litigation source")  # 诉源
    PETITION = "petition", _("Petition source")  # 访源


class Supervision(models.TextChoices):
    NONE = "", _("None")
    NORMAL = "normal", _("Normal")  # 普通督办
    YELLOW = "yellow", _("Yellow card")  # 黄牌督办
    RED = "red", _("Red card")  # 红牌督办


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class Category(models.Model):
    """The category tree the admin edits (dispute kinds, hazards, livelihood, petitions …)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        verbose_name=_("parent"),
    )
    sort = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class DeadlinePolicy(models.Model):
    """How long a tier has for a category (optionally only for one source)."""

    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("category"),
        help_text=_("Empty: the default for every category."),
    )
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, blank=True)
    days = models.PositiveIntegerField(_("days"))
    day_kind = models.CharField(_("counted in"), max_length=10, choices=DayKind.choices)
    note = models.CharField(_("basis"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "tier", "source"], name="uniq_deadline_policy",
                condition=Q(category__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["tier", "source"], name="uniq_default_deadline_policy",
                condition=Q(category__isnull=True),
            ),
            models.CheckConstraint(condition=Q(days__gt=0), name="deadline_policy_days_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.category or '*'} · {self.tier} · {self.source or '*'}: {self.days} {self.day_kind}"


class EventCodeCounter(models.Model):
    """Per county and day, the last sequence number handed out (一案一码)."""

    key = models.CharField(max_length=32, primary_key=True)
    last = models.PositiveIntegerField(default=0)


class Event(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, verbose_name=_("category"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, db_index=True)
    dispute_source = models.CharField(
        _("dispute source"), max_length=12, choices=DisputeSource.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED
    )
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, default=Tier.VILLAGE)

    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="events",
        verbose_name=_("region"),
    )
    # Ancestors of `region`, copied at filing time: scope and spread are one indexed equality.
    province = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    city = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    town = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    department = models.ForeignKey(
        "people.Department", null=True, blank=True, on_delete=models.PROTECT,
        verbose_name=_("department"),
    )
    high_risk = models.BooleanField(_("high risk"), default=False)
    supervision = models.CharField(
        _("supervision"), max_length=8, choices=Supervision.choices, blank=True, default=""
    )
    supervised_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    deadline_approximate = models.BooleanField(default=False)  # a year the calendar does not cover
    deadline_warned_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(_("registered at"), db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_by_person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dispatched_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_late = models.BooleanField(default=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    result = models.TextField(_("result"), blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    called_back_at = models.DateTimeField(null=True, blank=True)
    refuse_reason = models.CharField(max_length=500, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_events"
    )
    reopen_count = models.PositiveIntegerField(default=0)
    escalation_count = models.PositiveIntegerField(default=0)
    extension_count = models.PositiveIntegerField(default=0)
    return_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["county", "status", "created_at"], name="event_county_status"),
            models.Index(fields=["town", "status", "created_at"], name="event_town_status"),
            models.Index(fields=["village", "status", "created_at"], name="event_village_status"),
            models.Index(fields=["grid", "status"], name="event_grid_status"),
            # Events filed at exactly this region (waiting above the villages), newest first: the
            # duplicate check's candidates at a town or the county (see bench/README.md, imports).
            models.Index(fields=["region", "status", "created_at"], name="event_region_status"),
            models.Index(fields=["status", "created_at"], name="event_status_created"),
            # The deadline scanner and the overdue worklists read only open events.
            models.Index(
                fields=["deadline"], name="event_open_deadline",
                condition=Q(status__in=["registered", "dispatched", "in_progress"]),
            ),
            # Due-soon and overdue counts per county, town and village: index-only, open events only.
            *[
                models.Index(
                    fields=[level, "deadline"], name=f"event_open_{level}_deadline",
                    condition=Q(status__in=["registered", "dispatched", "in_progress"]),
                )
                for level in ("county", "town", "village")
            ],
            # The other arm of "overdue": resolved after the deadline.
            models.Index(fields=["resolved_at"], name="event_resolved_late", condition=Q(resolved_late=True)),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def overdue_at(self, moment) -> bool:
        """Overdue: unresolved past the deadline at `moment`, or resolved after it."""
        if self.deadline is None:
            return False
        if self.status in OPEN_STATUSES:
            return moment > self.deadline
        return self.resolved_late


class Party(models.Model):
    """A party to the matter (当事人). ID number and phone are encrypted; shown masked."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="parties")
    name = models.CharField(_("name"), max_length=50)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_index = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    id_number = EncryptedTextField(_("ID number"), blank=True)
    is_reporter = models.BooleanField(_("reporter"), default=False)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"events/{instance.event_id}/{filename}"


class Attachment(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class Assignment(models.Model):
    """A named person bound to an event: one of the "3", an "N", or a tier's duty person."""

    class Kind(models.TextChoices):
        THREE = "3", _("3 (village)")
        N = "N", _("N (added)")
        TIER = "tier", _("Escalation duty")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("role"), max_length=24)
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices)
    active = models.BooleanField(default=True)
    # Bound to an event outside the subtrees of the person's posts (a county leader, a department,
    # a colleague from another village): lists must include it explicitly. Set at binding time.
    beyond_posts = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("assignee")
        verbose_name_plural = _("assignees")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person", "role"], name="uniq_assignment_event_person_role"
            )
        ]
        indexes = [
            models.Index(fields=["person", "active", "event"], name="assignment_person_active"),
            models.Index(fields=["person"], name="assignment_beyond_posts", condition=Q(beyond_posts=True)),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.role}, {self.kind})"


class ExtensionRequest(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="extension_requests")
    days = models.PositiveIntegerField(_("days"))
    reason = models.CharField(_("reason"), max_length=500)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    tier = models.CharField(max_length=10, choices=Tier.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)
    deadline_before = models.DateTimeField(null=True, blank=True)
    deadline_after = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event"], condition=Q(state="pending"), name="one_pending_extension"
            )
        ]


class CallLog(models.Model):
    """一键拨号: who called whom about which event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="calls")
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    callee = models.ForeignKey("people.Person", null=True, on_delete=models.SET_NULL, related_name="+")
    phone = EncryptedTextField(blank=True)
    created_at = models.DateTimeField()


class PersonalDataRead(models.Model):
    """Every time someone is shown an unmasked phone or ID number: a party's, or (for a call) a
    colleague's. `via` says why (page, api, export, call); a call also names whose number and which
    field went out."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    via = models.CharField(max_length=20)  # page, api, export, call
    party = models.ForeignKey("Party", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    field = models.CharField(max_length=20, blank=True)  # phone, id_number; empty: all the parties'
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("personal-data read")
        verbose_name_plural = _("personal-data reads")
