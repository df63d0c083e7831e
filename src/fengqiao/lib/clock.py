"""The platform's one clock. Actions read `now()`; the demo and tests may pin it with `frozen`."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import datetime

from django.utils import timezone

_local = threading.local()


def now() -> datetime:
    pinned = getattr(_local, "pinned", None)
    return pinned if pinned is not None else timezone.now()


@contextlib.contextmanager
def frozen(moment: datetime) -> Iterator[None]:
    """Run the block as if it were `moment` (aware datetime). Nests; thread-local."""
    if timezone.is_naive(moment):
        raise ValueError("frozen() needs an aware datetime")
    previous = getattr(_local, "pinned", None)
    _local.pinned = moment
    try:
        yield
    finally:
        _local.pinned = previous


def local_date(moment: datetime | None = None):
    return timezone.localtime(moment or now()).date()
