from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The main navigation's entry (config/templatetags/fq_nav.py asks for the same msgid).
NAV_LABEL = pgettext_lazy("nav", "Major matters")


class MajorsConfig(AppConfig):
    """Major matters (重大事项) under three-level listed supervision, after a stability risk
    assessment; key projects with their task forces."""

    name = "fengqiao.majors"
    label = "majors"
    verbose_name = _("Major matters")

    def ready(self) -> None:
        # The two workflows (matter, milestone) register with the clock scanner when the actions load.
        from fengqiao.majors import actions  # noqa: F401
