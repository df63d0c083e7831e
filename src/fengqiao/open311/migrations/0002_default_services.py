"""Offer the shipped categories as Open311 services (admins edit, add or retire them).

Petitions (信访) are not offered: they follow their own procedure with the petitioner's identity.
Matters about people (disputes, personal needs) keep their details private; hazards, city order
and the environment are public places, so their details are public."""

from django.db import migrations

# service code = category code; (keywords, public details, service notice)
SERVICES = {
    "dispute.wages": ("欠薪,拖欠工资,讨薪,工钱", False, "劳资纠纷由所在村(社区)受理,7日内联系反映人。"),
    "dispute.work_injury": ("工伤,受伤,赔偿", False, ""),
    "dispute.neighbours": ("邻居,噪音,漏水,占道", False, ""),
    "dispute.land": ("土地,山林,宅基地,界址", False, ""),
    "dispute.family": ("婚姻,家庭,赡养,抚养", False, ""),
    "dispute.property": ("物业,小区,物业费", False, ""),
    "dispute.consumer": ("消费,退款,商家", False, ""),
    "dispute.traffic": ("交通事故,车祸,赔偿", False, ""),
    "dispute.other": ("纠纷,矛盾", False, ""),
    "hazard.fire": ("消防,火灾,电动车,通道", True, "消防隐患3日内整改,紧急情况请拨打119。"),
    "hazard.rental": ("出租房,群租,隐患", True, ""),
    "hazard.road": ("道路,交通,坑洼,护栏", True, ""),
    "hazard.production": ("生产,作坊,安全生产", True, ""),
    "hazard.geology": ("滑坡,塌方,地质灾害", True, "有人员危险时请先撤离并拨打110。"),
    "livelihood.social_security": ("社保,就业,养老", False, ""),
    "livelihood.health": ("医疗,卫生,医保", False, ""),
    "livelihood.education": ("教育,学校,入学", False, ""),
    "livelihood.utilities": ("停水,停电,燃气,供水,供电", True, ""),
    "livelihood.infrastructure": ("路灯,道路,桥梁,设施", True, ""),
    "city.illegal_building": ("违建,违章搭建,私搭乱建", True, ""),
    "city.street_vending": ("占道经营,摆摊,流动摊贩", True, ""),
    "city.sanitation": ("垃圾,卫生,环境", True, ""),
    "environment.noise": ("噪声,噪音,扰民", True, ""),
    "environment.water": ("水污染,排污,河道", True, ""),
    "environment.air": ("大气,烟尘,焚烧,异味", True, ""),
    "other": ("其他", False, ""),
}

# service code → [(code, datatype, required, order, description, [(key, name)…])]
ATTRIBUTES = {
    "dispute.wages": [
        ("WORKERS", "number", False, 1, "涉及人数", []),
        ("AMOUNT", "number", False, 2, "拖欠金额(元)", []),
        ("EMPLOYER_KIND", "singlevaluelist", False, 3, "用工单位类型", [
            ("construction", "建筑工地"), ("factory", "工厂"), ("service", "餐饮服务"), ("other", "其他"),
        ]),
    ],
    "hazard.fire": [
        ("HAZARD_KIND", "singlevaluelist", True, 1, "隐患类型", [
            ("ebike_indoor", "电动车室内充电"), ("blocked_exit", "消防通道堵塞"),
            ("wiring", "电线私拉乱接"), ("extinguisher", "灭火器缺失或过期"), ("other", "其他"),
        ]),
        ("PEOPLE_AT_RISK", "number", False, 2, "受影响人数(估计)", []),
    ],
    "environment.noise": [
        ("NOISE_SOURCE", "singlevaluelist", True, 1, "噪声来源", [
            ("construction", "建筑施工"), ("shop", "商铺经营"), ("entertainment", "娱乐场所"),
            ("other", "其他"),
        ]),
        ("NOISE_TIME", "multivaluelist", False, 2, "发生时段", [
            ("day", "白天"), ("evening", "傍晚"), ("night", "夜间(22时至次日6时)"),
        ]),
    ],
    "city.illegal_building": [
        ("STARTED_AT", "datetime", False, 1, "开始搭建时间", []),
        ("SIZE", "string", False, 2, "大致规模(如:两层、约50平方米)", []),
    ],
    "livelihood.utilities": [
        ("UTILITY", "singlevaluelist", True, 1, "类别", [
            ("water", "供水"), ("power", "供电"), ("gas", "燃气"),
        ]),
        ("SINCE", "datetime", False, 2, "开始时间", []),
    ],
}


def forwards(apps, schema_editor):
    Category = apps.get_model("events", "Category")
    Service = apps.get_model("open311", "Service")
    ServiceAttribute = apps.get_model("open311", "ServiceAttribute")
    AttributeValue = apps.get_model("open311", "AttributeValue")
    categories = {c.code: c for c in Category.objects.filter(code__in=SERVICES).select_related("parent")}
    for sort, (code, (keywords, public, notice)) in enumerate(SERVICES.items(), start=1):
        category = categories.get(code)
        if category is None:
            continue  # an admin removed it before this ran: offer nothing for it
        service, created = Service.objects.get_or_create(
            code=code,
            defaults={
                "category": category,
                "name": category.name,
                "description": "",
                "keywords": keywords,
                "group": category.parent.name if category.parent_id else category.name,
                "type": "realtime",
                "service_notice": notice,
                "public_details": public,
                "sort": sort * 10,
            },
        )
        if not created:
            continue
        for attr_code, datatype, required, order, description, values in ATTRIBUTES.get(code, []):
            attribute = ServiceAttribute.objects.create(
                service=service, code=attr_code, datatype=datatype, required=required, order=order,
                description=description, variable=True,
            )
            AttributeValue.objects.bulk_create(
                AttributeValue(attribute=attribute, key=key, name=name, sort=i)
                for i, (key, name) in enumerate(values, start=1)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("open311", "0001_services_definitions_and_requests"),
        ("events", "0002_default_categories_and_deadlines"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
