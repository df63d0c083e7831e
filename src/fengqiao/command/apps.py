from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandConfig(AppConfig):
    name = "fengqiao.command"
    verbose_name = _("Command centre")

    def ready(self) -> None:
        from fengqiao.command import rollups

        rollups.register()  # keep the counters current with every event action

        from django.db.models.signals import post_delete, post_save

        from fengqiao.command.models import CommandSettings
        from fengqiao.command.queries import current_settings, forget_settings
        from fengqiao.lib.rates import use_rounding_from

        # Pages of the apps below (petitions, mediation) print rates by the admin's rule too.
        use_rounding_from(lambda: current_settings().rounding)

        post_save.connect(forget_settings, sender=CommandSettings, dispatch_uid="command_settings_saved")
        post_delete.connect(forget_settings, sender=CommandSettings, dispatch_uid="command_settings_deleted")
