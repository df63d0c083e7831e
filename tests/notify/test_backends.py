"""The SMS backends: signatures against the providers' published examples, and the real HTTP
calls against the local fakes (which check signatures the way the providers do)."""

from __future__ import annotations

import json
import time
import urllib.parse

import pytest

from fengqiao.notify import backends
from fengqiao.notify.backends import (
    AliyunBackend,
    DeliveryError,
    SmsMessage,
    TencentBackend,
    get_backend,
)
from fengqiao.notify.fakes import aliyun_expected_signature
from fengqiao.notify.templates import render
from tests.notify.helpers import URGED

# Aliyun's worked example ("RPC 签名机制", ECS DescribeRegions with AccessKeyId testid).
ALIYUN_DOC_PARAMS = {
    "AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML",
    "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    "SignatureVersion": "1.0", "Timestamp": "2016-02-23T12:46:24Z", "Version": "2014-05-26",
}
ALIYUN_DOC_STRING_TO_SIGN = (
    "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML"
    "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"
    "%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
)


def _text(key: str = "k-0001", phone: str = "13900000005", template: str = "urged",
          params: dict | None = None) -> SmsMessage:
    params = dict(URGED if params is None else params)
    return SmsMessage(phone=phone, body=render(template, params)[1], template=template,
                      params=params, idempotency_key=key)


# ------------------------------------------------------------------------ published vectors


