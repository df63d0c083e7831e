"""Rates are truncated by default (the one rule that reproduces every figure of BRIEF §9).

Until now half up was the shipped default, and the settings row took it whenever it was saved
(the demo saves it for the score's weights), so a row on half up says nothing about a choice:
such rows move to the new default. An admin who wants half up sets it again in the admin."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    CommandSettings = apps.get_model("command", "CommandSettings")
    CommandSettings.objects.filter(rounding="half_up").update(rounding="truncate")


class Migration(migrations.Migration):

    dependencies = [
        ("command", "0002_fill_rollups_from_existing_events"),
    ]

    operations = [
        migrations.AlterField(
            model_name="commandsettings",
            name="rounding",
            field=models.CharField(
                choices=[("half_up", "Half up (91.55% → 91.6%)"), ("truncate", "Truncate (51.489% → 51.48%)")],
                default="truncate",
                help_text="Truncate reproduces every published figure (11,854 of 23,022 shows 51.48%); "
                          "half up would show 51.49%.",
                max_length=10, verbose_name="rate rounding"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
