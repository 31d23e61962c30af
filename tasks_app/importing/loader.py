"""Load a :class:`ParsedPlan` into the database in one transaction.

Idempotent: the plan is found by its code, drivers and tasks by number, targets by name and
year, assignments by (task, unit), milestones by (task, title). Loading the same document
twice changes nothing. Work the lead office did after an import (a lead given to task 1, a
role changed, a milestone moved) is never undone: the loader adds and updates what the
document says, and deletes nothing.

Every unit name is reviewed first (``LoadResult.units``): a new name that looks like a known
department is created as a new department unless its alias proposal is accepted
(``accept_aliases``), in which case it becomes that department's alias.
"""

import copy
import json
import re
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from departments.choices import UnitMatch
from departments.models import Department, DepartmentAlias
from departments.units import UnitResolver, UnitStatus, registry_load

from ..choices import AssignmentRole, EventKind
from ..history import record, task_event
from ..lifecycle import refresh_task_statuses
from ..models import (
    Assignment,
    Driver,
    Milestone,
    Plan,
    Schedule,
    Target,
    TargetAssignment,
    Task,
)
from ..rules.plan_text import schedule_from_text
from ..services.periods import periods_open
from ..workdays import add_working_days
from .document import ImportFailed, ParsedPlan

REGISTRY = Path(settings.BASE_DIR) / "seeds" / "departments.json"
HARBIN = re.compile(r"哈尔滨|哈经开|松北|深哈")  # plans of the deployment the bundled list serves


def is_harbin_plan(parsed: ParsedPlan) -> bool:
    """A plan of Harbin (its issuer, code, title or opening lines say so)."""
    head = " ".join([parsed.issuer, parsed.code, parsed.title, parsed.source_text[:600]])
    return bool(HARBIN.search(head))


def directory_names(path: Path) -> set[str]:
    """Every name (departments, aliases, groups) of the bundled department list."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    names = {row["name"] for row in data.get("departments", [])}
    names |= {alias for row in data.get("departments", []) for alias in row.get("aliases", [])}
    return names | {row["name"] for row in data.get("groups", [])}
_ROLE_LABEL = dict(AssignmentRole.choices)
NEW_UNIT = (UnitMatch.NEW_DEPARTMENT, UnitMatch.NEW_GROUP, UnitMatch.PROPOSED_ALIAS)


class UnitsUndecided(ImportFailed):
    """Units the directory does not know, with no decision (create or map) from the office."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        super().__init__(gettext("以下 %(count)s 个单位不在部门名录中，请逐一选择“新建”或"
                                 "对应到现有部门后再导入：%(names)s")
                         % {"count": len(names), "names": "、".join(names)})


@dataclass
class LoadResult:
    plan: Plan | None
    dry_run: bool
    changes: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    units: dict[str, UnitStatus] = field(default_factory=dict)  # in document order
    directory_used: bool = True  # the bundled Harbin department list matched the names
    foreign: dict[str, str] = field(default_factory=dict)  # name as written → name created

    @property
    def unknown(self) -> list[UnitStatus]:
        """Names the directory does not know: each needs the office's yes (create or map)."""
        return [status for status in self.units.values() if status.match in NEW_UNIT]

    @property
    def proposals(self) -> list[UnitStatus]:
        """Alias proposals: accepted ones included (their ``match`` says so)."""
        wanted = (UnitMatch.PROPOSED_ALIAS, UnitMatch.ACCEPTED_ALIAS)
        return [status for status in self.units.values() if status.match in wanted]

    def note(self, counter: str, line: str) -> None:
        self.counts[counter] += 1
        self.changes.append(line)


