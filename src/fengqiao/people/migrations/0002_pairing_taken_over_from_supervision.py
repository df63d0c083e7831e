"""Pairing (挂钩) moves here from supervision (supervision 0002): a department paired with a
village is a fact about people that the scope rule (`events.scope`) reads.

State only: the table `supervision_pairing` was created by supervision 0001 and keeps its name
(Meta.db_table). The content-type row is renamed so permissions granted on it stay attached."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def rename_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="people", model="pairing").exists():
        ContentType.objects.filter(app_label="supervision", model="pairing").update(app_label="people")


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="supervision", model="pairing").exists():
        ContentType.objects.filter(app_label="people", model="pairing").update(app_label="supervision")


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("people", "0001_initial"),
        ("regions", "0001_initial"),
        ("supervision", "0002_pairing_moved_to_people"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Pairing",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("note", models.CharField(blank=True, max_length=500, verbose_name="note")),
                        ("active", models.BooleanField(default=True, verbose_name="active")),
                        ("created_at", models.DateTimeField(verbose_name="paired at")),
                        ("ended_at", models.DateTimeField(blank=True, null=True, verbose_name="ended at")),
                        ("created_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("department", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="pairings", to="people.department", verbose_name="department")),
                        ("ended_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("village", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="pairings", to="regions.region", verbose_name="village")),
                    ],
                    options={
                        "verbose_name": "pairing",
                        "verbose_name_plural": "pairings",
                        "db_table": "supervision_pairing",
                        "ordering": ["-active", "village__code", "department__code"],
                        "indexes": [models.Index(condition=models.Q(("active", True)), fields=["department"], name="pairing_active_dept")],
                        "constraints": [models.UniqueConstraint(condition=models.Q(("active", True)), fields=("department", "village"), name="uniq_active_pairing")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_type, restore_content_type),
    ]
