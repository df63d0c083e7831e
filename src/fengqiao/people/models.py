"""People, their posts (role × region) and departments; API tokens for systems."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fengqiao.lib.masking import mask_phone
from fengqiao.lib.protect import EncryptedTextField, blind_index


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")  # 调度员
    COUNTY_LEADER = "county_leader", _("County leader")  # 县领导
    DEPARTMENT_LIAISON = "department_liaison", _("Department liaison")  # 部门联络员
    TOWN_CADRE = "town_cadre", _("Town cadre")  # 镇街干部
    VILLAGE_LIAISON = "village_liaison", _("Village liaison")  # 包村领导
    PARTY_SECRETARY = "party_secretary", _("Party secretary")  # 村党组织书记
    COMMUNITY_POLICE = "community_police", _("Community police")  # 社区民警
    WORK_TEAM = "work_team", _("Work-team member")  # 包村工作队员
    GRID_HEAD = "grid_head", _("Grid head")  # 网格长
    GRID_WORKER = "grid_worker", _("Grid worker")  # 网格员
    MEDIATOR = "mediator", _("Mediator")  # 调解员
    PROXY_AGENT = "proxy_agent", _("Proxy agent")  # 代办员
    ADMIN = "admin", _("Administrator")  # 管理员


# The Chinese role names as counties write them in their rosters.
ROLE_CHINESE = {
    Role.OPERATOR: "调度员",
    Role.COUNTY_LEADER: "县领导",
    Role.DEPARTMENT_LIAISON: "部门联络员",
    Role.TOWN_CADRE: "镇街干部",
    Role.VILLAGE_LIAISON: "包村领导",
    Role.PARTY_SECRETARY: "村党组织书记",
    Role.COMMUNITY_POLICE: "社区民警",
    Role.WORK_TEAM: "包村工作队员",
    Role.GRID_HEAD: "网格长",
    Role.GRID_WORKER: "网格员",
    Role.MEDIATOR: "调解员",
    Role.PROXY_AGENT: "代办员",
    Role.ADMIN: "管理员",
}
ROLE_BY_CHINESE = {v: k for k, v in ROLE_CHINESE.items()}

# The "3" of 3+N: bound to every event of their village at dispatch.
VILLAGE_THREE = (Role.VILLAGE_LIAISON, Role.PARTY_SECRETARY, Role.COMMUNITY_POLICE)


class Department(models.Model):
    """县直部门: a registry the admin keeps."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("region")
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    name = models.CharField(_("name"), max_length=50)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_index = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
        verbose_name=_("login"),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def set_phone(self, phone: str) -> None:
        self.phone = phone.strip()
        self.phone_index = blind_index(self.phone)


class Post(models.Model):
    """A person's post: a role held in a region (and for liaisons, a department)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="posts")
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, db_index=True)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="posts", verbose_name=_("region")
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("department")
    )
    # The duty person of a tier receives escalations to it (镇街值班 / 指挥中心值班).
    on_duty = models.BooleanField(_("on duty"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "role", "region"], name="uniq_post_person_role_region"
            )
        ]
        indexes = [models.Index(fields=["region", "role"], name="post_region_role")]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()} · {self.region.name}"


class ApiToken(models.Model):
    """A bearer token for a system or a script. Only its digest is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} · {self.prefix}…"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user, name: str = "") -> tuple[ApiToken, str]:
        raw = "fq_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=raw[:8], digest=cls.digest_of(raw))
        return token, raw


class Pairing(models.Model):
    """挂钩: a county department paired with a (lagging) village. The department's liaisons see
    the village's events (`events.scope.event_scope_q`). Written by `supervision.actions`; kept
    here, below events, so the scope rule reads it without importing supervision."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="pairings", verbose_name=_("department")
    )
    village = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="pairings", verbose_name=_("village")
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("paired at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["-active", "village__code", "department__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "village"], condition=Q(active=True), name="uniq_active_pairing"
            )
        ]
        indexes = [models.Index(fields=["department"], name="pairing_active_dept", condition=Q(active=True))]
        db_table = "supervision_pairing"  # born in supervision; taken over by people 0002

    def __str__(self) -> str:
        return f"{self.department} ↔ {self.village}"


class LoginFailure(models.Model):
    """One failed sign-in (a wrong password on the page or the admin, a wrong API token), kept
    while it counts towards a lockout (`people.throttle`). `key` is `account:<username>` or
    `address:<keyed digest of the client address>` — never the address itself."""

    key = models.CharField(max_length=200)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        indexes = [models.Index(fields=["key", "at"], name="login_failure_key_at")]


class LoginLock(models.Model):
    """An account or an address refused every sign-in until `until` (too many failures);
    lifted early by an administrator (admin action, `fengqiao unlock_login`)."""

    key = models.CharField(_("locked"), max_length=200, unique=True)
    until = models.DateTimeField(_("locked until"))
    failures = models.PositiveIntegerField(_("failures"))
    created_at = models.DateTimeField(_("locked at"))

    class Meta:
        verbose_name = _("sign-in lock")
        verbose_name_plural = _("sign-in locks")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.key
