"""python manage.py export_ledger PLAN_CODE --out FILE.xlsx [filters like the task list]."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from django.utils.translation import gettext as _

from departments.access import Access
from departments.models import Department

from ...choices import AssignmentRole, Health, TaskStatus
from ...documents.ledger import ledger_workbook
from ...models import Plan
from ...selectors.ledger import ledger_for

EVERYTHING = Access(user_id=None, is_lead_office=True)


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _("导出计划的督办台账（.xlsx）：每个任务 × 部门一行，含最近一次报送的进展、问题和"
                 "计划。"
                 "过滤条件与任务列表（/api/v1/tasks/）相同。")

    def add_arguments(self, parser):
        parser.add_argument("code", help=_("计划文号，如 哈经开委发〔2023〕1号"))
        parser.add_argument("--out", required=True, help=_("输出文件，如 台账.xlsx"))
        parser.add_argument("--department", help=_("部门名称或 id：只导出该部门的行"))
        parser.add_argument("--role", choices=AssignmentRole.values,
                            help=_("与 --department 同用时限定该部门的角色"))
        parser.add_argument("--driver", type=int, help=_("战略驱动序号"))
        parser.add_argument("--status", action="append", choices=TaskStatus.values,
                            help=_("任务状态（可重复）"))
        parser.add_argument("--health", action="append", choices=Health.values,
                            help=_("预警状态（可重复）"))
        parser.add_argument("--due-after", help=_("完成时限不早于 YYYY-MM-DD"))
        parser.add_argument("--due-before", help=_("完成时限不晚于 YYYY-MM-DD"))

    def _params(self, plan: Plan, options: dict) -> QueryDict:
        params = QueryDict(mutable=True)
        params["plan"] = str(plan.pk)
        if options["department"]:
            params["department"] = str(self._department(options["department"]))
        if options["driver"] is not None:
            driver = plan.drivers.filter(number=options["driver"]).first()
            if driver is None:
                raise CommandError(_("计划 %(plan)s 没有序号为 %(number)s 的战略驱动")
                                   % {"plan": plan.code, "number": options["driver"]})
            params["driver"] = str(driver.pk)
        for name in ("role", "due_after", "due_before"):
            if options[name]:
                params[name] = options[name]
        for name in ("status", "health"):
            params.setlist(name, options[name] or [])
        return params

    def _department(self, value: str) -> int:
        found = Department.objects.filter(name=value).values_list("pk", flat=True).first()
        if found is None and value.isdigit():
            found = Department.objects.filter(pk=int(value)).values_list("pk", flat=True).first()
        if found is None:
            raise CommandError(_("找不到部门 %(name)s") % {"name": value})
        return found

    def handle(self, *args, code: str, out: str, **options):
        plan = Plan.objects.filter(code=code).first()
        if plan is None:
            raise CommandError(_("找不到计划 %(code)s") % {"code": code})
        try:
            result = ledger_for(EVERYTHING, self._params(plan, options))
        except ValidationError as error:
            raise CommandError("；".join(f"{k}：{' '.join(v)}"
                                        for k, v in error.message_dict.items())) from error
        Path(out).write_bytes(ledger_workbook(result))
        self.stdout.write(_("%(file)s: %(tasks)s 项任务，%(rows)s 行") % {
            "file": out, "tasks": result.task_count, "rows": len(result.rows)})
