from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The main navigation's entries (config/templatetags/fq_nav.py asks for the same msgids).
NAV_LABELS = (pgettext_lazy("nav", "Stationed cadres"), pgettext_lazy("nav", "Stay check-in"))


class StationingConfig(AppConfig):
    """Stationed cadres (部门驻村、干部住村): stations, stay plans under their rules, check-ins from a
    phone against the village outline, and compliance week by week."""

    name = "fengqiao.stationing"
    label = "stationing"
    verbose_name = _("Stationed cadres")

    def ready(self) -> None:
        # The three workflows (station, plan, stay) register with the clock scanner when the actions load.
        from fengqiao.stationing import actions  # noqa: F401
