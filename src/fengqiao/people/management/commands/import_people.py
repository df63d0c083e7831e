"""fengqiao import_people FILE [--dry-run] [--actor USERNAME]"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from fengqiao.lib.errors import InvalidInput
from fengqiao.people.actions import people_import
from fengqiao.people.importer import RosterError, read_roster


class Command(BaseCommand):
    help = (
        "Import a people roster (.xlsx, or UTF-8 .csv) with columns 姓名, 手机, 岗位, 区划代码 and "
        "optionally 部门, 用户名, 密码. Every row is checked first; one bad row and nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--actor", metavar="USERNAME", help="the user recorded as importing")

    def handle(self, *args, file: Path, dry_run: bool, actor: str | None, **options):
        user = None
        if actor:
            user = get_user_model().objects.filter(username=actor).first()
            if user is None:
                raise CommandError(f"--actor: no user named {actor!r}")
        try:
            rows = read_roster(file)
        except RosterError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{file.name}: {len(exc.errors)} 处错误，未导入任何数据") from exc
        try:
            result = people_import(rows=rows, actor=user, source=file.name, dry_run=dry_run)
        except InvalidInput as exc:
            raise CommandError(f"{exc.message}（未导入任何数据）") from exc
        prefix = "试运行（未写入）：" if dry_run else ""
        self.stdout.write(
            f"{prefix}{result.rows} 行；新建人员 {result.people_created}，恢复人员 {result.people_reactivated}；"
            f"新建岗位 {result.posts_created}，更新岗位 {result.posts_updated}，岗位未变 {result.posts_unchanged}；"
            f"新建登录 {result.logins_created}，关联已有登录 {result.logins_linked}"
        )
