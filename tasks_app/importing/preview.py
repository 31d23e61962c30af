"""What an import would do, before anything is saved: the admin's preview page and
``import_plan --dry-run`` show the same :class:`PlanPreview`.

The preview runs the loader in a dry run (one rolled-back transaction), so the units'
matches, the alias proposals and the list of changes are exactly what loading would do.
"""

from collections.abc import Collection
from dataclasses import dataclass, field

from django.utils.translation import gettext, ngettext

from common.formatting import cn_date
from common.i18n import join_list
from departments.choices import UnitMatch
from departments.units import UnitStatus

from ..choices import AssignmentRole, TargetKind
from . import FORMAT_LABELS
from .checks import plan_warnings
from .document import (
    SCORE_THRESHOLD,
    ParsedDriver,
    ParsedPlan,
    ParsedTarget,
    ParsedTask,
    ParseScore,
)
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
    departments: list[tuple[int, str]] = field(default_factory=list)  # to map unknown units to

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS.get(self.parsed.source_format, self.parsed.source_format)

    @property
    def drivers(self) -> list[DriverRow]:
        return [
            DriverRow(driver, [
                TaskRow(task, [UnitRow(u.name, u.role,
                                       self.result.units[self.result.foreign.get(u.name, u.name)])
                               for u in task.units])
                for task in driver.tasks
            ])
            for driver in self.parsed.drivers
        ]

    @property
    def score(self) -> ParseScore | None:
        return self.parsed.score

    @property
    def runner_up(self) -> ParseScore | None:
        return next((other for other in self.parsed.alternatives if not other.error), None)

    @property
    def needs_confirmation(self) -> bool:
        return self.parsed.needs_confirmation

    @property
    def low_score_reasons(self) -> list[str]:
        return low_score_reasons(self.parsed) if self.needs_confirmation else []

    @property
    def warnings(self) -> list[str]:
        """Everything the office should check before confirming (never silent)."""
        warnings = [w for w in plan_warnings(self.parsed) if w not in self.low_score_reasons]
        if self.result.unknown:
            warnings.append(ngettext(
                "%(count)d 个单位不在部门名录中，导入前须逐一选择新建或对应到现有部门",
                "%(count)d 个单位不在部门名录中，导入前须逐一选择新建或对应到现有部门",
                len(self.result.unknown)) % {"count": len(self.result.unknown)})
        return warnings

    @property
    def unassigned(self) -> list[ParsedTask]:
        return [task for task in self.parsed.tasks if not task.units]

    def lines(self) -> list[str]:
        """The preview as text, for the command line."""
        return [*_header(self), *_tasks(self), *_targets(self.parsed.targets),
                *_proposals(self.result), *_unknown(self.result), *_foreign(self.result),
                *_unparsed(self.parsed)]


def low_score_reasons(plan: ParsedPlan) -> list[str]:
    """Why a result scored low, in the words the preview and the command use."""
    score = plan.score
    reasons = [gettext("识别得分 %(score)s，低于 %(threshold)s：导入前须确认结果无误") % {
        "score": score.score, "threshold": SCORE_THRESHOLD}]
    if score.assigned < score.tasks:
        reasons.append(gettext("%(tasks)s 项任务中只有 %(assigned)s 项读出了责任单位") % {
            "tasks": score.tasks, "assigned": score.assigned})
    if score.unrecognised:
        reasons.append(gettext("任务之间有 %(count)s 行未能识别") % {"count": score.unrecognised})
    return reasons


def score_line(plan: ParsedPlan) -> str:
    """识别得分 … and the runner-up format."""
    score = plan.score
    if score is None:
        return ""
    line = gettext("识别得分：%(score)s/100（%(format)s：任务 %(tasks)s 项，有单位 %(assigned)s "
                   "项，"
                   "未识别 %(unrecognised)s 行）") % {
        "score": score.score, "format": score.format, "tasks": score.tasks,
        "assigned": score.assigned, "unrecognised": score.unrecognised}
    other = next((other for other in plan.alternatives if not other.error), None)
    if other is not None:
        line += gettext("；次优：%(format)s %(score)s") % {"format": other.format,
                                                        "score": other.score}
    return line


def plan_preview(
    parsed: ParsedPlan, *, accept_aliases: Collection[str] = (), accept_all_aliases: bool = False,
    directory: bool | None = None,
) -> PlanPreview:
    result = plan_load(parsed, dry_run=True, accept_aliases=accept_aliases,
                       accept_all_aliases=accept_all_aliases, directory=directory)
    return PlanPreview(parsed=parsed, result=result, exists=result.existed,
                       departments=result.departments if result.unknown else [])


