"""The registry import's background work on Huey (tests run it inline)."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from huey.contrib.djhuey import db_task

from fengqiao.grid.models import ImportRun

logger = logging.getLogger(__name__)


@db_task(name="grid_registry_import")
def import_task(run_id: int, user_id: int | None) -> None:
    from fengqiao.grid.registry_io import run_import

    # Claim the run (compare-and-set): a task delivered twice imports once.
    if not ImportRun.objects.filter(pk=run_id, state=ImportRun.State.QUEUED).update(state=ImportRun.State.RUNNING):
        return
    run = ImportRun.objects.get(pk=run_id)
    actor = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        run_import(run, actor=actor)
    except Exception:
        logger.exception("grid import %s failed", run_id)
        ImportRun.objects.filter(pk=run_id).update(state=ImportRun.State.FAILED,
                                                   errors=[{"row": 0, "column": "", "message": "internal error"}])
