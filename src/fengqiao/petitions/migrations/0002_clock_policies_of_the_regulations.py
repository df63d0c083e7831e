"""Ship the petitions' time limits as clock policies (the admin edits them; the basis says why).

The statutory ones come from 《信访工作条例》(2022); the two local ones from seed 004 (仙游县
“百日攻坚”: 初信初访一周内不出村解决, 重点难点问题两周内属地化解到位). Each clock starts at the
step its rule names: routing from receipt, accepting and objecting from the body's receipt,
handling from acceptance (not from dispatch), review and re-review from the written answer and
from the request.
"""

from django.db import migrations

REG = "《信访工作条例》(2022)"
POLICIES = [
    # key, name, days, day_kind, warn_days, basis
    ("petition.route", "登记并转送、交办期限", 15, "calendar", 3,
     f"{REG}第二十二条:收到信访事项应当予以登记,并在15日内分别按照规定方式处理(转送、交办)"),
    ("petition.accept", "决定受理并书面告知期限", 15, "calendar", 3,
     f"{REG}第二十三条:收到转送、交办的信访事项之日起15日内决定是否受理并书面告知信访人"),
    ("petition.object", "提出异议期限", 5, "working", 1,
     f"{REG}第二十三条:不属于本机关、单位职责范围的,自收到之日起5个工作日内提出异议并详细说明理由"),
    ("petition.handle", "办理期限", 60, "calendar", 7,
     f"{REG}第三十二条:自受理之日起60日内办结;情况复杂的经负责人批准可延长,延长不得超过30日,并告知信访人延期理由"),
    ("petition.review_apply", "申请复查期限", 30, "calendar", 3,
     f"{REG}第三十五条:信访人对处理意见不服的,可以自收到书面答复之日起30日内请求复查"),
    ("petition.review_answer", "复查答复期限", 30, "calendar", 5,
     f"{REG}第三十五条:收到复查请求之日起30日内提出复查意见,并予以书面答复"),
    ("petition.rereview_apply", "申请复核期限", 30, "calendar", 3,
     f"{REG}第三十六条:信访人对复查意见不服的,可以自收到书面答复之日起30日内请求复核"),
    ("petition.rereview_answer", "复核答复期限", 30, "calendar", 5,
     f"{REG}第三十六条:收到复核请求之日起30日内提出复核意见"),
    ("petition.village_week", "初信初访一周内不出村解决", 7, "calendar", 2,
     "仙游县“百日攻坚”:初信初访事项一周内不出村解决(自收到之日起7日)"),
    ("petition.key_local", "重点难点问题两周内属地化解", 14, "calendar", 3,
     "仙游县“百日攻坚”:重点难点问题两周内属地化解到位(自收到之日起14日)"),
]


def forwards(apps, schema_editor):
    ClockPolicy = apps.get_model("workflow", "ClockPolicy")
    for key, name, days, day_kind, warn_days, basis in POLICIES:
        ClockPolicy.objects.update_or_create(
            key=key,
            defaults={"workflow": "petition", "name": name, "days": days, "day_kind": day_kind,
                      "warn_days": warn_days, "basis": basis, "active": True},
        )


def backwards(apps, schema_editor):
    ClockPolicy = apps.get_model("workflow", "ClockPolicy")
    ClockPolicy.objects.filter(key__in=[p[0] for p in POLICIES], clocks__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("petitions", "0001_petitions_petitioners_notices_backlog"),
        ("workflow", "0002_clock_policies_and_running_clocks"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
