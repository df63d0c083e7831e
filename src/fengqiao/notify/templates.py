"""Message templates (Chinese, as the texts go out). Each has a title for the inbox and a body
for the text message. Parameters are filled with str.format."""

from __future__ import annotations

import string

TEMPLATES: dict[str, tuple[str, str]] = {
    "dispatched": (
        "新事项待签收:{code}",
        "【{sign}】新事项{code}「{title}」({region})待签收,请于{deadline}前办结。",
    ),
    "escalated": (
        "提级事项:{code}",
        "【{sign}】事项{code}「{title}」已提级至{tier},请及时签收,时限{deadline}。",
    ),
    "assigned": (
        "您被增派到事项:{code}",
        "【{sign}】您已被增派参与事项{code}「{title}」的处置,请及时跟进。",
    ),
    "urged": (
        "催办:{code}",
        "【{sign}】催办提醒:事项{code}「{title}」时限{deadline},请抓紧处置。{note}",
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
        "【{sign}】事项{code}「{title}」已超过办理时限{deadline},请立即处置。",
    ),
    "reopened": (
        "回访不满意,事项重办:{code}",
        "【{sign}】事项{code}「{title}」回访不满意,退回重办,请于{deadline}前办结。",
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
        "不属贵单位职责的,请于{object_due}前提出异议。",
    ),
    "petition_objected": (
        "信访事项被提出异议:{code}",
        "【{sign}】{body}对信访事项{code}「{title}」提出异议:{reason}。请核实后重新转送。",
    ),
    "call_request": (
        "回电请求:{code}",
        "【{sign}】{caller}就事项{code}「{title}」请您回电{caller_phone}。{note}",
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
        "【{sign}】调解案{code}「{title}」{time}在{place}调解({mode}),请准时参加。",
    ),
    "mediation_session_party": (
        "调解通知:{code}",
        "【{sign}】您的纠纷(案号{code})定于{time}在{place}进行调解,请准时参加。",
    ),
    "mediation_outcome": (
        "调解结果:{event_code}",
        "【{sign}】事项{event_code}「{title}」经调解{outcome}(案号{code}),请跟进办结并回访。",
    ),
    "mediation_task": (
        "群英派单:{code}",
        "【{sign}】{dispatcher}向您派发调解任务「{title}」({region}),请登录平台接单,于{due}前反馈。",
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
        "【{sign}】重大事项{code}「{title}」列入{level}挂账督办,请按节点推进,期限{deadline}。",
    ),
    "major_urged": (
        "催办:{code}",
        "【{sign}】催办:{code}「{title}」{what}尚未完成,限{deadline}。{note}",
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


# One text message: 70 characters (the signature and punctuation included); a longer one is sent
# and billed as two or more. Templates that cannot fit even with their free text shortened are
# listed with the reason (tests/notify/test_templates.py renders every template).
SMS_LIMIT = 70
TWO_PART = {
    # 信访工作条例: the body must be told to decide and to tell the petitioner in writing, and
    # how long it has to object — 52 characters before the 20-character case number and title.
    "petition_routed": "the notice the regulation requires is longer than one text",
    # The event's number and the case's (案号): two 20-character numbers leave no room.
    "mediation_outcome": "it names both the event and the mediation case by number",
}
# What may be shortened (with …) to fit one text, down to the characters it keeps at least: the
# record's title only — the code beside it names the record, and the inbox and the page keep the
# whole. What a person wrote (a reason, a note, a result) is never cut: a long one makes a
# two-part text. Nor are codes, dates, numbers and names, nor a running limit's label (clock_*:
# its title names the milestone or step the limit belongs to).
ELASTIC = (("title", 5),)
NOT_SHORTENED = frozenset({"clock_warning", "clock_overdue"})
# Punctuation that ends or splits a clause: a value ending in one before a template's own loses it.
_CLAUSE_END = "。，,;;:：!！?？、．."


def _tidy(template: str, params: dict) -> dict:
    """Values as the text reads them: trimmed; a value's last mark dropped where the template
    puts its own right after it ("原因:需鉴定。" + "。请审批" must not read "。。"); a free note at
    the very end given its full stop."""
    body = TEMPLATES[template][1]
    out = dict(params)
    parsed = list(string.Formatter().parse(body))
    for index, (_literal, name, _spec, _conv) in enumerate(parsed):
        if not name or name == "sign" or not isinstance(out.get(name), str):
            continue
        value = out[name].strip()
        following = parsed[index + 1][0] if index + 1 < len(parsed) else ""
        if following[:1] and following[0] in _CLAUSE_END:
            value = value.rstrip(_CLAUSE_END + " ")
        elif index == len(parsed) - 1 and value and value[-1] not in _CLAUSE_END + "」)）…":
            value += "。"  # the text's last words, from a person: end them like a sentence
        out[name] = value
    return out


def render(template: str, params: dict) -> tuple[str, str]:
    """The inbox title and the whole text (nothing shortened)."""
    title, body = TEMPLATES[template]
    values = _Defaults(_tidy(template, params))
    return title.format_map(values), body.format_map(values)


def render_sms(template: str, params: dict) -> tuple[dict, str]:
    """The parameters and the text of one SMS: as `render`, with the free text shortened (…)
    until it fits SMS_LIMIT where it can. The parameters returned are what a provider's own
    template is filled with, so its text says the same."""
    values = _tidy(template, params)
    body = TEMPLATES[template][1]
    text = body.format_map(_Defaults(values))
    for name, keep in () if template in NOT_SHORTENED else ELASTIC:
        over = len(text) - SMS_LIMIT
        value = values.get(name)
        if over <= 0:
            break
        if not isinstance(value, str) or len(value) <= keep:
            continue
        cut = max(keep, len(value) - over - 1)
        if cut < len(value):
            values[name] = value[:cut].rstrip(_CLAUSE_END + " ") + "…"
            text = body.format_map(_Defaults(values))
    return values, text


class _Defaults(dict):
    def __missing__(self, key: str) -> str:
        if key == "sign":
            from django.conf import settings

            return settings.FENGQIAO_SMS_SIGN_NAME
        return ""
