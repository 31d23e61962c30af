"""Who may see a task and act on it. One place, used by the portal, the API and the admin.

A department works on a task when it has a live part in it, directly or as a member of a
group named on it (各相关部门). Managers and the lead office read everything. Everything
else is invisible: views answer 404, never 403, so a task's existence does not leak.
"""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from departments.access import Access
from departments.models import DepartmentGroup

from .choices import AssignmentRole
from .models import Assignment, ProgressReport, Target, TargetAssignment, Task
from .rules.states import INACTIVE_PARTS, own_part


def live_parts() -> QuerySet[Assignment]:
    return Assignment.objects.exclude(state__in=INACTIVE_PARTS)


def _held(department_ids, role: str | None, column: str) -> QuerySet:
    """``column`` of the live parts these departments hold (of ``role``), directly or through
    a group, as a subquery: the UNION of two index scans. PostgreSQL estimates each arm from
    its statistics; for "department IN … OR group IN (subquery)" it expected half the city's
    parts (17,852 for 118) and planned every join around the subquery for that."""
    memberships = DepartmentGroup.members.through.objects.filter(
        department_id__in=department_ids)
    direct = live_parts().filter(department_id__in=department_ids)
    grouped = live_parts().filter(group_id__in=memberships.values("departmentgroup_id"))
    if role:
        # A department's own part governs (department_ids_on_task): through a group it holds
        # the group's role only on a task where it has no part of its own.
        without_own_part = memberships.filter(departmentgroup_id=OuterRef("group_id")).exclude(
            own_part(OuterRef(OuterRef("task_id")), OuterRef("department_id")))
        direct, grouped = direct.filter(role=role), grouped.filter(
            Exists(without_own_part), role=role)
    return direct.order_by().values(column).union(grouped.order_by().values(column), all=True)


def parts_of_departments(department_ids, role: str | None = None) -> QuerySet[Assignment]:
    """Live parts held by these departments, directly or through a group they belong to."""
    return Assignment.objects.filter(pk__in=_held(department_ids, role, "pk"))


def task_ids_of_departments(department_ids, role: str | None = None) -> QuerySet:
    """The ids of the tasks these departments hold a live part in (of ``role``), as a
    subquery."""
    return _held(department_ids, role, "task_id")


def visible_tasks(access: Access, queryset: QuerySet[Task] | None = None) -> QuerySet[Task]:
    queryset = Task.objects.all() if queryset is None else queryset
    if access.reads_everything:
        return queryset
    if not access.department_ids:
        return queryset.none()
    # A semi-join on the department's task ids (found through the index), not a test
    # run on every task of the city.
    return queryset.filter(pk__in=task_ids_of_departments(access.department_ids))


def visible_reports(access: Access, queryset=None, *,
                    leads_read_first: bool = False) -> QuerySet[ProgressReport]:
    """A department sees its own reports and, as lead of a task, every report on that task.

    ``leads_read_first``: read the led tasks' ids now (one query), for lists over every
    report: "department OR task in (ids)" is two index scans, while "OR task in (subquery)"
    makes PostgreSQL test each report of the city."""
    queryset = ProgressReport.objects.all() if queryset is None else queryset
    if access.reads_everything:
        return queryset
    if not access.department_ids:
        return queryset.none()
    leads = (led_task_ids(access) if leads_read_first
             else task_ids_of_departments(access.department_ids, AssignmentRole.LEAD))
    return queryset.filter(Q(department_id__in=access.department_ids) | Q(task_id__in=leads))


def led_task_ids(access: Access) -> set[int]:
    """The ids of the tasks the user's departments lead, read now (one query): as literal
    ids, "… OR task_id IN (ids)" is an index scan where a subquery made PostgreSQL test every
    row of the city."""
    if not access.department_ids:
        return set()
    return {row["task_id"] for row in task_ids_of_departments(access.department_ids,
                                                              AssignmentRole.LEAD)}


def department_ids_on_task(task: Task) -> dict[int, str]:
    """Department id → role for every department working on the task (groups expanded)."""
    roles: dict[int, str] = {}
    for part in live_parts().filter(task=task).prefetch_related("group__members"):
        if part.department_id:
            roles[part.department_id] = part.role
        else:
            for member in part.group.members.all():
                roles.setdefault(member.pk, part.role)
    return roles


def lead_department_ids(task: Task) -> set[int]:
    return {d for d, role in department_ids_on_task(task).items() if role == AssignmentRole.LEAD}


def reporting_departments(access: Access, task: Task) -> list[int]:
    """The user's departments that may file reports on this task."""
    on_task = department_ids_on_task(task)
    return sorted(d for d in access.department_ids if d in on_task)


def reviews_as_lead(access: Access, task: Task, report_department_id: int) -> bool:
    """The lead department reviews the others' reports; the lead office reviews the lead's
    own report and every report on a task without a lead department."""
    leads = lead_department_ids(task)
    if leads and report_department_id not in leads:
        return bool(leads & access.department_ids) or access.is_lead_office
    return access.is_lead_office


def visible_targets(access: Access, queryset: QuerySet[Target] | None = None) -> QuerySet[Target]:
    """A department sees the targets it is responsible for, directly or through a group."""
    queryset = Target.objects.all() if queryset is None else queryset
    if access.reads_everything:
        return queryset
    if not access.department_ids:
        return queryset.none()
    ids = access.department_ids
    parts = TargetAssignment.objects.filter(
        Q(department_id__in=ids) | Q(group__members__in=ids), target=OuterRef("pk"))
    return queryset.filter(Exists(parts))


def target_departments(parts: Iterable[TargetAssignment]) -> set[int]:
    """The departments responsible for a target: its parts' departments and the members of
    its parts' groups (``parts``: its TargetAssignments, their groups' members loaded)."""
    ids: set[int] = set()
    for part in parts:
        if part.department_id:
            ids.add(part.department_id)
        elif part.group is not None:
            ids.update(member.pk for member in part.group.members.all())
    return ids


def enters_readings(access: Access, departments: set[int]) -> bool:
    """A target's monthly figure is entered by its departments (:func:`target_departments`)
    and by the lead office."""
    return access.is_lead_office or bool(departments & access.department_ids)


def plans_milestones(access: Access, *, leads_task: bool) -> bool:
    """The lead office and the task's lead departments (``leads_task``: the user works for
    one) break a task into 节点."""
    return access.is_lead_office or leads_task
