from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "fengqiao.triage"
    verbose_name = _("Triage")

    def ready(self) -> None:
        from django.utils.translation import pgettext_lazy

        from fengqiao.events import hooks
        from fengqiao.events.queries import Bucket, register_bucket
        from fengqiao.triage.actions import on_event_change
        from fengqiao.triage.permissions import may_triage

        hooks.listen(on_event_change)
        # 待分流: a decision waiting on the operator, so a worklist tab with its count.
        register_bucket(Bucket("triage", pgettext_lazy("worklist", "To triage"), shown=may_triage,
                               select=_triage_events), after="returned")


def _triage_events(user, base):
    from fengqiao.events.models import Event
    from fengqiao.triage.queries import visible_items

    return Event.objects.filter(pk__in=visible_items(user).values("event_id"))
