"""Open311 GeoReport v2: the services offered (each mapped to one event category), their service
definitions (attributes and their values), and the service requests that came in through it —
each one an event, with what the sender sent that the event itself has no column for."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fengqiao.lib.protect import EncryptedTextField

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
code_validator = RegexValidator(
    CODE_PATTERN, _("Letters, digits, dots, hyphens and underscores, starting with a letter or digit.")
)


class ServiceType(models.TextChoices):
    # Both answer at once; `batch` answers with a token the client resolves through tokens/{token}.
    REALTIME = "realtime", _("Realtime (the request id at once)")
    BATCH = "batch", _("Batch (a token, resolved to the request id)")


class Service(models.Model):
    """One Open311 service (a request type a citizen app offers), mapped to an event category."""

    code = models.CharField(_("service code"), max_length=64, unique=True, validators=[code_validator])
    category = models.ForeignKey(
        "events.Category", on_delete=models.PROTECT, related_name="open311_services",
        verbose_name=_("category"),
        help_text=_("Requests for this service become events of this category."),
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=500, blank=True)
    keywords = models.CharField(
        _("keywords"), max_length=300, blank=True, help_text=_("Comma-separated synonyms.")
    )
    group = models.CharField(_("group"), max_length=100, blank=True)
    type = models.CharField(_("type"), max_length=10, choices=ServiceType.choices, default=ServiceType.REALTIME)
    service_notice = models.CharField(
        _("service notice"), max_length=500, blank=True,
        help_text=_("What happens next, told to the sender when a request is received."),
    )
    public_details = models.BooleanField(
        _("details public"), default=False,
        help_text=_("Show the description, place and result of this service's requests to anyone. "
                    "Leave off for matters about people (disputes, personal needs): then only the "
                    "sending system sees them."),
    )
    active = models.BooleanField(_("active"), default=True)
    sort = models.PositiveIntegerField(_("order"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("Open311 service")
        verbose_name_plural = _("Open311 services")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Datatype(models.TextChoices):
    STRING = "string", _("String (one line)")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Text (several lines)")
    SINGLEVALUELIST = "singlevaluelist", _("One value from a list")
    MULTIVALUELIST = "multivaluelist", _("Several values from a list")


LIST_DATATYPES = (Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST)


class ServiceAttribute(models.Model):
    """One field of a service definition (attribute[CODE] in a request)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="attributes",
                                verbose_name=_("service"))
    code = models.CharField(_("code"), max_length=64, validators=[code_validator])
    variable = models.BooleanField(
        _("asks for input"), default=True,
        help_text=_("Off: the attribute only shows its description to the user."),
    )
    datatype = models.CharField(_("datatype"), max_length=16, choices=Datatype.choices)
    required = models.BooleanField(_("required"), default=False)
    datatype_description = models.CharField(_("datatype description"), max_length=200, blank=True)
    order = models.PositiveIntegerField(_("order"))
    description = models.CharField(_("description"), max_length=500)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service attribute")
        verbose_name_plural = _("service attributes")
        ordering = ["service", "order"]
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="uniq_open311_attribute_code"),
            models.UniqueConstraint(fields=["service", "order"], name="uniq_open311_attribute_order",
                                    condition=Q(active=True)),
            models.CheckConstraint(condition=Q(order__gt=0), name="open311_attribute_order_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.service.code}/{self.code}"

    def clean(self) -> None:
        if self.required and not self.variable:
            raise ValidationError({"required": _("An attribute that asks for no input cannot be required.")})


class AttributeValue(models.Model):
    """One option of a singlevaluelist or multivaluelist attribute."""

    attribute = models.ForeignKey(ServiceAttribute, on_delete=models.CASCADE, related_name="values",
                                  verbose_name=_("attribute"))
    key = models.CharField(_("key"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    sort = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("attribute value")
        verbose_name_plural = _("attribute values")
        ordering = ["attribute", "sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["attribute", "key"], name="uniq_open311_attribute_value_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.name}"


class ServiceRequest(models.Model):
    """A service request received through Open311: the event it became, the sending system, the
    token, and what the sender sent beyond the event's own columns (attributes, media URL,
    address id, device and account ids, the e-mail — encrypted, never shown)."""

    event = models.OneToOneField(
        "events.Event", on_delete=models.CASCADE, related_name="open311_request", verbose_name=_("event")
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="requests",
                                verbose_name=_("service"))
    system = models.ForeignKey(
        "intake.IntakeSystem", on_delete=models.PROTECT, related_name="open311_requests",
        verbose_name=_("sending system"),
    )
    token = models.CharField(_("token"), max_length=40, unique=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    address_string = models.CharField(_("address as sent"), max_length=300, blank=True)
    address_id = models.CharField(_("address id"), max_length=100, blank=True)
    media_url = models.URLField(_("media URL"), max_length=1000, blank=True)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    device_id = models.CharField(_("device id"), max_length=100, blank=True)
    email = EncryptedTextField(_("e-mail"), blank=True)
    description = models.TextField(_("description as sent"), blank=True)
    requested_at = models.DateTimeField(_("requested at"), db_index=True)

    class Meta:
        verbose_name = _("Open311 service request")
        verbose_name_plural = _("Open311 service requests")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["service", "requested_at"], name="open311_request_service")]

    def __str__(self) -> str:
        return f"{self.token} → {self.event_id}"
