"""Checks every input goes through before anything reads it: no NUL characters, JSON of a bounded
depth, numbers within bounds.

PostgreSQL cannot store a NUL (U+0000) in a text column, SQLite stores it silently and later
breaks whatever compares or exports the value; no field of the platform means one. The request
middleware (`config.middleware.RejectBadInputMiddleware`) checks the path, the query string and
form fields of every request; `loads_json` checks every JSON body (ninja's parser, the intake feed,
Open311). Both raise `InvalidInput` naming the field, which the API answers as a 400.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from fengqiao.lib.errors import InvalidInput

NUL = "\x00"
# Deeper than any document the platform takes (a feed is 3 levels, GeoJSON about 6); a body
# nested thousands deep is an attack on the parser's recursion, not a matter.
MAX_JSON_DEPTH = 32
# The largest page number any list accepts; a higher one is a 400 (an OFFSET beyond the largest
# 64-bit integer is an error in PostgreSQL and SQLite alike).
MAX_PAGE = 100_000
# The largest id or count any JSON number may carry: a 64-bit signed integer (the database's).
MAX_INT = 2**63 - 1


def nul_message(field: str) -> str:
    return _("%(field)s: contains a NUL character (\\u0000), which no field accepts.") % {"field": field}


def check_text(field: str, value: str) -> None:
    if NUL in value:
        raise InvalidInput(nul_message(field), field=field)


def first_nul(pairs: Iterable[tuple[str, str]]) -> str | None:
    """The name of the first (name, value) pair whose name or value holds a NUL."""
    for name, value in pairs:
        if NUL in name or NUL in value:
            return name.replace(NUL, "\\u0000")
    return None


def _path(parent: str, key: object) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else str(key)


def check_json(data: Any, *, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Walk parsed JSON without recursion: refuse a NUL in any key or string and nesting deeper
    than `max_depth`."""
    stack: list[tuple[str, Any, int]] = [("", data, 1)]
    while stack:
        where, value, depth = stack.pop()
        if isinstance(value, str):
            if NUL in value:
                raise InvalidInput(nul_message(where or "body"), field=where or "body")
            continue
        if isinstance(value, int) and not isinstance(value, bool) and not -MAX_INT - 1 <= value <= MAX_INT:
            # No id, count or day number of ours is beyond a 64-bit integer (the database's).
            name = where or "body"
            raise InvalidInput(_("%(field)s: must be between %(low)d and %(high)d.")
                               % {"field": name, "low": -MAX_INT - 1, "high": MAX_INT}, field=name)
        if isinstance(value, dict | list):
            if depth > max_depth:
                raise InvalidInput(_("The JSON body is nested deeper than %(n)d levels.") % {"n": max_depth},
                                   code="invalid_json")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, child in items:
                if isinstance(key, str) and NUL in key:
                    name = _path(where, key.replace(NUL, "\\u0000"))
                    raise InvalidInput(nul_message(name), field=name)
                stack.append((_path(where, key), child, depth + 1))


def loads_json(raw: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """`json.loads` for request bodies: a 400 (`InvalidInput`, code `invalid_json`) for text that
    is not UTF-8 JSON, nested deeper than `max_depth`, or holding a NUL anywhere."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(_("The body is not valid UTF-8 JSON: %(e)s") % {"e": exc},
                               code="invalid_json") from None
    else:
        text = raw
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(_("The body is not valid UTF-8 JSON: %(e)s") % {"e": exc}, code="invalid_json") from None
    except RecursionError:  # the C parser recurses once per level: 100,000 brackets end here
        raise InvalidInput(_("The JSON body is nested deeper than %(n)d levels.") % {"n": max_depth},
                           code="invalid_json") from None
    check_json(data, max_depth=max_depth)
    return data


# Bounds of list endpoints, for their declared query parameters (documented in the OpenAPI).
MAX_PAGE_SIZE = 200
MAX_LIMIT = 1000


def bounded(field: str, value: int, low: int, high: int) -> int:
    """`value` when low <= value <= high, else a 400 naming the field."""
    if not low <= value <= high:
        raise InvalidInput(_("%(field)s: must be between %(low)d and %(high)d.")
                           % {"field": field, "low": low, "high": high}, field=field)
    return value


# ----------------------------------------------------------------- fields of an action's input


def text(value: Any, name: str, *, required: bool = True, max_length: int = 2000) -> str:
    """A text input of an action, stripped; a 400 naming the field when it is missing or long."""
    stripped = "" if value is None else str(value).strip()
    if required and not stripped:
        raise InvalidInput(_("“%(field)s” is required.") % {"field": name}, field=name)
    if len(stripped) > max_length:
        raise InvalidInput(_("“%(field)s” is longer than %(n)d characters.") % {"field": name, "n": max_length},
                           field=name)
    return stripped


def whole_number(value: Any, name: str, low: int, high: int) -> int:
    """A whole number between `low` and `high` (both included); a 400 naming the field otherwise."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput(_("“%(field)s” must be a whole number.") % {"field": name}, field=name) from None
    if not low <= number <= high:
        raise InvalidInput(_("“%(field)s” must be between %(low)d and %(high)d.")
                           % {"field": name, "low": low, "high": high}, field=name)
    return number


def form_text(value: Any, name: str, *, max_length: int, required: bool = False) -> str:
    """A text input shown beside its form field ("This field is required.", "At most n
    characters."): the wording pages put under the field rather than naming it."""
    stripped = ("" if value is None else str(value)).strip()
    if required and not stripped:
        raise InvalidInput(_("This field is required."), field=name)
    if len(stripped) > max_length:
        raise InvalidInput(_("At most %(n)d characters.") % {"n": max_length}, field=name)
    return stripped
