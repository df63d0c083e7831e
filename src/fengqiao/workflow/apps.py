from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    """The machinery every workflow runs on: state machines as data, the one transition function,
    deadline clocks in calendar or working days, scope by region. Events, mediation cases,
    petitions (and major matters) all use it; it sits below each of them and imports none."""

    name = "fengqiao.workflow"
    verbose_name = _("Workflow machinery")
