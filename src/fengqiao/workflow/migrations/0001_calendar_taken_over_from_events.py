"""The working-day calendar moves from the events app to this one; the table stays as it is.

State only: `events_calendarday` was created by events 0001 and keeps its name (Meta.db_table).
Events 0008 drops the model from the events app's state; this migration adds it to this app's.
An existing database changes nothing but the content-type row, renamed so permissions granted on
it stay attached."""

from django.db import migrations, models


def rename_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="workflow", model="calendarday").exists():
        ContentType.objects.filter(app_label="events", model="calendarday").update(app_label="workflow")


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="events", model="calendarday").exists():
        ContentType.objects.filter(app_label="workflow", model="calendarday").update(app_label="events")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("events", "0008_calendar_moved_to_workflow_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CalendarDay",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("date", models.DateField(unique=True, verbose_name="date")),
                        ("kind", models.CharField(choices=[("holiday", "Holiday"), ("workday", "Working day")], max_length=10, verbose_name="kind")),
                        ("note", models.CharField(blank=True, max_length=100, verbose_name="note")),
                    ],
                    options={
                        "verbose_name": "holiday or workday",
                        "verbose_name_plural": "holidays and workdays",
                        "ordering": ["date"],
                        "db_table": "events_calendarday",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_type, restore_content_type),
    ]
