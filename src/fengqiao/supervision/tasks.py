"""Background work: building a bulletin pack asked for from the dashboard."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from huey.contrib.djhuey import db_task

from fengqiao.lib import clock
from fengqiao.supervision.models import BulletinRun

log = logging.getLogger(__name__)


@db_task()
def build_bulletin(run_id: int) -> str:
    """Build the run's .docx and .xlsx as the user who asked (their scope), with progress."""
    from fengqiao.supervision.bulletin import base_name, build_pack

    run = BulletinRun.objects.select_related("region", "created_by").filter(pk=run_id).first()
    if run is None or run.state not in (BulletinRun.State.QUEUED, BulletinRun.State.RUNNING):
        return "skipped"
    BulletinRun.objects.filter(pk=run.pk).update(state=BulletinRun.State.RUNNING, progress=1, step="")

    def progress(percent: int, step: str) -> None:
        BulletinRun.objects.filter(pk=run.pk).update(progress=percent, step=step)

    user = run.created_by
    if user is None:
        from fengqiao.supervision.bulletin import platform_reader

        user = platform_reader()
    else:
        user = get_user_model().objects.get(pk=user.pk)  # a fresh object: no stale scope cache
    try:
        docx, xlsx, _pack = build_pack(user=user, region=run.region, date_from=run.date_from,
                                       date_to=run.date_to, progress=progress)
    except Exception as exc:  # recorded on the run for the person waiting, and logged whole
        log.exception("bulletin %s failed", run.pk)
        BulletinRun.objects.filter(pk=run.pk).update(state=BulletinRun.State.FAILED, error=str(exc)[:1000],
                                                     finished_at=clock.now())
        return "failed"
    name = base_name(run.region, run.date_from, run.date_to)
    run.docx.save(f"{name}-{run.pk}.docx", ContentFile(docx), save=False)
    run.xlsx.save(f"{name}-{run.pk}.xlsx", ContentFile(xlsx), save=False)
    BulletinRun.objects.filter(pk=run.pk).update(
        docx=run.docx.name, xlsx=run.xlsx.name, state=BulletinRun.State.DONE, progress=100, step="",
        finished_at=clock.now(),
    )
    return "done"
