"""Text-message backends: how an outbox row becomes a text on somebody's phone.

Chosen by ``FENGQIAO_SMS_BACKEND``:

``console`` (default)
    Logs the text (phone masked) on the ``fengqiao.sms`` logger. For development.
``file``
    Appends one JSON line per text to ``FENGQIAO_SMS_FILE`` (default ``var/sms.log``); the demo
    reads it to show what went out.
``aliyun``
    Aliyun SMS ``SendSms`` (API version 2017-05-25) over HTTPS RPC, signed with the documented
    signature v1 (HMAC-SHA1 over the sorted, percent-encoded parameters). Settings:

    - ``FENGQIAO_ALIYUN_ACCESS_KEY_ID``, ``FENGQIAO_ALIYUN_ACCESS_KEY_SECRET`` (required)
    - ``FENGQIAO_ALIYUN_TEMPLATE_CODE``: the approved template (``SMS_123456789``) used for
      every message, unless ``FENGQIAO_ALIYUN_TEMPLATE_CODES`` maps our template name to
      another (``dispatched=SMS_1,overdue=SMS_2``)
    - ``FENGQIAO_ALIYUN_ENDPOINT`` (default ``https://dysmsapi.aliyuncs.com/``),
      ``FENGQIAO_ALIYUN_REGION`` (default ``cn-hangzhou``)
    - ``FENGQIAO_SMS_SIGN_NAME``: the approved signature (签名), shared with the other backends

    ``TemplateParam`` carries the variables of our template (``{code}``, ``{title}`` … become
    ``${code}``, ``${title}`` in the template registered with Aliyun); ``OutId`` carries the
    outbox row's idempotency key.
``tencent``
    Tencent Cloud SMS ``SendSms`` (API 3.0, version 2021-01-11) signed with TC3-HMAC-SHA256.
    Settings:

    - ``FENGQIAO_TENCENT_SECRET_ID``, ``FENGQIAO_TENCENT_SECRET_KEY``,
      ``FENGQIAO_TENCENT_SDK_APP_ID`` (required)
    - ``FENGQIAO_TENCENT_TEMPLATE_ID`` (default template) and ``FENGQIAO_TENCENT_TEMPLATE_IDS``
      (``dispatched=1234,overdue=5678``)
    - ``FENGQIAO_TENCENT_ENDPOINT`` (default ``https://sms.tencentcloudapi.com/``),
      ``FENGQIAO_TENCENT_REGION`` (default ``ap-guangzhou``)
    - ``FENGQIAO_SMS_SIGN_NAME``

    ``TemplateParamSet`` lists our template's variables in the order they appear in its body
    (``{1}``, ``{2}`` … in the template registered with Tencent); ``SessionContext`` carries the
    idempotency key.

``FENGQIAO_SMS_TIMEOUT`` (seconds, default 10) bounds every provider call. Provider refusals,
HTTP errors and timeouts raise :class:`DeliveryError` carrying the provider's code and message;
the worker retries with backoff (or gives up at once when the error is ``permanent``).

Note: Aliyun echoes ``OutId`` and Tencent echoes ``SessionContext`` in their delivery receipts,
which ties a receipt to the outbox row. Neither documents dropping a repeat with the same value,
so if a worker dies after the provider accepted a text and before the row was marked sent, the
retry can send that one text twice. The lease and compare-and-set claim keep this to that
narrow window.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import string
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings

from fengqiao.lib.masking import mask_phone
from fengqiao.notify.templates import TEMPLATES

logger = logging.getLogger("fengqiao.sms")


class DeliveryError(Exception):
    """A message could not be delivered. `permanent` errors are not retried."""

    def __init__(self, message: str, *, code: str = "", permanent: bool = False):
        super().__init__(f"{code}: {message}" if code else message)
        self.message = message
        self.code = code
        self.permanent = permanent


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    body: str  # the full text, as the console/file backends show it
    template: str  # our template name (fengqiao.notify.templates)
    params: dict[str, Any] = field(default_factory=dict)
    idempotency_key: str = ""


class SmsBackend(Protocol):
    name: str

    def send(self, message: SmsMessage) -> str:
        """Send one text; return the provider's id for it. Raise DeliveryError on failure."""
        ...


