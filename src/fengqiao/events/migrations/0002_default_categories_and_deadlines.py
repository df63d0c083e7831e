"""Ship the default category tree and the legal deadline policies (admins edit both)."""

from django.db import migrations

CATEGORIES = [
    ("dispute", "矛盾纠纷", [
        ("dispute.wages", "劳资纠纷"),
        ("dispute.work_injury", "工伤纠纷"),
        ("dispute.neighbours", "邻里纠纷"),
        ("dispute.land", "土地山林及宅基地纠纷"),
        ("dispute.family", "婚姻家庭纠纷"),
        ("dispute.property", "物业纠纷"),
        ("dispute.consumer", "消费纠纷"),
        ("dispute.traffic", "交通事故纠纷"),
        ("dispute.other", "其他纠纷"),
    ]),
    ("hazard", "安全隐患", [
        ("hazard.fire", "消防安全隐患"),
        ("hazard.rental", "出租房隐患"),
        ("hazard.road", "道路交通隐患"),
        ("hazard.production", "生产经营安全隐患"),
        ("hazard.geology", "地质灾害隐患"),
    ]),
    ("livelihood", "民生诉求", [
        ("livelihood.social_security", "就业社保"),
        ("livelihood.health", "医疗卫生"),
        ("livelihood.education", "教育"),
        ("livelihood.utilities", "水电气供应"),
        ("livelihood.infrastructure", "道路设施"),
    ]),
    ("petition", "信访事项", [
        ("petition.first", "初信初访"),
        ("petition.repeat", "重复信访"),
        ("petition.backlog", "信访积案"),
    ]),
    ("city", "市容秩序", [
        ("city.illegal_building", "违章搭建"),
        ("city.street_vending", "占道经营"),
        ("city.sanitation", "环境卫生"),
    ]),
    ("environment", "生态环境", [
        ("environment.noise", "噪声污染"),
        ("environment.water", "水污染"),
        ("environment.air", "大气污染"),
    ]),
    ("other", "其他事项", []),
]

# (category code or None for the default, tier, source, days, kind, basis)
POLICIES = [
    (None, "village", "", 7, "calendar", "一般事不出村社:7日内"),
    (None, "town", "", 14, "calendar", "重点难点问题两周内属地化解到位"),
    (None, "county", "", 30, "calendar", "调解一般一个月内办结(司法部实践)"),
    (None, "village", "hotline_12345", 15, "working", "12345 投诉举报类:15个工作日"),
    (None, "town", "hotline_12345", 15, "working", "12345 投诉举报类:15个工作日"),
    (None, "county", "hotline_12345", 15, "working", "12345 投诉举报类:15个工作日"),
    ("livelihood", "village", "hotline_12345", 10, "working", "12345 求助建议类:10个工作日"),
    ("livelihood", "town", "hotline_12345", 10, "working", "12345 求助建议类:10个工作日"),
    ("livelihood", "county", "hotline_12345", 10, "working", "12345 求助建议类:10个工作日"),
    ("petition", "village", "", 7, "calendar", "初信初访一周内不出村解决"),
    ("petition", "town", "", 14, "calendar", "重点难点问题两周内属地化解到位"),
    ("petition", "county", "", 60, "calendar", "信访工作条例:受理之日起60日内办结"),
    ("hazard", "village", "", 3, "calendar", "隐患当日上报、3日内整改"),
    ("hazard", "town", "", 7, "calendar", "隐患提级后7日内整改"),
    ("hazard", "county", "", 15, "calendar", "重大隐患15日内整改"),
]


def forwards(apps, schema_editor):
    Category = apps.get_model("events", "Category")
    DeadlinePolicy = apps.get_model("events", "DeadlinePolicy")
    by_code = {}
    for top_index, (code, name, children) in enumerate(CATEGORIES):
        top, _ = Category.objects.get_or_create(code=code, defaults={"name": name, "sort": top_index * 100})
        by_code[code] = top
        for child_index, (child_code, child_name) in enumerate(children, start=1):
            by_code[child_code], _ = Category.objects.get_or_create(
                code=child_code,
                defaults={"name": child_name, "parent": top, "sort": top_index * 100 + child_index},
            )
    for category_code, tier, source, days, kind, note in POLICIES:
        DeadlinePolicy.objects.get_or_create(
            category=by_code.get(category_code) if category_code else None,
            tier=tier,
            source=source,
            defaults={"days": days, "day_kind": kind, "note": note},
        )


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
