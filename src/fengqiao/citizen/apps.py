from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Texts to citizens (Chinese, as they go out). Registered with the platform's templates so every
# SMS backend knows their variables; {sign} is the SMS signature.
CITIZEN_TEMPLATES = {
    "citizen_receipt": (
        "您的报事已受理",
        "【{sign}】您反映的「{title}」已受理,查询码{tracking},可在{url}查看办理进度。",
    ),
    "citizen_resolved": (
        "您的报事已办结",
        "【{sign}】您反映的「{title}」已办结,请在{url}查看处理结果并评价(查询码{tracking})。",
    ),
    "citizen_refused": (
        "您的报事未予受理",
        "【{sign}】您反映的「{title}」未予受理,原因可在{url}查看(查询码{tracking})。",
    ),
}


class CitizenConfig(AppConfig):
    name = "fengqiao.citizen"
    verbose_name = _("Citizen reports")

    def ready(self) -> None:
        from fengqiao.citizen import actions
        from fengqiao.events import hooks
        from fengqiao.notify.templates import TEMPLATES

        for name, template in CITIZEN_TEMPLATES.items():
            TEMPLATES.setdefault(name, template)
        hooks.listen(actions.on_event_change)
        hooks.listen(actions.texts_on_outcome)
