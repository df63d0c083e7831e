"""Spreadsheet imports: the operators' saved column mappings and one row per import run."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.events.models import Source


class ColumnMapping(models.Model):
    """An operator's saved mapping: which column holds which field, how the sender's category
    labels translate into ours, and the sender's date format."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    columns = models.JSONField(_("columns"), default=dict, blank=True)  # field → header
    categories = models.JSONField(_("category labels"), default=dict, blank=True)  # label → code
    date_format = models.CharField(_("date format"), max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def import_path(instance: ImportRun, filename: str) -> str:
    return f"imports/{instance.created_at:%Y%m}/{filename}"


class ImportRun(models.Model):
    """One file's way in: uploaded → checked (or invalid, with the error report) → queued →
    running → done (or failed: nothing was imported)."""

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked: ready to import")
        INVALID = "invalid", _("Bad rows: nothing imported")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed: nothing imported")

    file = models.FileField(_("file"), upload_to=import_path, max_length=300, blank=True)
    original_name = models.CharField(_("file name"), max_length=200)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    mapping = models.JSONField(_("mapping used"), default=dict, blank=True)
    saved_mapping = models.ForeignKey(
        ColumnMapping, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs",
        verbose_name=_("saved mapping"),
    )
    within = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("county"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.UPLOADED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_bad = models.PositiveIntegerField(_("bad rows"), default=0)
    errors_total = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(default=list, blank=True)  # the first errors, for the page
    error_report = models.FileField(_("error report"), upload_to=import_path, max_length=300, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    already_imported = models.PositiveIntegerField(_("already imported"), default=0)
    triaged = models.PositiveIntegerField(_("sent to triage"), default=0)
    event_ids = models.JSONField(default=list, blank=True)  # the first events created, for links
    checked_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    failure = models.TextField(blank=True)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_state_display()})"

    @property
    def busy(self) -> bool:
        return self.state in {self.State.CHECKING, self.State.QUEUED, self.State.RUNNING}
