"""Every text reads as a person would write it: no doubled punctuation whatever the free text
ends with, and one SMS (70 characters, signature included) wherever the template allows — the
free text (title, reason, note …) shortened with … when it must; the templates that cannot fit
are named in TWO_PART with the reason."""

from __future__ import annotations

import re
import string

import pytest

from fengqiao.notify.templates import (
    NOT_SHORTENED,
    SMS_LIMIT,
    TEMPLATES,
    TWO_PART,
    render,
    render_sms,
)

# Realistic values: an event code as the platform makes them (20 characters), Chinese titles and
# reasons that end with their own full stop, as people type them.
VALUES = dict(
    code="350322-20261203-0001", event_code="350322-20261203-0001", title="洋坂村柯某反映工资拖欠",
    region="度尾镇洋坂村", deadline="12月10日18:00", tier="镇街", level="黄牌督办", days="3",
    reason="需等待伤情鉴定结果。", decision="批准", clock="受理期限", due="12月10日", routing="转送",
    object_due="12月8日", body="县人社局", caller="林镇干", caller_phone="13900000003", outcome="办结",
    channel="12345热线", role="主调解员", time="12月5日9:30", place="镇矛调中心第一调解室", mode="现场",
    dispatcher="城西派出所", member="王金牌", result="双方达成协议。", what="节点「征地补偿」",
    card="红牌督办", note="请今日反馈", tracking="A7K2Q9", url="fq.xianyou.gov.cn/t",
)
LONG = dict(VALUES, title="度尾镇洋坂村第三村民小组柯某等十二名工人反映某建筑公司拖欠工资三个月共计十二万元",
            reason="当事人外出务工,需等其返乡后再行调解;另需等待劳动仲裁委员会的鉴定结论。",
            note="请务必于今日下班前将处置进展和下一步计划书面反馈至县指挥中心。")
# A major matter's level is where it is listed (市级, 县级, 乡镇级), not an event's supervision card.
OVERRIDES = {"major_listed": {"level": "县级"}, "major_close_requested": {"level": "县级"}}
DOUBLED = re.compile(r"[。,;:!?、,.]{2,}")


def _names():
    return sorted(TEMPLATES)


@pytest.mark.parametrize("name", _names())
@pytest.mark.parametrize("values", [VALUES, LONG], ids=["usual", "long"])
def test_every_template_renders_without_doubled_punctuation_and_in_one_text(name, values, settings):
    settings.FENGQIAO_SMS_SIGN_NAME = "枫桥平台"
    values = dict(values, **OVERRIDES.get(name, {}))
    needed = {n for _l, n, _s, _c in string.Formatter().parse(TEMPLATES[name][1]) if n and n != "sign"}
    assert needed <= set(values), needed - set(values)
    title, whole = render(name, values)
    _params, text = render_sms(name, values)
    for words in (title, whole, text):
        assert not DOUBLED.search(words), words
        assert "{" not in words and "None" not in words
    assert text.startswith("【枫桥平台】")
    if name in TWO_PART:
        assert len(text) > SMS_LIMIT  # named because it cannot fit: the list stays true
    elif values is VALUES:
        assert len(text) <= SMS_LIMIT, (len(text), text)
    elif name in NOT_SHORTENED:  # a limit's label is kept whole, however long
        assert values["title"] in text
    else:  # a long title gives way; what a person wrote (reason, note) never does
        written = sum(len(values[k]) - len(VALUES[k]) for k in ("reason", "note") if k in needed)
        assert len(text) <= SMS_LIMIT + written, (len(text), text)
    for key in ("reason", "note"):
        if key in needed and values[key]:
            assert values[key].rstrip("。") in text
    # codes, dates and phone numbers are never shortened
    for key in ("code", "event_code", "deadline", "due", "caller_phone", "tracking", "days"):
        if key in needed:
            assert values[key] in text


def test_the_extension_text_reads_well():
    _params, text = render_sms("extension_requested", VALUES)
    assert text.endswith("申请延期3天,原因:需等待伤情鉴定结果。请审批。")


def test_a_note_at_the_end_ends_like_a_sentence_and_an_empty_one_adds_nothing():
    assert render_sms("urged", VALUES)[1].endswith("请抓紧处置。请今日反馈。")
    assert render_sms("urged", VALUES)[1].startswith("【枫桥平台】催办提醒")
    assert render_sms("urged", dict(VALUES, note=""))[1].endswith("请抓紧处置。")
    assert render_sms("urged", dict(VALUES, note="请今日反馈!"))[1].endswith("请今日反馈!")


def test_the_shortened_parameters_are_what_a_provider_template_is_filled_with():
    params, text = render_sms("dispatched", LONG)
    assert params["title"].endswith("…") and params["title"] in text
    assert params["code"] == LONG["code"]
