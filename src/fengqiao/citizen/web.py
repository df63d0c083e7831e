"""What the citizen pages and endpoints read off a request."""

from __future__ import annotations

from django.http import HttpRequest

from fengqiao.citizen import conf


def client_ip(request: HttpRequest) -> str:
    """The address the request came from, for the per-address rate limit.

    With FENGQIAO_TRUSTED_PROXIES = n reverse proxies in front of the platform, the n-th address
    from the right of X-Forwarded-For (the one the outermost trusted proxy saw); with 0 (the
    default) REMOTE_ADDR — the header is the sender's to forge unless a proxy of ours wrote it."""
    hops = conf.trusted_proxies()
    if hops > 0:
        chain = [part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")
                 if part.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return str(request.META.get("REMOTE_ADDR") or "")


def too_large(request: HttpRequest) -> bool:
    """A body larger than every allowed photo together (plus the text fields): refused before any
    of it is checked or stored (Django has spooled it to temporary files, which it removes)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > conf.max_photos() * conf.max_photo_bytes() + 1024 * 1024
