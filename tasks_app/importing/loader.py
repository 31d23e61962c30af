"""Load a :class:`ParsedPlan` into the database in one transaction.

Idempotent: the plan is found by its code, drivers and tasks by number, targets by name and
year, assignments by (task, unit), milestones by (task, title). Loading the same document
twice changes nothing. Work the lead office did after an import (a lead given to task 1, a
role changed, a milestone moved) is never undone: the loader adds and updates what the
document says, and deletes nothing.

The cost does not grow with the document: what exists is read in a few queries (every
department, alias and group name at once; the plan's drivers, tasks, assignments, milestones
and targets when it exists), and new rows and history rows are written with one bulk insert
or update per table. A dry run (the preview) runs the same code and writes nothing: new rows
get stand-in ids (negative, never saved).

Every unit name is reviewed first (``LoadResult.units``): a new name that looks like a known
department is created as a new department unless its alias proposal is accepted
(``accept_aliases``), in which case it becomes that department's alias.
"""

import copy
import itertools
import json
import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from departments.choices import UnitMatch
from departments.units import UnitResolver, UnitStatus

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
    TaskEvent,
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
    existed: bool = False  # the plan was in the database before: loading updates it
    departments: list[tuple[int, str]] = field(default_factory=list)  # saved ones, by name

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
    # A dry run writes nothing, so it needs no transaction (and no savepoint in a request's).
    with nullcontext() if dry_run else transaction.atomic():
        resolver = UnitResolver(dry_run=dry_run)
        registry_changes = resolver.registry_apply(registry) if use else []
        result = LoadResult(plan=None, dry_run=dry_run, directory_used=bool(use))
        if available and not use:
            mapped = set(unit_map or {})  # a name the office mapped keeps its own spelling
            parsed = _qualify_foreign(parsed, directory_names(registry) - mapped, result)
        store = _Store(dry_run)
        for line in registry_changes:
            result.note("departments", line)
        accepted = None if accept_all_aliases else set(accept_aliases)
        _map_units(parsed, resolver, result, unit_map or {})
        _review_units(parsed, resolver, result, accepted)
        if decided is not None and (undecided := [
                status.name for status in result.unknown
                if status.name not in decided and status.match != UnitMatch.ACCEPTED_ALIAS]):
            raise UnitsUndecided(undecided)
        resolver.aliases_save()
        resolver.resolve_all(result.units)
        plan = result.plan = _upsert_plan(parsed, resolver, result, store)
        drivers = _upsert_drivers(plan, parsed, result, store)
        tasks = _upsert_tasks(plan, parsed, drivers, result, store)
        _add_task_assignments(plan, parsed, tasks, resolver, result, actor, store)
        _add_milestones(plan, parsed, tasks, result, store)
        _upsert_targets(plan, parsed, drivers, resolver, result, store)
        if not dry_run:
            store.history_save()
            refresh_task_statuses({task.pk for task in tasks.values()}, actor=actor,
                                  reason=gettext("导入文件 %(plan)s") % {"plan": plan.code})
            periods_open(plans=[plan], today=timezone.localdate())  # pages only read periods
        for unit in resolver.created:
            status = result.units.get(unit.name)
            result.note("departments", _created_unit(unit, status))
        result.existed = store.existed
        result.departments = sorted(((d.pk, d.name) for d in resolver.departments.values()
                                     if d.pk is not None and d.pk > 0), key=lambda d: d[1])
    return result


class _Store:
    """The load's writes: bulk inserts and updates, or nothing in a dry run.

    ``existed`` says whether the plan was in the database before: a new plan has no rows to
    read back. History rows are collected and written in one insert at the end.
    """

    def __init__(self, dry_run: bool) -> None:
        self.dry_run = dry_run
        self.existed = False
        self.events: list[TaskEvent] = []
        self._stand_in = itertools.count(-1, -1)

    def insert(self, model: type[Model], rows: Sequence[Model]) -> None:
        if not self.dry_run:
            model.objects.bulk_create(rows)
            return
        for row in rows:
            row.pk = next(self._stand_in)

    def update(self, model: type[Model], rows: Sequence[Model], fields: list[str]) -> None:
        if rows and not self.dry_run:
            model.objects.bulk_update(rows, fields)

    def existing(self, queryset: QuerySet) -> list:
        """The plan's rows of ``queryset``; none (and no query) for a new plan."""
        return list(queryset) if self.existed else []

    def history_save(self) -> None:
        record(*self.events)
        self.events = []


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
    departments = {d.pk: d for d in resolver.departments.values() if d.pk is not None}
    for name, pk in wanted.items():
        if pk not in departments:
            raise ImportFailed(gettext("单位“%(name)s”对应的部门不存在") % {"name": name})
        resolver.alias_add(name, departments[pk])
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


