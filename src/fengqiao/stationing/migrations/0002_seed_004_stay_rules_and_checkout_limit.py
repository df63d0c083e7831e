"""Ship seed 004's three stay rules (仙游县“部门驻村、干部住村”) and the check-out time limit.

- 两周一住镇 (county leaders paired with a town): a night in the town every two weeks;
- 每周一住村 (county departments' cadres): a night in the village every week;
- 每周一、五住村 (town and village cadres, community police): the nights of Monday and Friday.

A named weekday on a statutory holiday moves to the next working day of the same week
(`holiday` = defer; see stationing/compliance.py). The check-out limit: a stay left open past
the end of the second day after arrival is noticed to the cadre and no longer counts.
"""

from django.db import migrations

BASIS = "仙游县“百日攻坚”:县挂钩领导“两周一住镇”,县直部门干部“每周一住村”,镇村干部、社区民警“每周一、五住村”"
RULES = [
    # code, name, level, period_weeks, stays, weekdays
    ("town_biweekly", "两周一住镇", "town", 2, 1, []),
    ("village_weekly", "每周一住村", "village", 1, 1, []),
    ("village_mon_fri", "每周一、五住村", "village", 1, 2, [0, 4]),
]


def forwards(apps, schema_editor):
    Rule = apps.get_model("stationing", "Rule")
    ClockPolicy = apps.get_model("workflow", "ClockPolicy")
    for code, name, level, weeks, stays, weekdays in RULES:
        Rule.objects.update_or_create(code=code, defaults={
            "name": name, "level": level, "period_weeks": weeks, "stays": stays, "weekdays": weekdays,
            "holiday": "defer", "overnight": True, "min_hours": 4, "basis": BASIS, "active": True})
    ClockPolicy.objects.update_or_create(key="stationing.checkout", defaults={
        "workflow": "stay", "name": "离村签退时限", "days": 2, "day_kind": "calendar", "warn_days": 0,
        "basis": "住村签到后应在离村时签退;超过到村次日后一日24时未签退的,不计入住村天数", "active": True})


def backwards(apps, schema_editor):
    Rule = apps.get_model("stationing", "Rule")
    ClockPolicy = apps.get_model("workflow", "ClockPolicy")
    Rule.objects.filter(code__in=[r[0] for r in RULES], plans__isnull=True).delete()
    ClockPolicy.objects.filter(key="stationing.checkout", clocks__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("stationing", "0001_rules_stations_plans_stays"),
        ("workflow", "0002_clock_policies_and_running_clocks"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
