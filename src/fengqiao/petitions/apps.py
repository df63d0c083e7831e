from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    """Petitions (信访) on the clocks of 信访工作条例 (2022), and the backlog sorted by 四个一批."""

    name = "fengqiao.petitions"
    verbose_name = _("Petitions")
