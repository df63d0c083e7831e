from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The tamper-evident record every app writes to (below every app that writes it)."""

    name = "fengqiao.audit"
    verbose_name = _("Audit record")
