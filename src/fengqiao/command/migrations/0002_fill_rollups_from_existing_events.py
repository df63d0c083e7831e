"""Fill the rollups from the events already there (one GROUP BY per table).

This calls the app's `rollups.rebuild` rather than repeating its SQL here: the definition of every
counter must live in one place (measures.py). On an empty database it writes nothing."""

from django.db import migrations


def forwards(apps, schema_editor):
    from fengqiao.command.rollups import rebuild

    rebuild()


class Migration(migrations.Migration):
    dependencies = [("command", "0001_rollups_campaigns_settings")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
