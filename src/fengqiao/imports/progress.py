"""An import's progress, where the page can read it while the import's transaction is open.

The import holds one transaction for the whole file (all or nothing), so a progress column on
`ImportRun` would stay invisible to every other connection until the end — and on SQLite the
write lock is held, so no other connection could even write it. Progress therefore lives in the
task queue's key-value store (Huey: the SQLite file `var/huey.db`, or Redis), which every process
of the platform shares; the page polls it.
"""

from __future__ import annotations

import time
from typing import Any

from huey.contrib.djhuey import HUEY

KEY = "fengqiao.imports.progress.{run}"


def put(run_id: int, *, phase: str, done: int, total: int | None) -> None:
    HUEY.put(KEY.format(run=run_id), {"phase": phase, "done": done, "total": total, "at": time.time()})


def get(run_id: int) -> dict[str, Any] | None:
    value = HUEY.get(KEY.format(run=run_id), peek=True)
    return value if isinstance(value, dict) else None


def clear(run_id: int) -> None:
    HUEY.delete(KEY.format(run=run_id))


class Throttled:
    """Calls `put` at most every `every` seconds (and always for the last row)."""

    def __init__(self, run_id: int, phase: str, total: int | None, every: float = 0.5):
        self.run_id, self.phase, self.total, self.every = run_id, phase, total, every
        self.done = 0
        self._last = 0.0

    def __call__(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._last >= self.every or (self.total is not None and self.done >= self.total):
            self._last = now
            put(self.run_id, phase=self.phase, done=self.done, total=self.total)
