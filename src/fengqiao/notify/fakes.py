"""Local stand-ins for the SMS providers and for a webhook receiver, for tests and the demo.

Each is a small threaded HTTP server on 127.0.0.1 (a random free port) that checks requests the
way the real service does — the Aliyun RPC signature v1, the Tencent TC3-HMAC-SHA256 signature,
the timestamp window, the credentials — and answers in the provider's own JSON shapes, so the
real backends in ``backends.py`` are exercised end to end. The signature checks here are written
independently of the backends' signing code, from the providers' documents.

They record what they delivered (one message per idempotency key: a repeat with the same
``OutId`` / ``SessionContext`` / ``Idempotency-Key`` is answered as before but not delivered
again, and counted in ``duplicates``), and can be told to refuse the next N calls
(:meth:`FakeServer.fail_next`) or to sit on them (:meth:`FakeServer.slow_next`). Dropping repeats
is what a webhook receiver is asked to do with ``Idempotency-Key``; Aliyun and Tencent echo
``OutId`` / ``SessionContext`` but do not promise it (see ``backends.py``), so tests count
``requests`` and ``duplicates`` too, to see how many calls the worker really made.

Usage::

    with FakeAliyunSms() as fake:
        settings.FENGQIAO_ALIYUN_ENDPOINT = fake.url
        ...
        assert fake.delivered_keys() == [row.idempotency_key]
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class _Trouble:
    kind: str  # "fail" or "slow"
    status: int | None = None
    code: str | None = None
    message: str | None = None
    seconds: float = 0.0


class FakeServer:
    """The common part: the server thread, the record, the trouble queue."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []  # delivered, one per idempotency key
        self.requests = 0  # every request received
        self.duplicates = 0  # accepted repeats of an idempotency key (not delivered again)
        self.rejected: list[dict[str, Any]] = []  # refusals: {"status", "code", "message"}
        self._answers: dict[str, dict[str, Any]] = {}  # idempotency key → first answer
        self._trouble: list[_Trouble] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle

    def start(self) -> FakeServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, payload = fake._dispatch(self.command, self.path, self.headers, body)
                raw = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json;charset=utf-8")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout) or died

            do_GET = _serve
            do_POST = _serve

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        server = self._server
        self._thread = threading.Thread(target=lambda: server.serve_forever(poll_interval=0.05),
                                        name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the fake first"
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    # -- what tests ask

    def fail_next(self, n: int = 1, *, code: str | None = None, message: str | None = None,
                  status: int | None = None) -> None:
        """Refuse the next `n` well-signed calls with the provider's error (or the one given)."""
        with self._lock:
            self._trouble.extend(_Trouble("fail", status, code, message) for _ in range(n))

    def slow_next(self, n: int = 1, *, seconds: float) -> None:
        """Take the next `n` calls (deliver them) but answer only after `seconds`."""
        with self._lock:
            self._trouble.extend(_Trouble("slow", seconds=seconds) for _ in range(n))

    def delivered_keys(self) -> list[str]:
        with self._lock:
            return [m["key"] for m in self.messages]

    # -- the request path

    def _dispatch(self, method: str, path: str, headers, body: bytes) -> tuple[int, dict]:
        with self._lock:
            self.requests += 1
        status, payload, trouble = self.handle(method, path, headers, body)
        if trouble is not None and trouble.kind == "slow":
            self._stopping.wait(trouble.seconds)
        return status, payload

    def _next_trouble(self) -> _Trouble | None:
        with self._lock:
            return self._trouble.pop(0) if self._trouble else None

    def _reject(self, status: int, code: str, message: str) -> None:
        with self._lock:
            self.rejected.append({"status": status, "code": code, "message": message})

    def _deliver(self, key: str, record: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
        """Record a message once per key; a repeat gets the first answer back."""
        with self._lock:
            if key and key in self._answers:
                self.duplicates += 1
                return self._answers[key]
            self.messages.append({**record, "key": key, "at": time.time()})
            if key:
                self._answers[key] = answer
            return answer

    def handle(self, method: str, path: str, headers, body: bytes):
        raise NotImplementedError


# ----------------------------------------------------------------------------------- Aliyun


def _pct(value: str) -> str:
    # Aliyun's POP encoding: URL-encode in UTF-8, then "+" → "%20", "*" → "%2A", "%7E" → "~".
    return (
        urllib.parse.quote_plus(value, encoding="utf-8")
        .replace("+", "%20").replace("*", "%2A").replace("%7E", "~")
    )


def aliyun_expected_signature(method: str, params: dict[str, str], secret: str) -> tuple[str, str]:
    """(signature, string to sign) as Aliyun's gateway computes them for signature v1."""
    query = "&".join(f"{_pct(k)}={_pct(params[k])}" for k in sorted(params) if k != "Signature")
    to_sign = method + "&" + _pct("/") + "&" + _pct(query)
    mac = hmac.new((secret + "&").encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii"), to_sign


class FakeAliyunSms(FakeServer):
    """Aliyun ``dysmsapi`` ``SendSms`` (2017-05-25): GET query or POST form, signature v1."""

    COMMON = ("AccessKeyId", "Action", "SignatureMethod", "SignatureNonce", "SignatureVersion",
              "Timestamp", "Version", "Signature")

    def __init__(self, *, access_key_id: str = "LTAI-fake-id", access_key_secret: str = "fake-secret",
                 sign_names: set[str] | None = None, template_codes: set[str] | None = None,
                 window_seconds: int = 900) -> None:
        super().__init__()
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.sign_names = sign_names  # None: any
        self.template_codes = template_codes  # None: any
        self.window_seconds = window_seconds
        self._nonces: set[str] = set()

    def _error(self, status: int, code: str, message: str):
        self._reject(status, code, message)
        return status, {"RequestId": str(uuid.uuid4()).upper(), "HostId": "dysmsapi.aliyuncs.com",
                        "Code": code, "Message": message}, None

    def handle(self, method, path, headers, body):
        if method == "POST":
            raw = body.decode("utf-8", "replace")
        else:
            raw = urllib.parse.urlsplit(path).query
        params = dict(urllib.parse.parse_qsl(raw, keep_blank_values=True, encoding="utf-8"))
        for name in self.COMMON:
            if not params.get(name):
                return self._error(400, f"Missing{name}", f"{name} is mandatory for this action.")
        if params["AccessKeyId"] != self.access_key_id:
            return self._error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        if params["SignatureMethod"] != "HMAC-SHA1" or params["SignatureVersion"] != "1.0":
            return self._error(400, "InvalidParameter.SignatureMethod",
                               "Specified signature method or version is not supported.")
        try:
            stamp = dt.datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        except ValueError:
            return self._error(400, "InvalidTimeStamp.Format",
                               "Specified time stamp or date value is not well formatted.")
        if abs((dt.datetime.now(dt.UTC) - stamp).total_seconds()) > self.window_seconds:
            return self._error(400, "InvalidTimeStamp.Expired",
                               "Specified time stamp or date value is expired.")
        expected, to_sign = aliyun_expected_signature(method, params, self.access_key_secret)
        if not hmac.compare_digest(expected, params["Signature"]):
            return self._error(400, "SignatureDoesNotMatch",
                               "Specified signature is not matched with our calculation. "
                               f"server string to sign is:{to_sign}")
        with self._lock:
            if params["SignatureNonce"] in self._nonces:
                nonce_used = True
            else:
                nonce_used = False
                self._nonces.add(params["SignatureNonce"])
        if nonce_used:
            return self._error(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
        if params["Action"] != "SendSms":
            return self._error(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
        if params["Version"] != "2017-05-25":
            return self._error(400, "InvalidVersion", "Specified parameter Version is not valid.")

        trouble = self._next_trouble()
        if trouble is not None and trouble.kind == "fail":
            return self._error(trouble.status or 200, trouble.code or "isv.BUSINESS_LIMIT_CONTROL",
                               trouble.message or "触发分钟级流控Permits:1")
        phone = params.get("PhoneNumbers", "")
        if not re.fullmatch(r"1\d{10}", phone):
            return self._error(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if not params.get("SignName") or (self.sign_names is not None and params["SignName"] not in self.sign_names):
            return self._error(200, "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        if not params.get("TemplateCode") or (
            self.template_codes is not None and params["TemplateCode"] not in self.template_codes
        ):
            return self._error(200, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        try:
            template_params = json.loads(params.get("TemplateParam") or "{}")
        except ValueError:
            template_params = None
        if not isinstance(template_params, dict) or not all(
            isinstance(v, str) for v in template_params.values()
        ):
            return self._error(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")

        answer = {"Message": "OK", "RequestId": str(uuid.uuid4()).upper(),
                  "BizId": f"{int(time.time() * 1000)}^{len(self.messages)}", "Code": "OK"}
        answer = self._deliver(
            params.get("OutId", ""),
            {"phone": phone, "sign_name": params["SignName"], "template": params["TemplateCode"],
             "params": template_params},
            answer,
        )
        return 200, answer, trouble


# ---------------------------------------------------------------------------------- Tencent

_AUTH = re.compile(
    r"TC3-HMAC-SHA256 Credential=(?P<id>[^/\s]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<service>[a-z]+)"
    r"/tc3_request, SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<signature>[0-9a-f]{64})"
)


def tencent_expected_signature(*, secret_key: str, method: str, path: str, query: str,
                               headers: dict[str, str], signed: list[str], body: bytes,
                               timestamp: str, date: str, service: str) -> str:
    """The TC3-HMAC-SHA256 signature as Tencent Cloud's gateway computes it."""
    canonical_headers = "".join(f"{h}:{headers.get(h, '').strip().lower()}\n" for h in signed)
    canonical = (f"{method}\n{path}\n{query}\n{canonical_headers}\n{';'.join(signed)}\n"
                 f"{hashlib.sha256(body).hexdigest()}")
    to_sign = (f"TC3-HMAC-SHA256\n{timestamp}\n{date}/{service}/tc3_request\n"
               f"{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}")
    key = ("TC3" + secret_key).encode("utf-8")
    for part in (date, service, "tc3_request"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


class FakeTencentSms(FakeServer):
    """Tencent Cloud SMS ``SendSms`` (API 3.0, 2021-01-11): JSON POST, TC3-HMAC-SHA256."""

    def __init__(self, *, secret_id: str = "AKID-fake-id", secret_key: str = "fake-key",
                 sdk_app_id: str = "1400000000", sign_names: set[str] | None = None,
                 template_ids: set[str] | None = None, window_seconds: int = 300) -> None:
        super().__init__()
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.sdk_app_id = sdk_app_id
        self.sign_names = sign_names
        self.template_ids = template_ids
        self.window_seconds = window_seconds

    def _error(self, code: str, message: str):
        self._reject(200, code, message)
        return 200, {"Response": {"Error": {"Code": code, "Message": message},
                                  "RequestId": str(uuid.uuid4())}}, None

    def handle(self, method, path, headers, body):
        if method != "POST":
            return self._error("UnsupportedProtocol", "HTTP GET with a JSON body is not supported.")
        auth = _AUTH.fullmatch((headers.get("Authorization") or "").strip())
        if auth is None:
            return self._error("AuthFailure.InvalidAuthorization", "Authorization is invalid.")
        if auth["id"] != self.secret_id:
            return self._error("AuthFailure.SecretIdNotFound",
                               "The SecretId is not found, please ensure that your SecretId is correct.")
        timestamp = headers.get("X-TC-Timestamp") or ""
        if not timestamp.isdigit():
            return self._error("InvalidParameter", "X-TC-Timestamp is invalid.")
        if abs(time.time() - int(timestamp)) > self.window_seconds:
            return self._error("AuthFailure.SignatureExpire",
                               "Signature expire. Timestamp is out of the 5 minute window.")
        signed = auth["signed"].split(";")
        date = dt.datetime.fromtimestamp(int(timestamp), dt.UTC).strftime("%Y-%m-%d")
        lowered = {k.lower(): v for k, v in headers.items()}
        expected = tencent_expected_signature(
            secret_key=self.secret_key, method=method, path=urllib.parse.urlsplit(path).path or "/",
            query=urllib.parse.urlsplit(path).query, headers=lowered, signed=signed, body=body,
            timestamp=timestamp, date=date, service="sms",
        )
        if (
            auth["date"] != date or auth["service"] != "sms"
            or not {"content-type", "host"} <= set(signed)
            or not hmac.compare_digest(expected, auth["signature"])
        ):
            return self._error("AuthFailure.SignatureFailure",
                               "The provided credentials could not be validated. "
                               "Please check your signature is correct.")
        if headers.get("X-TC-Action") != "SendSms":
            return self._error("InvalidAction", f"The action {headers.get('X-TC-Action')!r} does not exist.")
        if headers.get("X-TC-Version") != "2021-01-11":
            return self._error("NoSuchVersion", "The version does not exist.")
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return self._error("InvalidParameter", "The request body is not valid JSON.")
        if payload.get("SmsSdkAppId") != self.sdk_app_id:
            return self._error("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId不存在。")
        if not payload.get("SignName") or (self.sign_names is not None and payload["SignName"] not in self.sign_names):
            return self._error("FailedOperation.SignatureIncorrectOrUnapproved", "签名未审批或格式错误。")
        if not payload.get("TemplateId") or (
            self.template_ids is not None and payload["TemplateId"] not in self.template_ids
        ):
            return self._error("FailedOperation.TemplateIncorrectOrUnapproved", "模板未审批或内容不匹配。")
        template_params = payload.get("TemplateParamSet") or []
        if not isinstance(template_params, list) or not all(isinstance(v, str) for v in template_params):
            return self._error("InvalidParameterValue.TemplateParameterFormatError", "验证码模板参数格式错误。")
        numbers = payload.get("PhoneNumberSet") or []
        if not isinstance(numbers, list) or not numbers:
            return self._error("MissingParameter", "PhoneNumberSet is required.")

        trouble = self._next_trouble()
        if trouble is not None and trouble.kind == "fail" and trouble.code and trouble.code.startswith(
            ("InternalError", "AuthFailure", "RequestLimitExceeded")
        ):
            return self._error(trouble.code, trouble.message or "内部错误。")
        key = str(payload.get("SessionContext") or "")
        statuses = []
        for number in numbers:
            status = {"SerialNo": "", "PhoneNumber": number, "Fee": 0, "SessionContext": key,
                      "IsoCode": "CN"}
            if trouble is not None and trouble.kind == "fail":
                code = trouble.code or "LimitExceeded.PhoneNumberThirtySecondLimit"
                message = trouble.message or "单个手机号30秒内下发短信条数超过设定的上限。"
                self._reject(200, code, message)
                status.update(Code=code, Message=message)
            elif not re.fullmatch(r"\+861\d{10}", str(number)):
                self._reject(200, "InvalidParameterValue.IncorrectPhoneNumber", "手机号格式错误。")
                status.update(Code="InvalidParameterValue.IncorrectPhoneNumber", Message="手机号格式错误。",
                              IsoCode="")
            else:
                answer = self._deliver(
                    key,
                    {"phone": number, "sign_name": payload["SignName"], "template": payload["TemplateId"],
                     "params": template_params},
                    {"SerialNo": f"2028:{uuid.uuid4().int % 10**20}", "Fee": 1},
                )
                status.update(Code="Ok", Message="send success", **answer)
            statuses.append(status)
        return 200, {"Response": {"SendStatusSet": statuses, "RequestId": str(uuid.uuid4())}}, trouble


# ---------------------------------------------------------------------------- webhook receiver


class FakeWebhookReceiver(FakeServer):
    """A receiver that checks ``X-Fengqiao-Signature`` and drops repeats of ``Idempotency-Key``.

    Answers 401 to a bad or stale signature, 200 to a delivery (and to a repeat)."""

    def __init__(self, *, secret: str, window_seconds: int = 300) -> None:
        super().__init__()
        self.secret = secret
        self.window_seconds = window_seconds

    def handle(self, method, path, headers, body):
        if method != "POST":
            self._reject(405, "method", method)
            return 405, {"error": "POST only"}, None
        timestamp = headers.get("X-Fengqiao-Timestamp") or ""
        given = headers.get("X-Fengqiao-Signature") or ""
        mac = hmac.new(self.secret.encode("utf-8"), timestamp.encode("ascii", "replace") + b"." + body,
                       hashlib.sha256).hexdigest()
        fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) <= self.window_seconds
        if not fresh or not hmac.compare_digest("sha256=" + mac, given):
            self._reject(401, "signature", "bad or stale signature")
            return 401, {"error": "bad signature"}, None
        trouble = self._next_trouble()
        if trouble is not None and trouble.kind == "fail":
            self._reject(trouble.status or 503, trouble.code or "unavailable", trouble.message or "")
            return trouble.status or 503, {"error": trouble.message or "unavailable"}, None
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            self._reject(400, "json", "not JSON")
            return 400, {"error": "not JSON"}, None
        self._deliver(headers.get("Idempotency-Key") or "",
                      {"path": path, "payload": payload, "raw": body, "headers": dict(headers.items())}, {})
        return 200, {"ok": True}, trouble
