"""Message templates (Chinese, as the texts go out). Each has a title for the inbox and a body
for the text message. Parameters are filled with str.format."""

from __future__ import annotations

TEMPLATES: dict[str, tuple[str, str]] = {
    "dispatched": (
        "新事项待签收:{code}",
        "【{sign}】您有新事项{code}「{title}」({region})待签收,请于{deadline}前办结。",
    ),
    "escalated": (
        "提级事项:{code}",
        "【{sign}】事项{code}「{title}」已提级至{tier},请及时签收处置,办理时限{deadline}。",
    ),
    "assigned": (
        "您被增派到事项:{code}",
        "【{sign}】您已被增派参与事项{code}「{title}」的处置,请及时跟进。",
    ),
    "urged": (
        "催办:{code}",
        "【{sign}】催办提醒:事项{code}「{title}」尚未办结,办理时限{deadline},请抓紧处置。{note}",
    ),
    "supervised": (
        "{level}:{code}",
        "【{sign}】事项{code}「{title}」已列入{level},请按时办结并反馈。",
    ),
    "deadline_warning": (
        "即将逾期:{code}",
        "【{sign}】预警:事项{code}「{title}」将于{deadline}到期,请抓紧办结。",
    ),
    "overdue": (
        "已逾期:{code}",
        "【{sign}】事项{code}「{title}」已超过办理时限{deadline},请立即处置并说明情况。",
    ),
    "reopened": (
        "回访不满意,事项重办:{code}",
        "【{sign}】事项{code}「{title}」回访不满意,已退回重办,请于{deadline}前办结。",
    ),
    "returned": (
        "事项被退回:{code}",
        "【{sign}】事项{code}「{title}」被退回,原因:{reason}。请重新分拨。",
    ),
    "extension_requested": (
        "延期申请待审批:{code}",
        "【{sign}】事项{code}「{title}」申请延期{days}天,原因:{reason}。请审批。",
    ),
    "extension_decided": (
        "延期申请{decision}:{code}",
        "【{sign}】事项{code}「{title}」的延期申请已{decision},办理时限{deadline}。",
    ),
    # Any workflow's running limit (a petition's, a mediation case's): `clock` names the limit.
    "clock_warning": (
        "即将到期:{code}",
        "【{sign}】预警:{title}({code})的「{clock}」将于{due}到期,请抓紧办理。",
    ),
    "clock_overdue": (
        "已超期:{code}",
        "【{sign}】{title}({code})的「{clock}」已于{due}到期,请立即办理并说明情况。",
    ),
    # Petitions (信访): routed to the body responsible; the body objects (not its duty).
    "petition_routed": (
        "信访事项待受理:{code}",
        "【{sign}】信访事项{code}「{title}」已{routing}贵单位,请于{due}前决定是否受理并书面告知信访人;"
        "如不属贵单位职责,请于{object_due}前提出异议。",
    ),
    "petition_objected": (
        "信访事项被提出异议:{code}",
        "【{sign}】{body}对信访事项{code}「{title}」提出异议,理由:{reason}。请核实后重新转送。",
    ),
    "call_request": (
        "回电请求:{code}",
        "【{sign}】{caller}就事项{code}「{title}」想与您通话,请回电{caller_phone}。{note}",
    ),
    "outcome": (
        "您反映的事项已{outcome}:{code}",
        "【{sign}】您反映的事项{code}「{title}」已{outcome}。感谢您的支持。",
    ),
    # The mediation centre (矛调中心) and its 群英 tasks.
    "mediation_arrived": (
        "值班提醒:新调解申请{code}",
        "【{sign}】非工作时间收到调解申请{code}「{title}」({channel}),请值班人员及时处理。",
    ),
    "mediation_assigned": (
        "调解案件指派:{code}",
        "【{sign}】您被指派为调解案件{code}「{title}」的{role},请及时联系当事人开展调解。",
    ),
    "mediation_session": (
        "调解会安排:{code}",
        "【{sign}】调解案件{code}「{title}」定于{time}在{place}进行调解({mode}),请准时参加。",
    ),
    "mediation_session_party": (
        "调解通知:{code}",
        "【{sign}】您的纠纷(案号{code})定于{time}在{place}进行调解,请准时参加。",
    ),
    "mediation_outcome": (
        "调解结果:{event_code}",
        "【{sign}】事项{event_code}「{title}」经调解{outcome}(案号{code}),请及时跟进办结并回访。",
    ),
    "mediation_task": (
        "群英派单:{code}",
        "【{sign}】{dispatcher}向您派发调解任务「{title}」({region}),请于{due}前反馈结果。请登录平台接单。",
    ),
    "mediation_task_declined": (
        "群英拒单:{code}",
        "【{sign}】{member}未接调解任务「{title}」,原因:{reason}。请另行派单。",
    ),
    "mediation_task_reported": (
        "群英反馈:{code}",
        "【{sign}】{member}已反馈调解任务「{title}」:{result}。请确认办结。",
    ),
    "mediation_task_back": (
        "任务退回重办:{code}",
        "【{sign}】调解任务「{title}」被退回重办,原因:{reason}。",
    ),
    # Major matters (三级挂账督办): listed, urged, supervised, closing requested and decided.
    "major_listed": (
        "重大事项挂账:{code}",
        "【{sign}】重大事项{code}「{title}」已列入{level}挂账督办,请按节点计划推进,最近节点期限{deadline}。",
    ),
    "major_urged": (
        "催办:{code}",
        "【{sign}】催办提醒:重大事项{code}「{title}」{what}尚未完成,期限{deadline},请抓紧推进。{note}",
    ),
    "major_supervised": (
        "{card}:{code}",
        "【{sign}】重大事项{code}「{title}」已列入{card},请按期推进并反馈进展。{note}",
    ),
    "major_close_requested": (
        "销号申请待审核:{code}",
        "【{sign}】{level}挂账重大事项{code}「{title}」已申请销号,请于{due}前审核。",
    ),
    "major_close_decided": (
        "销号申请{decision}:{code}",
        "【{sign}】重大事项{code}「{title}」销号申请{decision}。{note}",
    ),
}


def render(template: str, params: dict) -> tuple[str, str]:
    title, body = TEMPLATES[template]
    values = _Defaults(params)
    return title.format_map(values), body.format_map(values)


class _Defaults(dict):
    def __missing__(self, key: str) -> str:
        if key == "sign":
            from django.conf import settings

            return settings.FENGQIAO_SMS_SIGN_NAME
        return ""
