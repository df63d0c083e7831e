"""A registration batch: many registrations in ONE transaction (a spreadsheet import of 100,000
rows). Every row still goes through the one door and writes what any channel writes; the batch
only lets the code on the way read once what cannot change unseen while the transaction runs,
and keep shared rows unlocked until the end:

- `batch_memo()`: a dict for the batch (deadline policies, the working calendar, duty posts,
  regions by code), None outside a batch;
- event codes come first from a block taken beforehand (`events.actions.reserve_codes`), so the
  county's day counter is not held by the long transaction;
- `at_batch_end(name, fn)`: work to do once, inside the transaction, when the batch ends without
  an error — the command centre's rollups add the batch's new events there in one upsert per
  bucket instead of locking each bucket row from the first row of the file to its commit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction


@dataclass
class CodeBlock:
    """Event codes taken from a county's day counter in advance: `first`..`last` of `key`."""

    key: str
    first: int
    last: int
    next: int = 0

    def __post_init__(self) -> None:
        self.next = self.next or self.first

    def take(self) -> int | None:
        if self.next > self.last:
            return None
        number, self.next = self.next, self.next + 1
        return number


@dataclass
class _Batch:
    memo: dict[Any, Any] = field(default_factory=dict)
    codes: CodeBlock | None = None
    at_end: dict[str, Callable[[], None]] = field(default_factory=dict)


_batch: ContextVar[_Batch | None] = ContextVar("fengqiao_registration_batch", default=None)


@contextlib.contextmanager
def registration_batch(*, codes: CodeBlock | None = None) -> Iterator[None]:
    """Run the body as one batch of registrations; needs the caller's transaction. The work
    registered with `at_batch_end` runs when the body ends without an error (still inside the
    transaction); on an error it is dropped with everything else the transaction rolls back."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("registration_batch needs an enclosing transaction.atomic()")
    batch = _Batch(codes=codes)
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
    for fn in batch.at_end.values():
        fn()


def batch_memo() -> dict[Any, Any] | None:
    """The running batch's memo (None outside one): what a channel reads once per batch of
    registrations instead of once per event."""
    batch = _batch.get()
    return batch.memo if batch is not None else None


def current_codes() -> CodeBlock | None:
    batch = _batch.get()
    return batch.codes if batch is not None else None


def at_batch_end(name: str, fn: Callable[[], None]) -> bool:
    """Run `fn` once (per `name`) when the running batch ends; False outside a batch."""
    batch = _batch.get()
    if batch is None:
        return False
    batch.at_end.setdefault(name, fn)
    return True
