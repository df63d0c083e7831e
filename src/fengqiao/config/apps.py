from django.apps import AppConfig


class ConfigConfig(AppConfig):
    name = "fengqiao.config"
    label = "fengqiao_config"
    verbose_name = "Fengqiao"

    def ready(self) -> None:
        from fengqiao.config import checks  # noqa: F401  (registers the system checks)