def test_aliyun_signature_matches_the_documented_example():
    assert backends.aliyun_string_to_sign("GET", ALIYUN_DOC_PARAMS) == ALIYUN_DOC_STRING_TO_SIGN
    assert backends.aliyun_signature("GET", ALIYUN_DOC_PARAMS, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_the_aliyun_fake_checks_against_the_documented_example_too():
    signature, to_sign = aliyun_expected_signature("GET", ALIYUN_DOC_PARAMS, "testsecret")
    assert (signature, to_sign) == ("OLeaidS1JvxuMvnyHOwuJ+uX5qY=", ALIYUN_DOC_STRING_TO_SIGN)


def test_aliyun_percent_encoding_follows_rfc3986():
    assert backends.aliyun_percent_encode("a b*c~d/é") == "a%20b%2Ac~d%2F%C3%A9"


def test_tencent_tc3_matches_the_documented_worked_example():
    # cloud.tencent.com/document/api/213/30654: CVM DescribeInstances at 1551113065; the document
    # masks the key but prints the derived signing key, so the last step is checked with that.
    payload = b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
    canonical = backends.tc3_canonical_request(
        method="POST", path="/", query="",
        headers={"Content-Type": "application/json; charset=utf-8", "Host": "cvm.tencentcloudapi.com",
                 "X-TC-Action": "DescribeInstances"},
        signed_headers=["content-type", "host", "x-tc-action"], payload=payload,
    )
    assert canonical == (
        "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n"
        "x-tc-action:describeinstances\n\ncontent-type;host;x-tc-action\n"
        "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
    )
    to_sign = backends.tc3_string_to_sign(timestamp=1551113065, service="cvm", canonical_request=canonical)
    assert to_sign == (
        "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n"
        "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84"
    )
    signing_key = bytes.fromhex("b596b923aad85185e2d1f6659d2a062e0a86731226e021e61bfe06f7ed05f5af")
    assert backends.tc3_signature(signing_key, to_sign) == (
        "10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f"
    )


# ---------------------------------------------------------------------- template variables


def test_template_variables_follow_the_order_of_the_text_without_the_signature():
    assert backends.template_variables("urged") == ["code", "title", "deadline", "note"]
    assert backends.template_variables("deadline_warning") == ["code", "title", "deadline"]
    assert backends.provider_params(_text()) == {k: str(v) for k, v in URGED.items()}


# ---------------------------------------------------------------------------------- Aliyun


def test_aliyun_sends_through_the_fake_with_outid_and_template_params(aliyun):
    provider_id = get_backend().send(_text(key="key-aliyun-1"))
    assert provider_id and "^" in provider_id
    assert aliyun.rejected == []
    [message] = aliyun.messages
    assert message["phone"] == "13900000005"
    assert message["sign_name"] == "枫桥平台"
    assert message["template"] == "SMS_465000001"
    assert message["params"] == {"code": URGED["code"], "title": URGED["title"],
                                 "deadline": URGED["deadline"], "note": ""}
    assert message["key"] == "key-aliyun-1"


def test_aliyun_repeat_of_an_outid_is_not_delivered_twice(aliyun):
    backend = get_backend()
    first = backend.send(_text(key="same-key"))
    second = backend.send(_text(key="same-key"))
    assert first == second
    assert aliyun.delivered_keys() == ["same-key"] and aliyun.duplicates == 1


def test_aliyun_per_template_code_overrides_the_default(aliyun, settings):
    settings.FENGQIAO_ALIYUN_TEMPLATE_CODES = "urged=SMS_465000002, overdue=SMS_465000009"
    get_backend().send(_text())
    assert aliyun.messages[0]["template"] == "SMS_465000002"


def test_aliyun_a_wrong_secret_is_rejected_as_a_signature_mismatch(aliyun, settings):
    settings.FENGQIAO_ALIYUN_ACCESS_KEY_SECRET = "not-the-secret"
    with pytest.raises(DeliveryError) as exc:
        get_backend().send(_text())
    assert exc.value.code == "SignatureDoesNotMatch"
    assert "not matched with our calculation" in exc.value.message
    assert not exc.value.permanent
    assert aliyun.messages == []


def test_aliyun_fake_rejects_a_tampered_parameter(aliyun):
    backend = get_backend()
    params = backend.build_params(_text())
    params["PhoneNumbers"] = "13912345678"  # signed for another number
    result = backends.http_request(aliyun.url, data=urllib.parse.urlencode(params).encode(),
                                   headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=5)
    assert result.status == 400 and result.json()["Code"] == "SignatureDoesNotMatch"
    assert aliyun.messages == []


def test_aliyun_fake_refuses_a_replayed_nonce(aliyun):
    params = get_backend().build_params(_text())
    data = urllib.parse.urlencode(params).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    assert backends.http_request(aliyun.url, data=data, headers=headers, timeout=5).json()["Code"] == "OK"
    again = backends.http_request(aliyun.url, data=data, headers=headers, timeout=5)
    assert again.status == 400 and again.json()["Code"] == "SignatureNonceUsed"


def test_aliyun_an_unknown_access_key_is_refused(aliyun, settings):
    settings.FENGQIAO_ALIYUN_ACCESS_KEY_ID = "LTAI-someone-else"
    with pytest.raises(DeliveryError, match="InvalidAccessKeyId.NotFound"):
        get_backend().send(_text())


def test_aliyun_business_refusal_carries_the_providers_code_and_message(aliyun):
    aliyun.fail_next(1)
    with pytest.raises(DeliveryError) as exc:
        get_backend().send(_text())
    assert exc.value.code == "isv.BUSINESS_LIMIT_CONTROL"
    assert exc.value.message == "触发分钟级流控Permits:1"
    assert not exc.value.permanent


def test_aliyun_an_illegal_number_is_a_permanent_error(aliyun):
    with pytest.raises(DeliveryError) as exc:
        get_backend().send(_text(phone="12345"))
    assert exc.value.code == "isv.MOBILE_NUMBER_ILLEGAL" and exc.value.permanent


def test_aliyun_http_errors_raise_with_the_status(aliyun):
    aliyun.fail_next(1, status=503, code="ServiceUnavailable", message="The request has failed due to a temporary failure of the server.")
    with pytest.raises(DeliveryError) as exc:
        get_backend().send(_text())
    assert exc.value.code == "ServiceUnavailable" and "temporary failure" in exc.value.message


def test_aliyun_a_slow_provider_times_out(aliyun, settings):
    settings.FENGQIAO_SMS_TIMEOUT = 1
    aliyun.slow_next(1, seconds=3)
    with pytest.raises(DeliveryError) as exc:
        get_backend().send(_text())
    assert exc.value.code == "Timeout"


def test_aliyun_an_unreachable_endpoint_is_a_connection_error(aliyun, settings):
    port = aliyun.port
    aliyun.stop()
    settings.FENGQIAO_ALIYUN_ENDPOINT = f"http://127.0.0.1:{port}/"
    with pytest.raises(DeliveryError) as exc:
        get_backend().send(_text())
    assert exc.value.code == "ConnectionError"


def test_aliyun_without_credentials_names_the_missing_settings(settings):
    settings.FENGQIAO_SMS_BACKEND = "aliyun"
    settings.FENGQIAO_ALIYUN_ACCESS_KEY_ID = ""
    settings.FENGQIAO_ALIYUN_ACCESS_KEY_SECRET = ""
    with pytest.raises(DeliveryError, match="FENGQIAO_ALIYUN_ACCESS_KEY_ID, FENGQIAO_ALIYUN_ACCESS_KEY_SECRET"):
        get_backend()


def test_aliyun_without_a_template_code_says_which_setting(aliyun, settings):
    settings.FENGQIAO_ALIYUN_TEMPLATE_CODE = ""
    with pytest.raises(DeliveryError, match="FENGQIAO_ALIYUN_TEMPLATE_CODE"):
        get_backend().send(_text())
    assert aliyun.requests == 0


# --------------------------------------------------------------------------------- Tencent


def test_tencent_sends_through_the_fake_with_session_context_and_ordered_params(tencent):
    serial = get_backend().send(_text(key="key-tencent-1"))
    assert serial.startswith("2028:")
    assert tencent.rejected == []
    [message] = tencent.messages
    assert message["phone"] == "+8613900000005"
    assert message["template"] == "2100001"
    assert message["params"] == [URGED["code"], URGED["title"], URGED["deadline"], ""]
    assert message["key"] == "key-tencent-1"


def test_tencent_repeat_of_a_session_context_is_not_delivered_twice(tencent):
    backend = get_backend()
    backend.send(_text(key="again"))
    backend.send(_text(key="again"))
    assert tencent.delivered_keys() == ["again"] and tencent.duplicates == 1


def test_tencent_a_wrong_key_is_rejected_as_a_signature_failure(tencent, settings):
    settings.FENGQIAO_TENCENT_SECRET_KEY = "not-the-key"
    with pytest.raises(DeliveryError) as exc:
        get_backend().send(_text())
    assert exc.value.code == "AuthFailure.SignatureFailure"
    assert tencent.messages == []


def test_tencent_fake_rejects_a_body_changed_after_signing(tencent):
    backend: TencentBackend = get_backend()
    body = json.dumps(backend.build_payload(_text()), ensure_ascii=False).encode()
    headers = backends.tc3_headers(
        secret_id=tencent.secret_id, secret_key=tencent.secret_key, service="sms", host=backend.host,
        action="SendSms", version="2021-01-11", region="ap-guangzhou", payload=body,
        timestamp=int(time.time()),
    )
    tampered = body.replace(b"+8613900000005", b"+8613912345678")
    result = backends.http_request(tencent.url, data=tampered, headers=headers, timeout=5)
    assert result.json()["Response"]["Error"]["Code"] == "AuthFailure.SignatureFailure"
    ok = backends.http_request(tencent.url, data=body, headers=headers, timeout=5)
    assert ok.json()["Response"]["SendStatusSet"][0]["Code"] == "Ok"


def test_tencent_a_stale_timestamp_is_refused(tencent, settings):
    backend = TencentBackend(
        secret_id=tencent.secret_id, secret_key=tencent.secret_key, sdk_app_id=tencent.sdk_app_id,
        sign_name="枫桥平台", template_id="2100001", endpoint=tencent.url,
        clock=lambda: time.time() - 3600,
    )
    with pytest.raises(DeliveryError, match="AuthFailure.SignatureExpire"):
        backend.send(_text())


def test_tencent_per_number_refusal_carries_the_code_and_message(tencent):
    tencent.fail_next(1)
    with pytest.raises(DeliveryError) as exc:
        get_backend().send(_text())
    assert exc.value.code == "LimitExceeded.PhoneNumberThirtySecondLimit"
    assert "30秒" in exc.value.message


def test_tencent_top_level_error_is_raised(tencent):
    tencent.fail_next(1, code="InternalError.Timeout", message="请求下发短信超时")
    with pytest.raises(DeliveryError) as exc:
        get_backend().send(_text())
    assert (exc.value.code, exc.value.message) == ("InternalError.Timeout", "请求下发短信超时")


def test_tencent_a_wrong_sdk_app_is_refused(tencent, settings):
    settings.FENGQIAO_TENCENT_SDK_APP_ID = "1400999999"
    with pytest.raises(DeliveryError, match="SdkAppIdNotExist"):
        get_backend().send(_text())


def test_tencent_an_unapproved_template_is_refused(tencent, settings):
    settings.FENGQIAO_TENCENT_TEMPLATE_ID = "9999"
    with pytest.raises(DeliveryError, match="TemplateIncorrectOrUnapproved"):
        get_backend().send(_text())


def test_tencent_a_bad_number_is_a_permanent_error(tencent):
    with pytest.raises(DeliveryError) as exc:
        get_backend().send(_text(phone="2233"))
    assert exc.value.code == "InvalidParameterValue.IncorrectPhoneNumber" and exc.value.permanent


def test_tencent_a_slow_provider_times_out(tencent, settings):
    settings.FENGQIAO_SMS_TIMEOUT = 1
    tencent.slow_next(1, seconds=3)
    with pytest.raises(DeliveryError, match="Timeout"):
        get_backend().send(_text())


# ------------------------------------------------------------------------- console and file


def test_console_backend_logs_the_text_with_the_phone_masked(settings, caplog):
    settings.FENGQIAO_SMS_BACKEND = "console"
    with caplog.at_level("INFO", logger="fengqiao.sms"):
        provider_id = get_backend().send(_text(key="abc"))
    assert provider_id == "console-abc"
    assert "139****0005" in caplog.text and "13900000005" not in caplog.text
    assert "催办提醒" in caplog.text


def test_file_backend_appends_one_json_line_per_text(settings, tmp_path):
    settings.FENGQIAO_SMS_BACKEND = "file"
    settings.FENGQIAO_SMS_FILE = str(tmp_path / "sms" / "out.log")
    backend = get_backend()
    backend.send(_text(key="one"))
    backend.send(_text(key="two", phone="13900000006"))
    lines = [json.loads(line) for line in (tmp_path / "sms" / "out.log").read_text("utf-8").splitlines()]
    assert [(line["key"], line["to"]) for line in lines] == [("one", "13900000005"), ("two", "13900000006")]
    assert lines[0]["body"].startswith("【枫桥平台】催办提醒")


def test_an_unknown_backend_name_is_a_clear_error(settings):
    settings.FENGQIAO_SMS_BACKEND = "pigeon"
    with pytest.raises(DeliveryError, match="'pigeon' is not one of console, file, aliyun, tencent"):
        get_backend()


def test_aliyun_backend_refuses_a_message_without_a_number(aliyun):
    backend: AliyunBackend = get_backend()
    with pytest.raises(DeliveryError) as exc:
        backend.send(_text(phone=""))
    assert exc.value.permanent and aliyun.requests == 0
