"""Nightly retraining of the category suggester on Huey."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fengqiao.triage import classify

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="2", minute="30"))
def train_classifier_nightly() -> None:
    report = classify.train()
    logger.info("category classifier trained: %s", report.as_dict())
