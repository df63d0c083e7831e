"""The audit record's models move from the events app to this one; the tables stay as they are.

State only: the tables `events_auditstream` and `events_auditentry` were created by events 0001
and keep their names (Meta.db_table). Events 0007 drops the models from the events app's state;
this migration adds them to this app's state. An existing database changes nothing but the two
content-type rows, renamed so permissions granted on them stay attached."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def rename_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("auditstream", "auditentry"):
        if not ContentType.objects.filter(app_label="audit", model=model).exists():
            ContentType.objects.filter(app_label="events", model=model).update(app_label="audit")


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("auditstream", "auditentry"):
        if not ContentType.objects.filter(app_label="events", model=model).exists():
            ContentType.objects.filter(app_label="audit", model=model).update(app_label="events")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("events", "0007_audit_moved_to_audit_app"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditStream",
                    fields=[
                        ("key", models.CharField(max_length=40, primary_key=True, serialize=False)),
                        ("seq", models.PositiveIntegerField(default=0)),
                        ("head", models.CharField(default="", max_length=64)),
                    ],
                    options={
                        "db_table": "events_auditstream",
                    },
                ),
                migrations.CreateModel(
                    name="AuditEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("stream", models.CharField(max_length=40)),
                        ("seq", models.PositiveIntegerField()),
                        ("actor_name", models.CharField(blank=True, max_length=100)),
                        ("action", models.CharField(max_length=32)),
                        ("from_state", models.CharField(blank=True, max_length=12)),
                        ("to_state", models.CharField(blank=True, max_length=12)),
                        ("note", models.TextField(blank=True)),
                        ("details", models.JSONField(blank=True, default=dict)),
                        ("created_at", models.DateTimeField()),
                        ("prev_hash", models.CharField(max_length=64)),
                        ("hash", models.CharField(max_length=64)),
                        ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("event", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="audit_entries", to="events.event")),
                    ],
                    options={
                        "verbose_name": "audit entry",
                        "verbose_name_plural": "audit entries",
                        "db_table": "events_auditentry",
                        "ordering": ["stream", "seq"],
                        "indexes": [models.Index(fields=["event", "seq"], name="audit_event_seq")],
                        "constraints": [models.UniqueConstraint(fields=("stream", "seq"), name="uniq_audit_stream_seq")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_types, restore_content_types),
    ]
