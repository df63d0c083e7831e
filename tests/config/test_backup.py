"""`fengqiao backup` and `fengqiao restore`: back up, wipe, restore, find everything again."""

from __future__ import annotations

import io
import json
import tarfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from fengqiao.audit import chain as audit
from fengqiao.audit.models import AuditEntry
from fengqiao.config import backup
from fengqiao.demo.builder import reset_database
from fengqiao.events import actions
from fengqiao.events.models import Attachment, Event
from tests.factories import build_world, register

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def county(media):
    world = build_world()
    events = [register(world, title=f"柯某工资拖欠{n}") for n in range(3)]
    first = events[0]
    actions.event_attach(event=first, actor=world.operator.user,
                         upload=SimpleUploadedFile("现场照片.png", PNG, content_type="image/png"))
    yield world, events
    reset_database()


def _run(name, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command(name, *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue()


def _wipe(media):
    reset_database()
    for path in sorted(media.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    assert Event.objects.count() == 0 and not any(media.rglob("*.png"))


def test_backup_wipe_restore_finds_every_event_audit_row_and_attachment(county, media, tmp_path):
    world, events = county
    audit_rows = AuditEntry.objects.count()
    attachment = Attachment.objects.get()
    stored = (media / attachment.file.name).read_bytes()
    archive = tmp_path / "b.tar"

    out = _run("backup", str(archive))
    assert f"backup written: {archive}" in out and "events 3" in out
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names[0] == "manifest.json" and manifest["database_part"] in names
    assert f"media/{attachment.file.name}" in names
    assert manifest["tables"]["events_event"] == 3 and manifest["tables"]["events_auditentry"] == audit_rows

    _wipe(media)
    out = _run("restore", str(archive), "--replace")

    assert "every table, every file and the audit record check out" in out
    assert sorted(Event.objects.values_list("code", flat=True)) == sorted(e.code for e in events)
    assert AuditEntry.objects.count() == audit_rows
    assert audit.verify() is None
    restored = Attachment.objects.get()
    assert restored.name == "现场照片.png" and (media / restored.file.name).read_bytes() == stored
    # The restored platform works on: the next action writes on the restored audit chains.
    actions.event_attach(event=Event.objects.get(pk=events[1].pk), actor=world.operator.user,
                         upload=SimpleUploadedFile("二.png", PNG, content_type="image/png"))
    assert audit.verify() is None


def test_restore_refuses_a_database_with_data_unless_told_to_replace_it(county, tmp_path):
    archive = tmp_path / "b.tar"
    _run("backup", str(archive))
    register(county[0], title="备份之后登记的事项")
    with pytest.raises(CommandError, match="--replace"):
        _run("restore", str(archive))
    assert Event.objects.filter(title="备份之后登记的事项").exists()  # nothing was touched


def test_a_damaged_archive_is_refused_before_anything_is_replaced(county, tmp_path):
    archive = tmp_path / "b.tar"
    _run("backup", str(archive))
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == json.load(src.extractfile("manifest.json"))["database_part"]:
                data = data[:-10] + b"0123456789"
            dst.addfile(member, io.BytesIO(data))
    register(county[0], title="不该被覆盖")
    with pytest.raises(CommandError, match="checksum"):
        _run("restore", str(damaged), "--replace")
    assert Event.objects.filter(title="不该被覆盖").exists()


def test_what_is_not_a_backup_or_belongs_elsewhere_is_refused_with_the_reason(county, tmp_path, settings):
    other = tmp_path / "other.tar"
    with tarfile.open(other, "w") as tar:
        info = tarfile.TarInfo("readme.txt")
        tar.addfile(info, io.BytesIO(b""))
    with pytest.raises(CommandError, match="not a Fengqiao backup"):
        _run("restore", str(other), "--replace")
    with pytest.raises(CommandError, match="no such file"):
        _run("restore", str(tmp_path / "missing.tar"))

    archive = tmp_path / "b.tar"
    _run("backup", str(archive))
    settings.FENGQIAO_DATA_KEY = "another installation's key"
    with pytest.raises(CommandError, match="another data key"):
        _run("restore", str(archive), "--replace")


def test_a_backup_from_a_newer_version_is_refused(county, tmp_path):
    archive = tmp_path / "b.tar"
    _run("backup", str(archive))
    newer = tmp_path / "newer.tar"
    with tarfile.open(archive) as src, tarfile.open(newer, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["migrations"].append("events.9999_from_the_future")
                data = json.dumps(manifest).encode()
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    with pytest.raises(CommandError, match="newer version"):
        _run("restore", str(newer), "--replace")


def test_restore_reports_a_file_the_rows_name_but_the_archive_lacks(county, media, tmp_path):
    """A file lost from MEDIA_ROOT before the backup is named after the restore, not hidden."""
    attachment = Attachment.objects.get()
    (media / attachment.file.name).unlink()
    archive = tmp_path / "b.tar"
    _run("backup", str(archive))
    with pytest.raises(CommandError, match="check"):
        _run("restore", str(archive), "--replace")
    outcome = backup.check(archive, backup.read_manifest(archive))
    assert any(attachment.file.name in p for p in outcome.problems)
