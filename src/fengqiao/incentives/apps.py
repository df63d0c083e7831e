from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    """Points, the 六好六无 rubric and stars, exchange shops, red and black lists, elections."""

    name = "fengqiao.incentives"
    verbose_name = _("Incentives")

    def ready(self) -> None:
        from fengqiao.incentives import actions  # noqa: F401  (the workflows register themselves)
