from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridConfig(AppConfig):
    """The grid network below the village: registries, field work, teams and patrols, and the
    grid worker's offline app."""

    name = "fengqiao.grid"
    verbose_name = _("Grid network")

    def ready(self) -> None:
        # The hazard workflow registers itself when the actions load.
        from fengqiao.grid import actions  # noqa: F401
