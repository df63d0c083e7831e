"""Errors the domain raises; the API turns each into JSON {"code", "message"} with its status."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field


class InvalidInput(DomainError):
    status = 400
    code = "invalid"


class NotPermitted(DomainError, PermissionDenied):
    """The user's posts do not allow this (an action on an event they can see, a page, an
    endpoint). Also a PermissionDenied, so a page that raises it answers with the 403 page and
    the API with 403 JSON: both decide through the same named check."""

    status = 403
    code = "forbidden"


class IllegalTransition(DomainError):
    """The state machine does not allow this move from the event's current state."""

    status = 409
    code = "illegal_transition"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Unauthenticated(DomainError):
    """No or a wrong credential (an API key, a token)."""

    status = 401
    code = "unauthenticated"


class NotFound(DomainError):
    """What was asked for does not exist, or lies outside the caller's scope."""

    status = 404
    code = "not_found"


class TooLarge(DomainError):
    status = 413
    code = "too_large"


class Locked(DomainError):
    """Sign-ins refused for a while after too many failures (the account or the address)."""

    status = 429
    code = "locked"


class RateLimited(DomainError):
    """Too many submissions from one source in a window."""

    status = 429
    code = "rate_limited"
