from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "fengqiao.intake"
    verbose_name = _("Intake channels")

    def ready(self) -> None:
        from fengqiao.events import hooks
        from fengqiao.intake.callbacks import on_event_change, secret_of
        from fengqiao.notify.delivery import register_webhook_signer

        hooks.listen(on_event_change)
        register_webhook_signer("intake_system", secret_of)