def plan_load(
    parsed: ParsedPlan,
    *,
    actor: User | None = None,
    dry_run: bool = False,
    registry: Path | None = REGISTRY,
    accept_aliases: Collection[str] = (),
    accept_all_aliases: bool = False,
    directory: bool | None = None,
    unit_map: Mapping[str, int] | None = None,
    decided: Collection[str] | None = None,
) -> LoadResult:
    """Create or update the plan described by ``parsed``; with ``dry_run`` write nothing.

    ``accept_aliases`` names the proposed aliases the user accepted (or all of them with
    ``accept_all_aliases``); other look-alike names become new departments.

    The bundled Harbin department list (``registry``) is loaded and matched only for Harbin
    plans, or when the office chooses it (``directory=True``). In a plan of another issuer a
    unit named like one of that list (区发改局) is not that department: it is created as
    ``区发改局(issuer)`` and listed in ``LoadResult.foreign``.
    """
    available = registry is not None and registry.exists()
    use = available and (directory if directory is not None else is_harbin_plan(parsed))
    with transaction.atomic():
        registry_changes = registry_load(registry) if use else []
        result = LoadResult(plan=None, dry_run=dry_run, directory_used=bool(use))
        if available and not use:
            mapped = set(unit_map or {})  # a name the office mapped keeps its own spelling
            parsed = _qualify_foreign(parsed, directory_names(registry) - mapped, result)
        resolver = UnitResolver()
        for line in registry_changes:
            result.note("departments", line)
        accepted = None if accept_all_aliases else set(accept_aliases)
        _map_units(parsed, resolver, result, unit_map or {})
        _review_units(parsed, resolver, result, accepted)
        if decided is not None and (undecided := [
                status.name for status in result.unknown
                if status.name not in decided and status.match != UnitMatch.ACCEPTED_ALIAS]):
            raise UnitsUndecided(undecided)
        resolver.resolve_all(result.units)
        plan = result.plan = _upsert_plan(parsed, resolver, result)
        drivers = _upsert_drivers(plan, parsed, result)
        tasks = _upsert_tasks(plan, parsed, drivers, result)
        _add_task_assignments(plan, parsed, tasks, resolver, result, actor)
        _add_milestones(plan, parsed, tasks, result)
        _upsert_targets(plan, parsed, drivers, resolver, result)
        periods_open(plans=[plan], today=timezone.localdate())  # pages only read periods
        for unit in resolver.created:
            status = result.units.get(unit.name)
            result.note("departments", _created_unit(unit, status))
        if dry_run:
            transaction.set_rollback(True)
    return result


def _qualify_foreign(parsed: ParsedPlan, names: set[str], result: LoadResult) -> ParsedPlan:
    """A copy of ``parsed`` whose units named like the bundled list's carry the issuer."""
    titled = parsed.title if parsed.title != "未命名计划" else ""
    owner = (parsed.issuer or titled[:16] or gettext("外单位")).strip()
    parsed = copy.deepcopy(parsed)
    units = [u for task in parsed.tasks for u in task.units]
    units += [u for target in parsed.targets for u in target.units]
    for unit in units:
        if unit.name in names:
            result.foreign[unit.name] = f"{unit.name}（{owner}）"
            unit.name = result.foreign[unit.name]
    if parsed.lead_office in names:
        result.foreign[parsed.lead_office] = f"{parsed.lead_office}（{owner}）"
        parsed.lead_office = result.foreign[parsed.lead_office]
    return parsed


def _map_units(
    parsed: ParsedPlan, resolver: UnitResolver, result: LoadResult, unit_map: Mapping[str, int]
) -> None:
    """Names the office mapped to an existing department become that department's aliases."""
    names = set(_unit_names(parsed))
    wanted = {name: pk for name, pk in unit_map.items() if name in names
              and name not in resolver.departments and name not in resolver.aliases}
    departments = Department.objects.in_bulk(set(wanted.values()))
    for name, pk in wanted.items():
        if pk not in departments:
            raise ImportFailed(gettext("单位“%(name)s”对应的部门不存在") % {"name": name})
        DepartmentAlias.objects.create(alias=name, department=departments[pk])
        resolver.aliases[name] = departments[pk]
        result.note("departments", gettext("新增别名 %(alias)s → %(name)s")
                    % {"alias": name, "name": departments[pk].name})


