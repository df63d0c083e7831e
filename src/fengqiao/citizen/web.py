"""What the citizen pages and endpoints read off a request."""

from __future__ import annotations

from django.http import HttpRequest

from fengqiao.citizen import conf
from fengqiao.lib.client import client_ip

__all__ = ["client_ip", "too_large"]  # client_ip: one helper for every per-address limit


def too_large(request: HttpRequest) -> bool:
    """A body larger than every allowed photo together (plus the text fields): refused before any
    of it is checked or stored (Django has spooled it to temporary files, which it removes)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > conf.max_photos() * conf.max_photo_bytes() + 1024 * 1024
