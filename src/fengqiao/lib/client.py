"""What the platform reads off a request about who sent it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str:
    """The address the request came from, for the per-address limits (citizen reports, sign-ins).

    With FENGQIAO_TRUSTED_PROXIES = n reverse proxies in front of the platform, the n-th address
    from the right of X-Forwarded-For (the one the outermost trusted proxy saw); with 0 (the
    default) REMOTE_ADDR — the header is the sender's to forge unless a proxy of ours wrote it."""
    if request is None:
        return ""
    hops = int(getattr(settings, "FENGQIAO_TRUSTED_PROXIES", 0) or 0)
    if hops > 0:
        chain = [part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")
                 if part.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return str(request.META.get("REMOTE_ADDR") or "")