def _created_unit(unit, status: UnitStatus | None) -> str:
    if unit._meta.model_name == "departmentgroup":
        line = gettext("新增部门组 %(name)s") % {"name": unit.name}
    else:
        line = gettext("新增部门 %(name)s") % {"name": unit.name}
    if status and status.match == UnitMatch.PROPOSED_ALIAS:
        line += gettext("（与现有部门 %(department)s 相似，未设为别名）") % {
            "department": status.department}
    return line


def _unit_names(parsed: ParsedPlan) -> list[str]:
    names = [unit.name for task in parsed.tasks for unit in task.units]
    names += [unit.name for target in parsed.targets for unit in target.units]
    return list(dict.fromkeys(names + ([parsed.lead_office] if parsed.lead_office else [])))


def _review_units(
    parsed: ParsedPlan, resolver: UnitResolver, result: LoadResult, accepted: set[str] | None
) -> None:
    """Classify every name; record the accepted alias proposals as aliases."""
    for name in _unit_names(parsed):
        status = resolver.classify(name)
        if status.match == UnitMatch.PROPOSED_ALIAS and (accepted is None or name in accepted):
            department = resolver.alias_accept(name)
            status = UnitStatus(name, UnitMatch.ACCEPTED_ALIAS, department.name)
            result.note("departments", gettext("新增别名 %(alias)s → %(name)s")
                        % {"alias": name, "name": department.name})
        result.units[name] = status
    for name in sorted((accepted or set()) - set(result.units)):
        result.changes.append(gettext("忽略别名 %(name)s：文件中没有这个单位名称") % {"name": name})


def _upsert_plan(parsed: ParsedPlan, resolver: UnitResolver, result: LoadResult) -> Plan:
    lead_office = resolver.resolve(parsed.lead_office).department if parsed.lead_office else None
    values = {
        "title": parsed.title, "issuer": parsed.issuer, "signed_on": parsed.signed_on,
        "published_on": parsed.published_on, "period_start": parsed.period_start,
        "period_end": parsed.period_end, "parent_policy": parsed.parent_policy,
        "source_format": parsed.source_format, "source_text": parsed.source_text,
    }
    if lead_office is not None:
        values["lead_office"] = lead_office
    plan = Plan.objects.filter(code=parsed.code).first()
    if plan is None:
        today = timezone.localdate()
        plan = Plan.objects.create(code=parsed.code, tracking_start=today.replace(day=1),
                                   source_name=parsed.source_name[:255], **values)
        Schedule.objects.create(plan=plan, **schedule_from_text(parsed.source_text))
        result.note("plans", gettext("新增计划 %(code)s %(title)s")
                    % {"code": plan.code, "title": plan.title})
        return plan
    diffs = [name for name, value in values.items() if getattr(plan, name) != value]
    for name in diffs:
        label = Plan._meta.get_field(name).verbose_name
        shown = (gettext("（原文）") if name == "source_text"
                 else f"{getattr(plan, name)} → {values[name]}")
        result.note("plans", gettext("更新计划%(field)s：%(change)s")
                    % {"field": label, "change": shown})
        setattr(plan, name, values[name])
    if diffs:
        plan.save()
    return plan


def _upsert_drivers(plan: Plan, parsed: ParsedPlan, result: LoadResult) -> dict[int, Driver]:
    existing = {driver.number: driver for driver in plan.drivers.all()}
    new, changed = [], []
    for item in parsed.drivers:
        driver = existing.get(item.number)
        if driver is None:
            driver = Driver(plan=plan, number=item.number, title=item.title)
            new.append(driver)
            existing[item.number] = driver
            result.note("drivers", gettext("新增战略驱动 (%(number)s) %(title)s")
                        % {"number": item.number, "title": item.title})
        elif driver.title != item.title:
            result.note("drivers", gettext("更新战略驱动 (%(number)s):%(before)s → %(after)s")
                        % {"number": item.number, "before": driver.title, "after": item.title})
            driver.title = item.title
            changed.append(driver)
    Driver.objects.bulk_create(new)
    Driver.objects.bulk_update(changed, ["title"])
    return existing