# ------------------------------------------------------------------------------ template params


def template_variables(template: str) -> list[str]:
    """Our template's variables in the order they appear in its body, without the signature."""
    names: list[str] = []
    if template not in TEMPLATES:
        return names
    for _literal, name, _spec, _conv in string.Formatter().parse(TEMPLATES[template][1]):
        if name and name != "sign" and name not in names:
            names.append(name)
    return names


def provider_params(message: SmsMessage) -> dict[str, str]:
    """The variables the provider template needs, as strings (all params for unknown templates)."""
    names = template_variables(message.template) or sorted(message.params)
    return {name: str(message.params.get(name, "")) for name in names}


def _template_map(value: str, setting: str) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        name, sep, code = item.partition("=")
        if not sep or not name.strip() or not code.strip():
            raise DeliveryError(
                f"{setting} must look like 'dispatched=SMS_1,overdue=SMS_2', got {item!r}",
                code="ImproperlyConfigured",
            )
        mapping[name.strip()] = code.strip()
    return mapping


def _provider_template(template: str, default: str, mapping: str, setting: str) -> str:
    chosen = _template_map(mapping, setting + "S").get(template) or default
    if not chosen:
        raise DeliveryError(
            f"no provider template for {template!r}: set {setting} (or {setting}S)",
            code="ImproperlyConfigured",
        )
    return chosen


def _require(**values: str) -> None:
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise DeliveryError(
            "missing settings: " + ", ".join(missing), code="ImproperlyConfigured"
        )


# ---------------------------------------------------------------------------------- transport


@dataclass
class HttpResult:
    status: int
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is answered as the 3xx it is: a signed POST must not be replayed elsewhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def http_request(url: str, *, data: bytes, headers: dict[str, str], timeout: float,
                 method: str = "POST") -> HttpResult:
    """One HTTP call with the stdlib. HTTP error statuses are returned, not raised; network
    failures and timeouts raise DeliveryError."""
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with _opener.open(request, timeout=timeout) as response:
            return HttpResult(response.status, response.read())
    except urllib.error.HTTPError as exc:
        return HttpResult(exc.code, exc.read() or b"")
    except TimeoutError:
        raise DeliveryError(f"no answer within {timeout:g}s from {url}", code="Timeout") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise DeliveryError(f"no answer within {timeout:g}s from {url}", code="Timeout") from None
        raise DeliveryError(f"cannot reach {url}: {reason}", code="ConnectionError") from None
    except (ConnectionError, OSError) as exc:
        raise DeliveryError(f"connection to {url} failed: {exc}", code="ConnectionError") from None


# ------------------------------------------------------------------------- console and file


class ConsoleBackend:
    name = "console"

    def send(self, message: SmsMessage) -> str:
        logger.info("SMS to %s: %s", mask_phone(message.phone), message.body)
        return f"console-{message.idempotency_key}"


_file_lock = threading.Lock()


