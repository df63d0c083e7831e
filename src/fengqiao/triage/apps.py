from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "fengqiao.triage"
    verbose_name = _("Triage")

    def ready(self) -> None:
        from fengqiao.events import hooks
        from fengqiao.triage.actions import on_event_change

        hooks.listen(on_event_change)
