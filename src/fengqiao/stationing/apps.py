from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationingConfig(AppConfig):
    """Stationed cadres (部门驻村、干部住村): stations, stay plans under their rules, check-ins from a
    phone against the village outline, and compliance week by week."""

    name = "fengqiao.stationing"
    label = "stationing"
    verbose_name = _("Stationed cadres")

    def ready(self) -> None:
        # The three workflows (station, plan, stay) register with the clock scanner when the actions load.
        from fengqiao.stationing import actions  # noqa: F401
