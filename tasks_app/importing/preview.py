"""What an import would do, before anything is saved: the admin's preview page and
``import_plan --dry-run`` show the same :class:`PlanPreview`.

The preview runs the loader in a dry run (one rolled-back transaction), so the units'
matches, the alias proposals and the list of changes are exactly what loading would do.
"""

from collections.abc import Collection
from dataclasses import dataclass, field

from departments.choices import UnitMatch
from departments.units import UnitStatus

from ..choices import AssignmentRole, TargetKind
from ..formatting import cn_date
from ..models import Plan
from . import FORMAT_LABELS
from .document import ParsedDriver, ParsedPlan, ParsedTarget, ParsedTask
from .loader import LoadResult, plan_load

ROLE_LABELS = dict(AssignmentRole.choices)
KIND_LABELS = dict(TargetKind.choices)


@dataclass
class UnitRow:
    name: str
    role: str
    status: UnitStatus

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS[self.role])

    @property
    def is_new(self) -> bool:
        return self.status.match in (UnitMatch.NEW_DEPARTMENT, UnitMatch.NEW_GROUP,
                                     UnitMatch.PROPOSED_ALIAS)


@dataclass
class TaskRow:
    task: ParsedTask
    units: list[UnitRow] = field(default_factory=list)


@dataclass
class DriverRow:
    driver: ParsedDriver
    tasks: list[TaskRow] = field(default_factory=list)


@dataclass
class PlanPreview:
    parsed: ParsedPlan
    result: LoadResult
    exists: bool  # a plan with this code is already in Duban: loading updates it

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS.get(self.parsed.source_format, self.parsed.source_format)

    @property
    def drivers(self) -> list[DriverRow]:
        return [
            DriverRow(driver, [
                TaskRow(task, [UnitRow(u.name, u.role, self.result.units[u.name])
                               for u in task.units])
                for task in driver.tasks
            ])
            for driver in self.parsed.drivers
        ]

    @property
    def unassigned(self) -> list[ParsedTask]:
        return [task for task in self.parsed.tasks if not task.units]

    def lines(self) -> list[str]:
        """The preview as text, for the command line."""
        return [*_header(self), *_tasks(self), *_targets(self.parsed.targets),
                *_proposals(self.result), *_unparsed(self.parsed)]


def plan_preview(
    parsed: ParsedPlan, *, accept_aliases: Collection[str] = (), accept_all_aliases: bool = False
) -> PlanPreview:
    exists = Plan.objects.filter(code=parsed.code).exists()
    result = plan_load(parsed, dry_run=True, accept_aliases=accept_aliases,
                       accept_all_aliases=accept_all_aliases)
    return PlanPreview(parsed=parsed, result=result, exists=exists)


def _header(preview: PlanPreview) -> list[str]:
    plan = preview.parsed
    period = (f"{plan.period_start}—{plan.period_end}年" if plan.period_start != plan.period_end
              else f"{plan.period_start}年") if plan.period_start else "—"
    lines = [
        f"计划:{plan.code}  {plan.title}",
        f"格式:{plan.source_format}({preview.format_label})",
        f"发文单位:{plan.issuer or '—'}  成文日期:{cn_date(plan.signed_on) or '—'}  年度:{period}",
        "状态:已有此计划,导入将更新" if preview.exists else "状态:新计划",
    ]
    lines += [f"文件规则:{rule}(已用于每项任务)" for rule in plan.rules]
    lines.append(f"战略驱动 {len(plan.drivers)} 个:")
    lines += [f"  ({d.number}) {d.title} — {len(d.tasks)} 项任务" for d in plan.drivers]
    return lines


def _tasks(preview: PlanPreview) -> list[str]:
    lines = [f"任务 {len(preview.parsed.tasks)} 项(未分工 {len(preview.unassigned)} 项):"]
    for driver in preview.drivers:
        for row in driver.tasks:
            task = row.task
            due = f"  完成时限:{cn_date(task.due_on)}" if task.due_on else ""
            lines.append(f"  {task.number}. {task.title}{due}")
            units = "、".join(f"{u.name}[{u.role_label}·{u.status.label}]" for u in row.units)
            lines.append(f"     单位:{units}" if units else "     单位:无(待牵头办公室分工)")
            lines += [f"     节点:{m.title}" + (f"({cn_date(m.due_on)})" if m.due_on else "")
                      for m in task.milestones]
    return lines


def _targets(targets: list[ParsedTarget]) -> list[str]:
    lines = [f"指标 {len(targets)} 个:"]
    for target in targets:
        value = "" if target.value is None else f"{target.value.normalize():f}"
        driver = f" 战略驱动({target.driver_number})" if target.driver_number else ""
        lines.append(f"  {target.name} {target.qualifier}{value}{target.unit}"
                     f"({target.year or '—'}年,{KIND_LABELS[target.kind]}{driver})")
    return lines


def _proposals(result: LoadResult) -> list[str]:
    if not result.proposals:
        return []
    lines = ["别名建议(名称与现有部门相似,不会自动合并):"]
    for status in result.proposals:
        state = ("已采纳,将设为别名" if status.match == UnitMatch.ACCEPTED_ALIAS
                 else "未采纳,将新建部门;用 --accept-aliases 采纳")
        lines.append(f"  {status.name} → {status.department}({state})")
    return lines


def _unparsed(plan: ParsedPlan) -> list[str]:
    lines = [f"未识别的行 {len(plan.unparsed)} 行(不会导入):"]
    return lines + [f"  第{number}行:{text}" for number, text in plan.unparsed]