def _upsert_plan(
    parsed: ParsedPlan, resolver: UnitResolver, result: LoadResult, store: "_Store"
) -> Plan:
    lead_office = resolver.resolve(parsed.lead_office).department if parsed.lead_office else None
    values = {
        "title": parsed.title, "issuer": parsed.issuer, "signed_on": parsed.signed_on,
        "published_on": parsed.published_on, "period_start": parsed.period_start,
        "period_end": parsed.period_end, "parent_policy": parsed.parent_policy,
        "source_format": parsed.source_format, "source_text": parsed.source_text,
    }
    if lead_office is not None:
        values["lead_office"] = lead_office
    plan = (Plan.objects.filter(code=parsed.code)
            .select_related("schedule", "lead_office").first())
    store.existed = plan is not None
    if plan is None:
        today = timezone.localdate()
        plan = Plan(code=parsed.code, tracking_start=today.replace(day=1),
                    source_name=parsed.source_name[:255], **values)
        store.insert(Plan, [plan])
        # also caches plan.schedule; the cadence the plan's text demands (rules.plan_text)
        schedule = Schedule(plan=plan, **schedule_from_text(parsed.source_text))
        store.insert(Schedule, [schedule])
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
    if diffs and not store.dry_run:
        plan.save()  # one row; save() also sets updated_at
    return plan


def _upsert_drivers(
    plan: Plan, parsed: ParsedPlan, result: LoadResult, store: _Store
) -> dict[int, Driver]:
    existing = {driver.number: driver for driver in store.existing(plan.drivers.all())}
    new, changed = [], []
    for item in parsed.drivers:
        driver = existing.get(item.number)
        if driver is None:
            driver = Driver(plan=plan, number=item.number, title=item.title)
            new.append(driver)
            existing[item.number] = driver
            result.note("drivers", gettext("新增战略驱动（%(number)s）%(title)s")
                        % {"number": item.number, "title": item.title})
        elif driver.title != item.title:
            result.note("drivers", gettext("更新战略驱动（%(number)s）：%(before)s → %(after)s")
                        % {"number": item.number, "before": driver.title, "after": item.title})
            driver.title = item.title
            changed.append(driver)
    store.insert(Driver, new)
    store.update(Driver, changed, ["title"])
    return existing


def _upsert_tasks(
    plan: Plan, parsed: ParsedPlan, drivers: dict[int, Driver], result: LoadResult,
    store: _Store,
) -> dict[int, Task]:
    existing = {task.number: task for task in store.existing(plan.tasks.all())}
    new, changed, events = [], [], store.events
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
    store.insert(Task, new)
    store.update(Task, changed, ["title", "text", "driver_id", "due_on"])
    return existing


def _add_task_assignments(
    plan: Plan, parsed: ParsedPlan, tasks: dict[int, Task], resolver: UnitResolver,
    result: LoadResult, actor: User | None, store: _Store,
) -> None:
    existing = {
        (a.task_id, a.department_id, a.group_id)
        for a in store.existing(Assignment.objects.filter(task__plan=plan)
                                .exclude(state="transferred")
                                .only("task_id", "department_id", "group_id"))
    }
    taken_departments = {(task_id, dept) for task_id, dept, _ in existing if dept}
    ack_due_on = add_working_days(timezone.localdate(), plan.schedule.ack_working_days)
    new, events = [], store.events
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
                task=task, plan_id=task.plan_id, department_id=department_id,
                group_id=group_id,
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
    store.insert(Assignment, new)


def _add_milestones(
    plan: Plan, parsed: ParsedPlan, tasks: dict[int, Task], result: LoadResult, store: _Store
) -> None:
    """Add the document's milestones a task does not have yet (by title); change none."""
    existing = {(m.task_id, m.title) for m in store.existing(
        Milestone.objects.filter(task__plan=plan).only("task_id", "title"))}
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
    store.insert(Milestone, new)


def _upsert_targets(
    plan: Plan, parsed: ParsedPlan, drivers: dict[int, Driver], resolver: UnitResolver,
    result: LoadResult, store: _Store,
) -> None:
    """Targets in bulk: insert the new ones, then set parents, then update what changed."""
    existing = {(t.name, t.year): t for t in store.existing(plan.targets.all())}
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
    store.insert(Target, new)
    by_name: dict[str, Target] = {}
    for item, target in links:
        parent = by_name.get(item.parent) if item.parent else None
        if target.parent_id != (parent.pk if parent else None):
            target.parent_id = parent.pk if parent else None
            changed[target.pk], fields = target, fields | {"parent_id"}
        by_name[item.name] = target
    store.update(Target, list(changed.values()), sorted(fields))
    new_ids = {target.pk for target in new}
    for target in changed.values():
        if target.pk not in new_ids:
            result.note("targets", gettext("更新指标 %(name)s") % {"name": target.name})
    _add_target_assignments(plan, links, resolver, result, store)


def _add_target_assignments(
    plan: Plan, links: list, resolver: UnitResolver, result: LoadResult, store: _Store
) -> None:
    existing = {(a.target_id, a.department_id, a.group_id) for a in store.existing(
        TargetAssignment.objects.filter(target__plan=plan)
        .only("target_id", "department_id", "group_id"))}
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
    store.insert(TargetAssignment, new)
