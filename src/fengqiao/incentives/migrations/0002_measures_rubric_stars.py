"""Defaults the admin edits: fourteen incentive measures (seed 004: "创新14条激励措施"; the
article names their number, not their wording — these are the kinds of measure Xianyou's
scheme describes: taking part in mediation, patrols and volunteering earn points, breaches lose
them), the "六好六无" 100-point rubric, and star thresholds up to four stars (四星)."""

from django.db import migrations

RULES = [
    ("mediation", "参与矛盾纠纷调解", 5),
    ("hazard_tip", "报告安全隐患并经核实", 3),
    ("patrol", "参加平安巡防", 2),
    ("volunteer", "参加志愿服务活动", 2),
    ("cleanup", "参与环境卫生整治", 2),
    ("brave", "见义勇为", 20),
    ("civilised_family", "获评文明家庭", 10),
    ("council", "参与村务议事协商", 2),
    ("anti_fraud", "学习反诈知识并安装反诈应用", 1),
    ("sorting", "垃圾分类达标", 1),
    ("insurance", "按时参加医保社保", 2),
    ("illegal_building", "违章搭建", -10),
    ("burning", "乱扔垃圾、焚烧秸秆", -3),
    ("disorderly_petition", "缠访闹访", -10),
]
RUBRIC = [
    ("good", "遵纪守法好", 10), ("good", "家庭和睦好", 10), ("good", "邻里团结好", 10),
    ("good", "移风易俗好", 10), ("good", "环境卫生好", 10), ("good", "参与治理好", 10),
    ("none", "无矛盾纠纷", 7), ("none", "无违法犯罪", 7), ("none", "无违章建筑", 7),
    ("none", "无非访缠访", 7), ("none", "无安全隐患", 6), ("none", "无黄赌毒", 6),
]
STARS = [(1, 60), (2, 70), (3, 80), (4, 90)]


def forwards(apps, schema_editor):
    Rule = apps.get_model("incentives", "Rule")
    Rubric = apps.get_model("incentives", "Rubric")
    RubricItem = apps.get_model("incentives", "RubricItem")
    StarThreshold = apps.get_model("incentives", "StarThreshold")
    for order, (code, name, points) in enumerate(RULES):
        Rule.objects.get_or_create(code=code, defaults={"name": name, "points": points, "order": order})
    if not Rubric.objects.exists():
        rubric = Rubric.objects.create(name="“六好六无”百分制评价标准")
        RubricItem.objects.bulk_create([RubricItem(rubric=rubric, group=g, text=t, points=p, order=i)
                                        for i, (g, t, p) in enumerate(RUBRIC)])
    if not StarThreshold.objects.exists():
        StarThreshold.objects.bulk_create([StarThreshold(stars=s, min_score=m) for s, m in STARS])


def backwards(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("incentives", "0001_ledger_rubric_shop_lists_elections")]
    operations = [migrations.RunPython(forwards, backwards)]
