from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    """Petitions (信访) on the clocks of 信访工作条例 (2022), and the backlog sorted by 四个一批."""

    name = "fengqiao.petitions"
    verbose_name = _("Petitions")

    def ready(self) -> None:
        # The petition workflow registers itself with the clock scanner when its actions load.
        from fengqiao.petitions import actions  # noqa: F401
