from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandConfig(AppConfig):
    name = "fengqiao.command"
    verbose_name = _("Command centre")

    def ready(self) -> None:
        from fengqiao.command import rollups

        rollups.register()  # keep the counters current with every event action
