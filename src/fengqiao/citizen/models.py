"""Citizen reports: the tracking code a self-report hands back, the citizen's rating of each
resolution, the counters that rate-limit the public door, and the proxy service (代办): agencies
with their brand names, their agents, and the matters the agents took (群众点单、专人代办).

The tracking code is stored twice: as a SHA-256 digest (the unique, indexed lookup key) and
encrypted (so the platform can text it again, e.g. with the outcome). Neither column reveals it
to someone reading the database without the data key.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fengqiao.events.models import Satisfaction
from fengqiao.lib.masking import mask_phone
from fengqiao.lib.protect import EncryptedTextField


class CitizenReport(models.Model):
    """群众自主上报: one event reported by a citizen, followed with a tracking code."""

    class Channel(models.TextChoices):
        PAGE = "page", _("Web page")
        API = "api", _("JSON API")
        PROXY = "proxy", _("Proxy agent")

    event = models.OneToOneField(
        "events.Event", on_delete=models.CASCADE, related_name="citizen_report",
        verbose_name=_("event"),
    )
    tracking_digest = models.CharField(max_length=64, unique=True, editable=False)
    tracking_code = EncryptedTextField(_("tracking code"), editable=False)
    reporter_name = models.CharField(_("name"), max_length=50, blank=True)
    phone = EncryptedTextField(_("phone"))
    phone_index = models.CharField(max_length=32, db_index=True, editable=False)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    created_at = models.DateTimeField(_("reported at"))

    class Meta:
        verbose_name = _("citizen report")
        verbose_name_plural = _("citizen reports")

    def __str__(self) -> str:
        return f"{self.event_id} · {mask_phone(self.phone)}"


class CitizenRating(models.Model):
    """The citizen's rating of one resolution (it becomes the event's call-back). One per
    resolution: a reopened and resolved-again event can be rated again."""

    report = models.ForeignKey(CitizenReport, on_delete=models.CASCADE, related_name="ratings")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    resolved_at = models.DateTimeField()  # which resolution this rates
    satisfaction = models.CharField(_("satisfaction"), max_length=20, choices=Satisfaction.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("citizen rating")
        verbose_name_plural = _("citizen ratings")
        constraints = [
            models.UniqueConstraint(fields=["event", "resolved_at"], name="uniq_rating_per_resolution")
        ]


class RateCounter(models.Model):
    """Accepted public submissions per key (a hashed IP or phone) per fixed window. Kept in the
    database so every web process shares the count."""

    key = models.CharField(max_length=80)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="uniq_rate_counter_window")
        ]


# ----------------------------------------------------------------------- proxy service (代办)


def _ancestor() -> models.ForeignKey:
    return models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")


class ProxyAgency(models.Model):
    """代办机构: a place a citizen can bring a matter to, with its brand (seed 001: 372 agencies,
    coverage 100%; 多湖"老村长"代办, 江东工业园区平安超市, 岭下镇乡贤调解, 杜宅"银领议事").

    Filed under its region with the ancestor columns (`workflow.scope.file_under`): scope and
    coverage (villages with an agency of their own) are one indexed equality."""

    class Kind(models.TextChoices):
        VILLAGE = "village", _("Village proxy station")  # 村(社区)代办点
        TOWN = "town", _("Town proxy centre")  # 镇(街道)代办中心
        COUNTY = "county", _("County proxy centre")  # 县(区)代办中心
        PARK = "park", _("Industrial-park proxy station")  # 园区代办站 (平安超市)
        VOLUNTEER = "volunteer", _("Volunteer proxy team")  # 乡贤、老干部等代办队 (银领议事)

    name = models.CharField(_("name"), max_length=100)
    brand = models.CharField(_("brand name"), max_length=50, blank=True,
                             help_text=_("The agency's own name for its service, e.g. “老村长”代办."))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))
    province = _ancestor()
    city = _ancestor()
    county = _ancestor()
    town = _ancestor()
    village = _ancestor()
    grid = _ancestor()
    address = models.CharField(_("address"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("proxy agency")
        verbose_name_plural = _("proxy agencies")
        ordering = ["region__code", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="uniq_proxy_agency_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.brand})" if self.brand else self.name

    @property
    def display_name(self) -> str:
        return self.brand or self.name


class ProxyAgent(models.Model):
    """代办员: a person serving in an agency, full-time or part-time (专职/兼职; seed 001: 792).
    The person holds a proxy_agent post (people.Post); a person serves one agency at a time."""

    agency = models.ForeignKey(ProxyAgency, on_delete=models.PROTECT, related_name="agents",
                               verbose_name=_("agency"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="proxy_agencies",
                               verbose_name=_("person"))
    full_time = models.BooleanField(_("full-time"), default=False)
    active = models.BooleanField(_("active"), default=True)
    joined_at = models.DateTimeField(_("joined"))
    left_at = models.DateTimeField(_("left"), null=True, blank=True)

    class Meta:
        verbose_name = _("proxy agent")
        verbose_name_plural = _("proxy agents")
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(active=True),
                                    name="uniq_proxy_agent_active_person"),
        ]
        indexes = [models.Index(fields=["agency", "active"], name="proxy_agent_agency_active")]

    def __str__(self) -> str:
        return f"{self.person} · {self.agency}"


class ProxyOrder(models.Model):
    """代办事项: a citizen's matter taken by an agent (群众点单、专人代办), who registered it as the
    event and follows it. Recorded in the registration's transaction with the agent's agency then
    (none when the agent served no agency); filed under the agency's region (the event's when
    there is no agency), so a region's matters are the sum over its agencies. Counted by the
    command centre (seed 001: 968 matters)."""

    event = models.OneToOneField("events.Event", on_delete=models.CASCADE, related_name="proxy_order",
                                 verbose_name=_("event"))
    agency = models.ForeignKey(ProxyAgency, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="orders", verbose_name=_("agency"))
    agent = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("agent"))
    taken_at = models.DateTimeField(_("taken at"), db_index=True)
    region = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("region"))
    province = _ancestor()
    city = _ancestor()
    county = _ancestor()
    town = _ancestor()
    village = _ancestor()
    grid = _ancestor()

    class Meta:
        verbose_name = _("proxy matter")
        verbose_name_plural = _("proxy matters")
        indexes = [models.Index(fields=["agency", "taken_at"], name="proxy_order_agency_taken"),
                   models.Index(fields=["agent", "taken_at"], name="proxy_order_agent_taken")]

    def __str__(self) -> str:
        return f"{self.event_id} · {self.agent_id}"
