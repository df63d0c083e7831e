"""Checks on what strangers send: phones, descriptions, photos. Each raises `InvalidInput` naming
the field, with a message a citizen can act on; the forms and the JSON API both use them, so a
page and an API client are told the same thing."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from fengqiao.citizen import conf
from fengqiao.lib.errors import InvalidInput
from fengqiao.lib.filetypes import sniff_image

MIN_DESCRIPTION = 10
MAX_DESCRIPTION = 2000
MAX_ADDRESS = 300
MAX_NAME = 50

# Crockford's base32 (no I, L, O, U): 20 symbols = 100 bits from `secrets`.
TRACKING_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TRACKING_LENGTH = 20
_TRACKING_READ = str.maketrans({"O": "0", "I": "1", "L": "1"})

_MOBILE = re.compile(r"^1[3-9]\d{9}$")



# --------------------------------------------------------------------------------- tracking


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def normalise_tracking_code(raw: str) -> str | None:
    """What a citizen typed or a link carried → the canonical code, or None if it cannot be one.
    Dashes and spaces are ignored, case too, and O/I/L read as 0/1."""
    text = re.sub(r"[\s\-]", "", str(raw or "")).upper().translate(_TRACKING_READ)
    if len(text) != TRACKING_LENGTH or any(ch not in TRACKING_ALPHABET for ch in text):
        return None
    return text


def display_tracking_code(code: str) -> str:
    """Grouped by four for reading aloud and typing: 7K3M-…"""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


# ----------------------------------------------------------------------------------- fields


def clean_phone(raw: Any) -> str:
    """A mainland mobile number (the outcome is texted to it): 11 digits starting 13–19; +86,
    spaces and dashes are tolerated."""
    text = re.sub(r"[\s\-()]", "", str(raw or ""))
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif len(text) == 13 and text.startswith("86"):
        text = text[2:]
    if not text:
        raise InvalidInput(_("Give a mobile number: the result is sent to it by text."), field="phone")
    if not _MOBILE.match(text):
        raise InvalidInput(_("“%(p)s” is not a mobile number (11 digits starting with 1).") % {"p": str(raw)[:20]},
                           field="phone")
    return text


def clean_description(raw: Any) -> str:
    text = str(raw or "").strip()
    if not text:
        raise InvalidInput(_("Describe the matter."), field="description")
    if len(text) > MAX_DESCRIPTION:
        raise InvalidInput(_("The description is longer than %(n)d characters.") % {"n": MAX_DESCRIPTION},
                           field="description")
    meaningful = [ch for ch in text if ch.isalnum()]
    if len(meaningful) < MIN_DESCRIPTION:
        raise InvalidInput(
            _("Describe the matter in at least %(n)d characters: what happened, where, since when.")
            % {"n": MIN_DESCRIPTION}, field="description")
    if len(set(meaningful)) < 4:
        raise InvalidInput(_("The description does not say what happened."), field="description")
    return text


def clean_name(raw: Any) -> str:
    text = str(raw or "").strip()
    if len(text) > MAX_NAME:
        raise InvalidInput(_("The name is longer than %(n)d characters.") % {"n": MAX_NAME}, field="name")
    return text


def clean_address(raw: Any) -> str:
    text = str(raw or "").strip()
    if len(text) > MAX_ADDRESS:
        raise InvalidInput(_("The address is longer than %(n)d characters.") % {"n": MAX_ADDRESS},
                           field="address")
    return text


def clean_point(latitude: Any, longitude: Any) -> tuple[float | None, float | None]:
    if latitude in (None, "") and longitude in (None, ""):
        return None, None
    try:
        lat, lng = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise InvalidInput(_("The map point is not valid: pick it again."), field="latitude") from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180) or lat != lat or lng != lng:
        raise InvalidInput(_("The map point is not valid: pick it again."), field="latitude")
    return lat, lng


def require_place(address: str, latitude: float | None) -> None:
    if not address and latitude is None:
        raise InvalidInput(_("Say where: type the address or put a pin on the map."), field="address")


# ----------------------------------------------------------------------------------- photos

# The browser's content type is not trusted: `sniff_image` reads the first bytes.


def clean_photos(uploads: Sequence[Any]) -> list[Any]:
    """At most N photos, each within the size limit and really an image (by its bytes)."""
    files = [u for u in uploads if u]
    limit = conf.max_photos()
    if len(files) > limit:
        raise InvalidInput(_("At most %(n)d photos, please (you chose %(k)d).") % {"n": limit, "k": len(files)},
                           field="photos")
    max_bytes = conf.max_photo_bytes()
    for upload in files:
        name = str(getattr(upload, "name", "") or "")[:80]
        size = getattr(upload, "size", 0) or 0
        if size > max_bytes:
            raise InvalidInput(
                _("The photo “%(n)s” is %(s).1f MB; each photo may be at most %(m)d MB.")
                % {"n": name, "s": size / (1024 * 1024), "m": max_bytes // (1024 * 1024)},
                field="photos")
        if size == 0:
            raise InvalidInput(_("The photo “%(n)s” is empty.") % {"n": name}, field="photos")
        kind = sniff_image(upload)
        if kind is None:
            raise InvalidInput(
                _("“%(n)s” is not a photo: send JPEG, PNG, GIF, WebP or HEIC pictures.") % {"n": name},
                field="photos")
        # What the platform stores is what the bytes are, not what the sender claimed.
        upload.content_type = kind
    return files
