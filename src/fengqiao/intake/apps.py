from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "fengqiao.intake"
    verbose_name = _("Intake channels")

    def ready(self) -> None:
        from fengqiao.events import hooks
        from fengqiao.intake.callbacks import on_event_change

        hooks.listen(on_event_change)