def _upsert_tasks(
    plan: Plan, parsed: ParsedPlan, drivers: dict[int, Driver], result: LoadResult
) -> dict[int, Task]:
    existing = {task.number: task for task in plan.tasks.all()}
    new, changed, events = [], [], []
    for driver_item in parsed.drivers:
        driver = drivers[driver_item.number]
        for item in driver_item.tasks:
            values = {"title": item.title, "text": item.text, "driver_id": driver.pk}
            if item.due_on:
                values["due_on"] = item.due_on
            task = existing.get(item.number)
            if task is None:
                task = Task(plan=plan, number=item.number, original_due_on=item.due_on, **values)
                new.append(task)
                existing[item.number] = task
                result.note("tasks", gettext("新增任务 %(number)s. %(title)s")
                            % {"number": item.number, "title": item.title})
                continue
            diffs = [name for name, value in values.items() if getattr(task, name) != value]
            if diffs:
                for name in diffs:
                    label = Task._meta.get_field(name.removesuffix("_id")).verbose_name
                    events.append(task_event(task, EventKind.FIELD, field=name,
                                             before=getattr(task, name), after=values[name],
                                             reason=gettext("重新导入文件")))
                    setattr(task, name, values[name])
                    result.note("tasks", gettext("更新任务 %(number)s 的%(field)s")
                                % {"number": item.number, "field": label})
                changed.append(task)
    Task.objects.bulk_create(new)
    Task.objects.bulk_update(changed, ["title", "text", "driver_id", "due_on"])
    record(*events)
    return existing


def _add_task_assignments(
    plan: Plan, parsed: ParsedPlan, tasks: dict[int, Task], resolver: UnitResolver,
    result: LoadResult, actor: User | None,
) -> None:
    existing = {
        (a.task_id, a.department_id, a.group_id)
        for a in Assignment.objects.filter(task__plan=plan).exclude(state="transferred")
    }
    taken_departments = {(task_id, dept) for task_id, dept, _ in existing if dept}
    ack_due_on = add_working_days(timezone.localdate(), plan.schedule.ack_working_days)
    new, events = [], []
    for item in parsed.tasks:
        task = tasks[item.number]
        for position, parsed_unit in enumerate(item.units):
            unit = resolver.resolve(parsed_unit.name)
            department_id = unit.department.pk if unit.department else None
            group_id = unit.group.pk if unit.group else None
            if (task.pk, department_id, group_id) in existing:
                continue
            if department_id and (task.pk, department_id) in taken_departments:
                result.changes.append(
                    gettext("保留任务 %(number)s 中 %(unit)s 的现有分工（与文件不同）")
                    % {"number": item.number, "unit": parsed_unit.name})
                continue
            new.append(Assignment(
                task=task, department_id=department_id, group_id=group_id,
                role=parsed_unit.role, source_text=parsed_unit.name, position=position,
                ack_due_on=ack_due_on if department_id else None,
            ))
            existing.add((task.pk, department_id, group_id))
            label = _ROLE_LABEL[parsed_unit.role]
            events.append(task_event(
                task, EventKind.ASSIGNMENT_ADDED, actor=actor, department_id=department_id,
                field="assignment", after=f"{parsed_unit.name}（{label}）",
                reason=gettext("导入文件 %(plan)s") % {"plan": plan.code},
            ))
            result.note("assignments", gettext("新增分工 任务%(number)s %(unit)s %(role)s") % {
                "number": item.number, "unit": parsed_unit.name, "role": label})
    Assignment.objects.bulk_create(new)
    record(*events)
    refresh_task_statuses({task.pk for task in tasks.values()}, actor=actor,
                          reason=gettext("导入文件 %(plan)s") % {"plan": plan.code})


