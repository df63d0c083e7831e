"""Ship the major matters' time limits as clock policies (the admin edits them; the basis says why).

- `major.milestone`: each milestone of a listed matter runs to the end of its own due date (the
  date is set per milestone, so `days` is only the fallback); warned seven days before.
- `major.assessment`: a stability risk assessment is completed within 30 working days of its
  opening (the common local rule for 社会稳定风险评估).
- `major.close_review`: the listing level answers a closing request (销号申请) within 5 working days.
"""

from django.db import migrations

POLICIES = [
    # key, name, days, day_kind, warn_days, basis
    ("major.milestone", "挂账节点期限", 30, "calendar", 7,
     "三级挂账督办:节点任务按计划完成,到期前预警,逾期催办、升级督办"),
    ("major.assessment", "社会稳定风险评估期限", 30, "working", 5,
     "社会稳定风险评估工作一般应在30个工作日内完成(应评尽评、关口前移)"),
    ("major.close_review", "销号审核期限", 5, "working", 1,
     "挂账事项申请销号后,由挂账层级在5个工作日内审核销号或退回"),
]


def forwards(apps, schema_editor):
    ClockPolicy = apps.get_model("workflow", "ClockPolicy")
    for key, name, days, day_kind, warn_days, basis in POLICIES:
        ClockPolicy.objects.update_or_create(
            key=key,
            defaults={"workflow": "major_milestone" if key == "major.milestone" else "major", "name": name,
                      "days": days, "day_kind": day_kind, "warn_days": warn_days, "basis": basis, "active": True},
        )


def backwards(apps, schema_editor):
    ClockPolicy = apps.get_model("workflow", "ClockPolicy")
    ClockPolicy.objects.filter(key__in=[p[0] for p in POLICIES], clocks__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("majors", "0001_matters_assessments_milestones_task_forces"),
        ("workflow", "0002_clock_policies_and_running_clocks"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
