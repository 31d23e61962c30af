import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ...selectors.plans import plan_export


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _("以 JSON（UTF-8）输出一个计划：文件信息、战略驱动、任务及责任单位（原文写法）、"
                 "目标指标。")

    def add_arguments(self, parser):
        parser.add_argument("code", help=_("计划文号，如 哈经开委发〔2023〕1号"))

    def handle(self, *args, code: str, **options):
        data = plan_export(code)
        if data is None:
            raise CommandError(_("找不到计划 %(code)s") % {"code": code})
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
