"""Open311 GeoReport v2 on the wire: XML and JSON documents, the error shape, W3C dates.

Every response is built as plain Python data first (dicts, lists, scalars) and then rendered by
`render()` in the format the URL asked for. XML follows the spec's schemaless layout; JSON is its
Spark-convention mapping (a container of repeated children becomes a list). Text is escaped by
ElementTree and stripped of the characters XML 1.0 cannot carry, so no stored value can break a
document.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

FORMATS = ("xml", "json")
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
MIME_TYPES = ["text/xml", "application/json"]  # as listed in discovery

# XML 1.0 allows tab, newline, carriage return and everything from U+0020 except surrogates and
# U+FFFE/U+FFFF; anything else must not reach a document.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Many:
    """A container element holding repeated children of one name: `<values><value/>…</values>`
    in XML, a JSON list (the Spark convention)."""

    def __init__(self, child: str, items: Iterable[Any]):
        self.child = child
        self.items = list(items)


def clean_text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _scalar_text(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, dt.datetime):
        return w3c(value)
    return clean_text(str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, Many):
        for item in value.items:
            _fill(ET.SubElement(element, value.child), item)
    elif isinstance(value, Mapping):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    else:
        element.text = _scalar_text(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Many):
        return [_jsonable(v) for v in value.items]
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, dt.datetime):
        return w3c(value)
    if isinstance(value, str):
        return clean_text(value)
    return value


def to_xml(root: str, body: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, body)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8",
                                                                      xml_declaration=False)


def to_json(body: Any) -> bytes:
    return json.dumps(_jsonable(body), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def render(fmt: str, root: str, body: Any, *, status: int = 200) -> HttpResponse:
    """`root` names the XML root element; JSON drops it (a `Many` body becomes the top list)."""
    content = to_xml(root, body) if fmt == "xml" else to_json(body)
    response = HttpResponse(content, status=status, content_type=CONTENT_TYPES[fmt])
    response["Cache-Control"] = "no-store"
    return response


def render_errors(fmt: str, status: int, errors: list[tuple[int, str]]) -> HttpResponse:
    """`<errors><error><code/><description/></error>…</errors>` or `[{"code", "description"}]`."""
    body = Many("error", [{"code": code, "description": description} for code, description in errors])
    return render(fmt if fmt in FORMATS else "xml", "errors", body, status=status)


# ---------------------------------------------------------------------------------- W3C dates


def w3c(moment: dt.datetime) -> str:
    """`2026-11-22T09:30:00+08:00`: local time with its offset, whole seconds."""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


_W3C = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:T(?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(?P<tz>Z|[+-]\d{2}:\d{2}))?$"
)


def parse_w3c(raw: str) -> dt.datetime:
    """A W3C datetime with its zone (`Z` or `±hh:mm`), or a bare date (local midnight).

    A `+` in an unencoded query string arrives as a space; it is taken back. Raises ValueError."""
    text = raw.strip()
    text = re.sub(r" (\d{2}:\d{2})$", r"+\1", text)
    match = _W3C.match(text)
    if not match:
        raise ValueError(raw)
    if match["time"] is None:
        day = dt.date.fromisoformat(match["date"])
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    iso = f"{match['date']}T{match['time']}{'+00:00' if match['tz'] == 'Z' else match['tz']}"
    return dt.datetime.fromisoformat(iso)
