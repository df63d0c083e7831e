"""Pairing (挂钩) leaves supervision for the people app (people 0002), so the scope rule in
`events.scope` reads it without importing supervision, an app above events.

State only: the table keeps its name `supervision_pairing`; nothing in the database changes."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("supervision", "0001_accountability_pairing_categories_bulletins"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Pairing")],
            database_operations=[],
        ),
    ]