class FileBackend:
    """One JSON line per text: {"at", "to", "template", "params", "body", "key"}."""

    name = "file"

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def send(self, message: SmsMessage) -> str:
        line = json.dumps(
            {
                "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "to": message.phone,
                "template": message.template,
                "params": message.params,
                "body": message.body,
                "key": message.idempotency_key,
            },
            ensure_ascii=False,
            default=str,
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with _file_lock, self.path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        except OSError as exc:
            raise DeliveryError(f"cannot write {self.path}: {exc}", code="FileError") from None
        return f"file-{message.idempotency_key}"


# ----------------------------------------------------------------------------------- Aliyun


def aliyun_percent_encode(value: str) -> str:
    """RFC 3986 encoding as Aliyun's RPC signature wants it: space → %20, * → %2A, ~ kept."""
    return urllib.parse.quote(str(value), safe="-_.~")


def aliyun_string_to_sign(method: str, params: dict[str, str]) -> str:
    canonical = "&".join(
        f"{aliyun_percent_encode(k)}={aliyun_percent_encode(v)}"
        for k, v in sorted(params.items())
        if k != "Signature"
    )
    return f"{method.upper()}&{aliyun_percent_encode('/')}&{aliyun_percent_encode(canonical)}"


def aliyun_signature(method: str, params: dict[str, str], access_key_secret: str) -> str:
    """Signature v1: base64(HMAC-SHA1(secret + "&", StringToSign))."""
    digest = hmac.new(
        (access_key_secret + "&").encode("utf-8"),
        aliyun_string_to_sign(method, params).encode("utf-8"),
        hashlib.sha1,
    ).digest()
    return base64.b64encode(digest).decode("ascii")


# Refusals that will not change on a retry (the number or the request itself is wrong).
ALIYUN_PERMANENT = {
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.MOBILE_COUNT_OVER_LIMIT",
    "isv.INVALID_PARAMETERS",
    "isv.INVALID_JSON_PARAM",
    "isv.PARAM_LENGTH_LIMIT",
    "isv.BLACK_KEY_CONTROL_LIMIT",
}


class AliyunBackend:
    name = "aliyun"
    version = "2017-05-25"

    def __init__(self, *, access_key_id: str, access_key_secret: str, sign_name: str,
                 template_code: str, template_codes: str = "", endpoint: str,
                 region: str = "cn-hangzhou", timeout: float = 10,
                 now: Callable[[], dt.datetime] | None = None):
        _require(
            FENGQIAO_ALIYUN_ACCESS_KEY_ID=access_key_id,
            FENGQIAO_ALIYUN_ACCESS_KEY_SECRET=access_key_secret,
            FENGQIAO_SMS_SIGN_NAME=sign_name,
            FENGQIAO_ALIYUN_ENDPOINT=endpoint,
        )
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.sign_name = sign_name
        self.template_code = template_code
        self.template_codes = template_codes
        self.endpoint = endpoint
        self.region = region
        self.timeout = timeout
        self._now = now or (lambda: dt.datetime.now(dt.UTC))

    def build_params(self, message: SmsMessage) -> dict[str, str]:
        params = {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "RegionId": self.region,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": self._now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": self.version,
            "PhoneNumbers": _domestic_number(message.phone),
            "SignName": self.sign_name,
            "TemplateCode": _provider_template(
                message.template, self.template_code, self.template_codes,
                "FENGQIAO_ALIYUN_TEMPLATE_CODE",
            ),
            "TemplateParam": json.dumps(provider_params(message), ensure_ascii=False),
            "OutId": message.idempotency_key,
        }
        params["Signature"] = aliyun_signature("POST", params, self.access_key_secret)
        return params

    def send(self, message: SmsMessage) -> str:
        if not message.phone:
            raise DeliveryError("the message has no phone number", code="NoRecipient", permanent=True)
        params = self.build_params(message)
        result = http_request(
            self.endpoint,
            data=urllib.parse.urlencode(params).encode("ascii"),
            headers={
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "Accept": "application/json",
            },
            timeout=self.timeout,
        )
        payload = result.json()
        if not isinstance(payload, dict):
            raise DeliveryError(
                f"HTTP {result.status} with an unreadable body: {result.body[:200]!r}",
                code=f"HTTP{result.status}",
            )
        code = str(payload.get("Code", ""))
        if result.status == 200 and code == "OK":
            return str(payload.get("BizId") or payload.get("RequestId") or "")
        raise DeliveryError(
            str(payload.get("Message") or f"HTTP {result.status}"),
            code=code or f"HTTP{result.status}",
            permanent=code in ALIYUN_PERMANENT,
        )


# ---------------------------------------------------------------------------------- Tencent

TC3_ALGORITHM = "TC3-HMAC-SHA256"
TC3_CONTENT_TYPE = "application/json; charset=utf-8"


def tc3_canonical_request(*, method: str, path: str, query: str, headers: dict[str, str],
                          signed_headers: list[str], payload: bytes) -> str:
    """CanonicalRequest: names and values lowercased and trimmed, in the signed-header order."""
    lowered = {k.lower(): v for k, v in headers.items()}
    canonical_headers = "".join(
        f"{name}:{lowered.get(name, '').strip().lower()}\n" for name in signed_headers
    )
    return "\n".join([
        method.upper(),
        path or "/",
        query,
        canonical_headers,
        ";".join(signed_headers),
        hashlib.sha256(payload).hexdigest(),
    ])


def tc3_string_to_sign(*, timestamp: int, service: str, canonical_request: str) -> str:
    date = dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d")
    return "\n".join([
        TC3_ALGORITHM,
        str(timestamp),
        f"{date}/{service}/tc3_request",
        hashlib.sha256(canonical_request.encode("utf-8")).hexdigest(),
    ])


def tc3_signing_key(secret_key: str, date: str, service: str) -> bytes:
    def _hmac(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()

    return _hmac(_hmac(_hmac(("TC3" + secret_key).encode("utf-8"), date), service), "tc3_request")


def tc3_signature(signing_key: bytes, string_to_sign: str) -> str:
    return hmac.new(signing_key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def tc3_headers(*, secret_id: str, secret_key: str, service: str, host: str, action: str,
                version: str, region: str, payload: bytes, timestamp: int) -> dict[str, str]:
    """The request headers of a signed Tencent Cloud API 3.0 call."""
    headers = {"Content-Type": TC3_CONTENT_TYPE, "Host": host, "X-TC-Action": action}
    signed = ["content-type", "host", "x-tc-action"]
    canonical = tc3_canonical_request(
        method="POST", path="/", query="", headers=headers, signed_headers=signed, payload=payload
    )
    to_sign = tc3_string_to_sign(timestamp=timestamp, service=service, canonical_request=canonical)
    date = dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d")
    signature = tc3_signature(tc3_signing_key(secret_key, date, service), to_sign)
    headers.update({
        "Authorization": (
            f"{TC3_ALGORITHM} Credential={secret_id}/{date}/{service}/tc3_request, "
            f"SignedHeaders={';'.join(signed)}, Signature={signature}"
        ),
        "X-TC-Timestamp": str(timestamp),
        "X-TC-Version": version,
        "X-TC-Region": region,
    })
    return headers


# Refusals that will not change on a retry.
TENCENT_PERMANENT_PREFIXES = (
    "InvalidParameterValue.IncorrectPhoneNumber",
    "InvalidParameterValue.TemplateParameterFormatError",
    "InvalidParameterValue.TemplateParameterLengthLimit",
    "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber",
    "FailedOperation.PhoneNumberInBlacklist",
    "FailedOperation.PhoneNumberParseFail",
)


class TencentBackend:
    name = "tencent"
    service = "sms"
    version = "2021-01-11"

    def __init__(self, *, secret_id: str, secret_key: str, sdk_app_id: str, sign_name: str,
                 template_id: str, template_ids: str = "", endpoint: str,
                 region: str = "ap-guangzhou", timeout: float = 10,
                 clock: Callable[[], float] | None = None):
        _require(
            FENGQIAO_TENCENT_SECRET_ID=secret_id,
            FENGQIAO_TENCENT_SECRET_KEY=secret_key,
            FENGQIAO_TENCENT_SDK_APP_ID=sdk_app_id,
            FENGQIAO_SMS_SIGN_NAME=sign_name,
            FENGQIAO_TENCENT_ENDPOINT=endpoint,
        )
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.sdk_app_id = sdk_app_id
        self.sign_name = sign_name
        self.template_id = template_id
        self.template_ids = template_ids
        self.endpoint = endpoint
        self.host = urllib.parse.urlsplit(endpoint).netloc
        self.region = region
        self.timeout = timeout
        self._clock = clock or time.time

    def build_payload(self, message: SmsMessage) -> dict[str, Any]:
        params = provider_params(message)
        return {
            "PhoneNumberSet": [_e164(message.phone)],
            "SmsSdkAppId": self.sdk_app_id,
            "SignName": self.sign_name,
            "TemplateId": _provider_template(
                message.template, self.template_id, self.template_ids,
                "FENGQIAO_TENCENT_TEMPLATE_ID",
            ),
            "TemplateParamSet": list(params.values()),
            "SessionContext": message.idempotency_key,
        }

    def send(self, message: SmsMessage) -> str:
        if not message.phone:
            raise DeliveryError("the message has no phone number", code="NoRecipient", permanent=True)
        body = json.dumps(self.build_payload(message), ensure_ascii=False).encode("utf-8")
        headers = tc3_headers(
            secret_id=self.secret_id, secret_key=self.secret_key, service=self.service,
            host=self.host, action="SendSms", version=self.version, region=self.region,
            payload=body, timestamp=int(self._clock()),
        )
        result = http_request(self.endpoint, data=body, headers=headers, timeout=self.timeout)
        payload = result.json()
        response = payload.get("Response") if isinstance(payload, dict) else None
        if not isinstance(response, dict):
            raise DeliveryError(
                f"HTTP {result.status} with an unreadable body: {result.body[:200]!r}",
                code=f"HTTP{result.status}",
            )
        error = response.get("Error")
        if isinstance(error, dict):
            code = str(error.get("Code", ""))
            raise DeliveryError(
                str(error.get("Message", "")), code=code or f"HTTP{result.status}",
                permanent=code.startswith(TENCENT_PERMANENT_PREFIXES),
            )
        statuses = response.get("SendStatusSet") or []
        if not statuses or not isinstance(statuses[0], dict):
            raise DeliveryError(f"no send status in the answer (HTTP {result.status})", code="NoStatus")
        status = statuses[0]
        code = str(status.get("Code", ""))
        if code != "Ok":
            raise DeliveryError(
                str(status.get("Message", "")), code=code or "Unknown",
                permanent=code.startswith(TENCENT_PERMANENT_PREFIXES),
            )
        return str(status.get("SerialNo") or response.get("RequestId") or "")


# ------------------------------------------------------------------------------ the choice


def _domestic_number(phone: str) -> str:
    digits = phone.strip().replace(" ", "").replace("-", "")
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits


def _e164(phone: str) -> str:
    number = phone.strip().replace(" ", "").replace("-", "")
    return number if number.startswith("+") else "+86" + number


BACKENDS = ("console", "file", "aliyun", "tencent")


def get_backend(name: str | None = None) -> SmsBackend:
    """The configured backend (settings read on every call, so overrides take effect)."""
    name = name or settings.FENGQIAO_SMS_BACKEND
    timeout = float(settings.FENGQIAO_SMS_TIMEOUT)
    if name == "console":
        return ConsoleBackend()
    if name == "file":
        return FileBackend(settings.FENGQIAO_SMS_FILE)
    if name == "aliyun":
        return AliyunBackend(
            access_key_id=settings.FENGQIAO_ALIYUN_ACCESS_KEY_ID,
            access_key_secret=settings.FENGQIAO_ALIYUN_ACCESS_KEY_SECRET,
            sign_name=settings.FENGQIAO_SMS_SIGN_NAME,
            template_code=settings.FENGQIAO_ALIYUN_TEMPLATE_CODE,
            template_codes=settings.FENGQIAO_ALIYUN_TEMPLATE_CODES,
            endpoint=settings.FENGQIAO_ALIYUN_ENDPOINT,
            region=settings.FENGQIAO_ALIYUN_REGION,
            timeout=timeout,
        )
    if name == "tencent":
        return TencentBackend(
            secret_id=settings.FENGQIAO_TENCENT_SECRET_ID,
            secret_key=settings.FENGQIAO_TENCENT_SECRET_KEY,
            sdk_app_id=settings.FENGQIAO_TENCENT_SDK_APP_ID,
            sign_name=settings.FENGQIAO_SMS_SIGN_NAME,
            template_id=settings.FENGQIAO_TENCENT_TEMPLATE_ID,
            template_ids=settings.FENGQIAO_TENCENT_TEMPLATE_IDS,
            endpoint=settings.FENGQIAO_TENCENT_ENDPOINT,
            region=settings.FENGQIAO_TENCENT_REGION,
            timeout=timeout,
        )
    raise DeliveryError(
        f"FENGQIAO_SMS_BACKEND={name!r} is not one of {', '.join(BACKENDS)}",
        code="ImproperlyConfigured",
    )
