"""The working-day calendar leaves the events app for the shared machinery, `fengqiao.workflow`
(workflow 0001), which every workflow's clocks count with.

State only: the table `events_calendarday` stays where it is; nothing in the database changes."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0007_audit_moved_to_audit_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="CalendarDay")],
            database_operations=[],
        ),
    ]