def _header(preview: PlanPreview) -> list[str]:
    plan = preview.parsed
    period = ((gettext("%(start)s—%(end)s年") if plan.period_start != plan.period_end
               else gettext("%(start)s年")) % {"start": plan.period_start,
                                                "end": plan.period_end}
              if plan.period_start else "—")
    lines = [
        gettext("计划：%(code)s  %(title)s") % {"code": plan.code, "title": plan.title},
        gettext("格式：%(format)s（%(label)s）") % {"format": plan.source_format,
                                                 "label": preview.format_label},
        gettext("发文单位：%(issuer)s  成文日期：%(date)s  年度：%(period)s") % {
            "issuer": plan.issuer or "—", "date": cn_date(plan.signed_on) or "—",
            "period": period},
        gettext("状态：已有此计划，导入将更新") if preview.exists else gettext("状态：新计划"),
    ]
    lines += [gettext("文件规则：%(rule)s（已用于每项任务）") % {"rule": rule}
              for rule in plan.rules]
    if plan.score is not None:
        lines.append(score_line(plan))
    lines += [gettext("注意：%(reason)s") % {"reason": reason}
              for reason in [*preview.low_score_reasons, *preview.warnings]]
    lines.append(ngettext("战略驱动 %(count)d 个：", "战略驱动 %(count)d 个：", len(plan.drivers))
                 % {"count": len(plan.drivers)})
    lines += [ngettext("  (%(number)s) %(title)s — %(count)d 项任务",
                       "  (%(number)s) %(title)s — %(count)d 项任务", len(d.tasks))
              % {"number": d.number, "title": d.title, "count": len(d.tasks)}
              for d in plan.drivers]
    return lines


def _tasks(preview: PlanPreview) -> list[str]:
    lines = [gettext("任务 %(count)s 项（未分工 %(unassigned)s 项）：") % {
        "count": len(preview.parsed.tasks), "unassigned": len(preview.unassigned)}]
    for driver in preview.drivers:
        for row in driver.tasks:
            task = row.task
            due = (gettext("  完成时限：%(date)s") % {"date": cn_date(task.due_on)}
                   if task.due_on else "")
            lines.append(f"  {task.number}. {task.title}{due}")
            units = join_list(f"{u.name}[{u.role_label}·{u.status.label}]" for u in row.units)
            lines.append(gettext("     单位：%(units)s") % {"units": units} if units
                         else gettext("     单位：无（待牵头办公室分工）"))
            lines += [gettext("     依据：%(note)s → %(units)s") % {
                "note": note, "units": join_list(names)} for note, names in task.sources]
            lines += [gettext("     节点：%(title)s") % {"title": m.title}
                      + (f"({cn_date(m.due_on)})" if m.due_on else "")
                      for m in task.milestones]
    return lines


def _targets(targets: list[ParsedTarget]) -> list[str]:
    lines = [ngettext("指标 %(count)d 个：", "指标 %(count)d 个：", len(targets))
             % {"count": len(targets)}]
    for target in targets:
        value = "" if target.value is None else f"{target.value.normalize():f}"
        driver = (gettext(" 战略驱动（%(number)s）") % {"number": target.driver_number}
                  if target.driver_number else "")
        year = gettext("%(start)s年") % {"start": target.year} if target.year else "—"
        lines.append(f"  {target.name} {target.qualifier}{value}{target.unit}"
                     f"({year},{KIND_LABELS[target.kind]}{driver})")
    return lines


def _proposals(result: LoadResult) -> list[str]:
    if not result.proposals:
        return []
    lines = [gettext("别名建议（名称与现有部门相似，不会自动合并）：")]
    for status in result.proposals:
        state = (gettext("已采纳，将设为别名") if status.match == UnitMatch.ACCEPTED_ALIAS
                 else gettext("未采纳，将新建部门；用 --accept-aliases 采纳"))
        lines.append(f"  {status.name} → {status.department}({state})")
    return lines


def _unknown(result: LoadResult) -> list[str]:
    if not result.unknown:
        return []
    lines = [gettext("不在部门名录中的单位（须确认新建或对应到现有部门）：")]
    lines += [f"  {status.name}({status.label})" for status in result.unknown]
    return lines


def directory_line(result: LoadResult) -> str:
    return (gettext("部门名录：使用内置哈尔滨部门名录匹配单位") if result.directory_used
            else gettext("部门名录：未使用内置哈尔滨部门名录（非哈尔滨的计划）；单位按名称新建或"
                         "匹配"
                         "本系统已有的部门"))


def _foreign(result: LoadResult) -> list[str]:
    lines = [directory_line(result)]
    if result.foreign:
        lines.append(gettext("与哈尔滨部门同名的单位（不会匹配到哈尔滨的部门；如确是同一部门，"
                             "请选择使用内置名录）："))
        lines += [gettext("  %(name)s → 新建 %(created)s") % {"name": name, "created": created}
                  for name, created in result.foreign.items()]
    return lines


def _unparsed(plan: ParsedPlan) -> list[str]:
    lines = [gettext("未识别的行 %(count)s 行（不会导入）：") % {"count": len(plan.unparsed)}]
    return lines + [gettext("  第%(line)s行：%(text)s") % {"line": number, "text": text}
                    for number, text in plan.unparsed]
