from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    """The mediation centre (矛调中心): committees and rooms, mediators and the 群英 pool, cases of
    the six kinds on the shared workflow machinery, sessions, agreements and their performance."""

    name = "fengqiao.mediation"
    verbose_name = _("Mediation centre")

    def ready(self) -> None:
        # Declaring the case's and the task's workflows makes them known to the clock scanner,
        # whichever process runs it.
        from fengqiao.mediation import actions  # noqa: F401
