from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext

from departments.units import registry_load
from tasks_app.importing.loader import REGISTRY


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return gettext("载入（或补全）部门、别名和部门组的参考名单；重复运行不产生重复数据。")

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, nargs="?", default=REGISTRY)

    def handle(self, *args, path: Path, **options):
        changes = registry_load(path)
        for line in changes:
            self.stdout.write(line)
        self.stdout.write(gettext("完成：%(count)s 项变化。") % {"count": len(changes)})