def _add_milestones(
    plan: Plan, parsed: ParsedPlan, tasks: dict[int, Task], result: LoadResult
) -> None:
    """Add the document's milestones a task does not have yet (by title); change none."""
    existing = {(m.task_id, m.title) for m in Milestone.objects.filter(task__plan=plan)}
    new = []
    for item in parsed.tasks:
        task = tasks[item.number]
        for position, milestone in enumerate(item.milestones):
            if (task.pk, milestone.title) in existing:
                continue
            existing.add((task.pk, milestone.title))
            new.append(Milestone(task=task, title=milestone.title, due_on=milestone.due_on,
                                 position=position))
            result.note("milestones", gettext("新增任务 %(number)s 的节点：%(milestone)s")
                        % {"number": item.number, "milestone": milestone.title})
    Milestone.objects.bulk_create(new)


def _upsert_targets(
    plan: Plan, parsed: ParsedPlan, drivers: dict[int, Driver], resolver: UnitResolver,
    result: LoadResult,
) -> None:
    """Targets in bulk: insert the new ones, then set parents, then update what changed."""
    existing = {(t.name, t.year): t for t in plan.targets.all()}
    new, changed, fields, links = [], {}, set(), []
    for position, item in enumerate(parsed.targets):
        driver = drivers.get(item.driver_number) if item.driver_number else None
        values = {
            "kind": item.kind, "value": item.value, "unit": item.unit,
            "qualifier": item.qualifier, "source_text": item.source_text,
            "driver_id": driver.pk if driver else None, "position": position,
        }
        target = existing.get((item.name, item.year))
        if target is None:
            target = Target(plan=plan, name=item.name, year=item.year, **values)
            existing[(item.name, item.year)] = target
            new.append(target)
            shown = "" if item.value is None else f"{item.value.normalize():f}"
            result.note("targets", gettext("新增指标 %(name)s %(value)s") % {
                "name": item.name, "value": f"{item.qualifier}{shown}{item.unit}"})
        else:
            diffs = {n for n, v in values.items() if getattr(target, n) != v}
            for name in diffs:
                setattr(target, name, values[name])
            if diffs:
                changed[target.pk], fields = target, fields | diffs
        links.append((item, target))
    Target.objects.bulk_create(new)
    by_name: dict[str, Target] = {}
    for item, target in links:
        parent = by_name.get(item.parent) if item.parent else None
        if target.parent_id != (parent.pk if parent else None):
            target.parent_id = parent.pk if parent else None
            changed[target.pk], fields = target, fields | {"parent_id"}
        by_name[item.name] = target
    if changed:
        Target.objects.bulk_update(list(changed.values()), sorted(fields))
    new_ids = {target.pk for target in new}
    for target in changed.values():
        if target.pk not in new_ids:
            result.note("targets", gettext("更新指标 %(name)s") % {"name": target.name})
    _add_target_assignments(plan, links, resolver, result)


def _add_target_assignments(
    plan: Plan, links: list, resolver: UnitResolver, result: LoadResult
) -> None:
    existing = {(a.target_id, a.department_id, a.group_id)
                for a in TargetAssignment.objects.filter(target__plan=plan)}
    taken = {(target, department) for target, department, _ in existing if department}
    new = []
    for item, target in links:
        added = 0
        for position, parsed_unit in enumerate(item.units):
            unit = resolver.resolve(parsed_unit.name)
            department_id = unit.department.pk if unit.department else None
            key = (target.pk, department_id, unit.group.pk if unit.group else None)
            if key in existing or (department_id and (target.pk, department_id) in taken):
                continue
            existing.add(key)
            new.append(TargetAssignment(
                target=target, department_id=key[1], group_id=key[2], role=parsed_unit.role,
                source_text=parsed_unit.name, position=position,
            ))
            added += 1
        if added:
            result.note("assignments", ngettext("新增指标 %(name)s 的责任单位 %(count)d 个",
                                                "新增指标 %(name)s 的责任单位 %(count)d 个",
                                                added) % {"name": target.name, "count": added})
    TargetAssignment.objects.bulk_create(new)
