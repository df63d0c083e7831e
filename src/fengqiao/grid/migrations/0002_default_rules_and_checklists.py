"""The rules seed 000 and seed 002 state (every household and firm every 14 days; every worker
in the grid at least 4 days a week) and three checklists the admin edits: fire safety, rented
rooms, production safety."""

from django.db import migrations

CHECKLISTS = [
    ("fire", "消防安全检查", [
        "灭火器配备且在有效期内",
        "疏散通道、安全出口畅通",
        "电气线路无私拉乱接",
        "电动自行车未在室内或楼道停放充电",
        "燃气设施无泄漏、有报警装置",
    ]),
    ("rented_room", "出租房安全检查", [
        "租住人员信息已登记",
        "无群租、隔断超标",
        "每层配备灭火器",
        "窗户无影响逃生的防盗网",
        "无“三合一”（住宿与生产、仓储、经营合用）",
    ]),
    ("production", "企业安全生产检查", [
        "安全生产责任制落实",
        "特种作业人员持证上岗",
        "危险化学品按规定储存",
        "安全警示标志齐全",
        "员工安全培训记录完整",
        "应急预案和演练记录",
    ]),
]


def forwards(apps, schema_editor):
    GridSettings = apps.get_model("grid", "GridSettings")
    Checklist = apps.get_model("grid", "Checklist")
    ChecklistItem = apps.get_model("grid", "ChecklistItem")
    GridSettings.objects.get_or_create(pk=1, defaults={"visit_interval_days": 14, "worker_days_per_week": 4})
    for kind, name, items in CHECKLISTS:
        checklist, created = Checklist.objects.get_or_create(kind=kind, name=name)
        if created:
            ChecklistItem.objects.bulk_create(
                [ChecklistItem(checklist=checklist, text=t, order=i) for i, t in enumerate(items)])


def backwards(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("grid", "0001_registries_field_work_teams")]
    operations = [migrations.RunPython(forwards, backwards)]
