"""The audit record checked every night from its signed checkpoints (what was written that day)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fengqiao.audit import chain

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="2", minute="40"))
def verify_audit_nightly() -> dict:
    result = chain.verify_incremental()
    if result.problem is not None:
        logger.error("audit record is broken at %s", result.problem)
    else:
        logger.info("audit record intact: %d new rows in %d chains", result.rows, result.streams)
    return {"problem": str(result.problem) if result.problem else None, "rows": result.rows,
            "streams": result.streams}
