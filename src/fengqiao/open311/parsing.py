"""Reading a POST requests body into fields and attributes.

The spec sends `application/x-www-form-urlencoded` (`attribute[CODE]=v`, and for a
multivaluelist `attribute[CODE][]=a&attribute[CODE][]=b`). Multipart forms are read the same way.
We also take a JSON object with the same names (`"attribute": {"CODE": "v" | ["a", "b"]}`) and an
XML document whose root's children are the same names, attributes written
`<attribute><code>CODE</code><value>a</value>…</attribute>` (optionally inside `<attributes>`).
Any body that does not parse is a 400 in the spec's error shape; nothing is written.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET  # the Element type only; parsing goes through defusedxml
from dataclasses import dataclass, field

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest
from django.utils.translation import gettext as _

from fengqiao.lib.errors import InvalidInput
from fengqiao.lib.inputs import MAX_JSON_DEPTH, check_json
from fengqiao.open311.errors import Open311Error

MAX_BODY_BYTES = 256 * 1024
_ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


@dataclass
class Submission:
    fields: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, list[str]] = field(default_factory=dict)


def _bad(message: str) -> Open311Error:
    return Open311Error(400, message)


def _add_attribute(sub: Submission, code: str, values: list[str]) -> None:
    sub.attributes.setdefault(code.strip(), []).extend(values)


def _scalar(name: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise _bad(_("“%(field)s” must be a single value.") % {"field": name})


def read_submission(request: HttpRequest) -> Submission:
    content_type = (request.content_type or "").lower()
    try:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > MAX_BODY_BYTES:
            raise _bad(_("The request body is larger than %(n)d KB.") % {"n": MAX_BODY_BYTES // 1024})
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data", ""):
            # Read as a form (the request middleware has already parsed it, so not from `body`).
            return _from_form(request)
        if len(request.body) > MAX_BODY_BYTES:
            raise _bad(_("The request body is larger than %(n)d KB.") % {"n": MAX_BODY_BYTES // 1024})
        if content_type == "application/json":
            return _from_json(request.body)
        if content_type in ("text/xml", "application/xml"):
            return _from_xml(request.body)
    except InvalidInput as exc:  # a NUL, too deep a nesting: the spec's 400
        raise _bad(exc.message) from None
    except (RequestDataTooBig, SuspiciousOperation):
        raise _bad(_("The request body could not be read (too large or too many fields).")) from None
    raise _bad(_("Send the request as application/x-www-form-urlencoded (or JSON or XML), not %(t)s.")
               % {"t": content_type})


def _from_form(request: HttpRequest) -> Submission:
    sub = Submission()
    data = request.POST
    for key in data:
        match = _ATTRIBUTE_KEY.match(key)
        if match:
            _add_attribute(sub, match[1], data.getlist(key))
        elif key == "attribute" or key.startswith("attribute["):
            raise _bad(_("Attributes are sent as attribute[CODE]=value; “%(k)s” is not.") % {"k": key})
        else:
            sub.fields[key] = data.get(key, "")
    return sub


def _from_json(body: bytes) -> Submission:
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise _bad(_("The request body is not UTF-8.")) from None
    except json.JSONDecodeError as exc:
        raise _bad(_("The JSON body is malformed (line %(line)d, column %(col)d): %(msg)s.")
                   % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}) from None
    except RecursionError:  # 100,000 brackets: the C parser gives up
        raise _bad(_("The JSON body is nested deeper than %(n)d levels.") % {"n": MAX_JSON_DEPTH}) from None
    check_json(data)  # InvalidInput (→ 400) for a NUL anywhere or too deep a nesting
    if not isinstance(data, dict):
        raise _bad(_("The JSON body must be an object of fields."))
    sub = Submission()
    for key, value in data.items():
        match = _ATTRIBUTE_KEY.match(key)
        if key == "attribute":
            if not isinstance(value, dict):
                raise _bad(_("“attribute” must be an object of CODE: value."))
            for code, given in value.items():
                items = given if isinstance(given, list) else [given]
                _add_attribute(sub, code, [_scalar(f"attribute[{code}]", v) for v in items])
        elif match:
            items = value if isinstance(value, list) else [value]
            _add_attribute(sub, match[1], [_scalar(key, v) for v in items])
        else:
            sub.fields[key] = _scalar(key, value)
    return sub


def _from_xml(body: bytes) -> Submission:
    try:
        # defusedxml: no document types, entities or external references (billion laughs, XXE).
        root = SafeET.fromstring(body, forbid_dtd=True)
    except DefusedXmlException:
        raise _bad(_("XML with a document type or entities is not accepted.")) from None
    except ET.ParseError as exc:
        line, col = exc.position
        raise _bad(_("The XML body is malformed (line %(line)d, column %(col)d).")
                   % {"line": line, "col": col}) from None
    if _depth(root) > 4:
        raise _bad(_("The XML body is nested too deeply."))
    sub = Submission()
    for child in root:
        if child.tag == "attributes":
            for item in child:
                _xml_attribute(sub, item)
        elif child.tag == "attribute":
            _xml_attribute(sub, child)
        elif len(child):
            raise _bad(_("“%(field)s” must be a single value.") % {"field": child.tag})
        else:
            sub.fields[child.tag] = child.text or ""
    return sub


def _depth(element: ET.Element) -> int:
    deepest, stack = 1, [(element, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node)
    return deepest


def _xml_attribute(sub: Submission, element: ET.Element) -> None:
    code = (element.findtext("code") or element.get("code") or "").strip()
    if element.tag != "attribute" or not code:
        raise _bad(_("Each attribute is <attribute><code>CODE</code><value>…</value></attribute>."))
    values = [v.text or "" for v in element.findall("value")]
    _add_attribute(sub, code, values)
