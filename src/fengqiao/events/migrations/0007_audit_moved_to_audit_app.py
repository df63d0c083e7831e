"""The audit record's models leave the events app for `fengqiao.audit` (audit 0001).

State only: the tables stay where they are, under their old names; nothing in the database changes."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0006_personal_data_read_names_whose_number"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AuditEntry"),
                migrations.DeleteModel(name="AuditStream"),
            ],
            database_operations=[],
        ),
    ]
