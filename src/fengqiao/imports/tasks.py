"""The import's background work on Huey: the dry run and the import itself (tests run inline)."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from huey.contrib.djhuey import db_task

from fengqiao.imports import actions
from fengqiao.imports.models import ImportRun

logger = logging.getLogger(__name__)


@db_task(name="imports_check")
def check_run_task(run_id: int) -> None:
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None:
        return
    actions.import_run_check(run=run)


@db_task(name="imports_execute")
def execute_run_task(run_id: int, user_id: int | None) -> None:
    # Claim the run (compare-and-set): a task delivered twice imports once.
    if not ImportRun.objects.filter(pk=run_id, state=ImportRun.State.QUEUED).update(
            state=ImportRun.State.RUNNING):
        return
    run = ImportRun.objects.get(pk=run_id)
    actor = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        actions.import_run_execute(run=run, actor=actor)
    except Exception:
        logger.exception("import run %s failed", run_id)  # the run is marked failed
