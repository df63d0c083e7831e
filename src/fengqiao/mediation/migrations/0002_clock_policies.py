"""Ship the mediation centre's time limits as clock policies (the admin edits them).

- mediation.accept: decide on an application (受理 or 不予受理). 人民调解法 §17–18 asks that an
  application be taken up promptly and sets no number; 3 working days is the default here, a
  local rule the admin may change.
- mediation.handle: 《人民调解工作若干规定》(司法部令第75号) 第三十三条 — a dispute is generally
  settled within one month, counted from acceptance.
- mediation.court: a court's referral (诉前委派调解) runs to the date the court sets; 30 days when
  it sets none (the usual term of delegated pre-litigation mediation).
- mediation.confirm: 人民调解法 §33 — both parties may apply together for judicial confirmation
  within 30 days of the agreement taking effect.
- mediation.task: a 群英 task is reported back within 7 days (seed 004: first-time matters settled
  inside the village within a week).
"""

from django.db import migrations

POLICIES = [
    # key, workflow, name, days, day_kind, warn_days, basis
    ("mediation.accept", "mediation", "调解申请受理期限", 3, "working", 1,
     "人民调解法第十七、十八条:当事人申请调解的应当及时受理;本地规定3个工作日内决定受理或不予受理"),
    ("mediation.handle", "mediation", "调解办理期限", 30, "calendar", 5,
     "《人民调解工作若干规定》第三十三条:调解纠纷一般在一个月内调结(自受理之日起)"),
    ("mediation.court", "mediation", "法院委派调解期限", 30, "calendar", 5,
     "诉调对接:以法院委派时确定的期限为准;未确定的按30日"),
    ("mediation.confirm", "mediation", "司法确认申请期限", 30, "calendar", 5,
     "人民调解法第三十三条:自调解协议生效之日起三十日内共同向人民法院申请司法确认"),
    ("mediation.task", "mediation_task", "群英调解任务反馈期限", 7, "calendar", 2,
     "群英断事会派单:初信初访一周内不出村解决(仙游县度尾镇)"),
]


def forwards(apps, schema_editor):
    ClockPolicy = apps.get_model("workflow", "ClockPolicy")
    for key, workflow, name, days, day_kind, warn_days, basis in POLICIES:
        ClockPolicy.objects.update_or_create(
            key=key,
            defaults={"workflow": workflow, "name": name, "days": days, "day_kind": day_kind,
                      "warn_days": warn_days, "basis": basis, "active": True},
        )


def backwards(apps, schema_editor):
    ClockPolicy = apps.get_model("workflow", "ClockPolicy")
    ClockPolicy.objects.filter(key__in=[p[0] for p in POLICIES], clocks__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("mediation", "0001_cases_orgs_mediators_pool_tasks_duty"),
        ("workflow", "0002_clock_policies_and_running_clocks"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
