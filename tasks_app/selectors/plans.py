"""Read paths for plans: the JSON export."""

from decimal import Decimal

from django.db.models import Prefetch

from ..choices import AssignmentRole, TargetKind
from ..models import Assignment, Plan, Target, TargetAssignment, Task
from ..rules.states import INACTIVE_PARTS


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _units(assignments, role: str) -> list[str]:
    return [a.source_text or a.unit_name for a in assignments if a.role == role]


def plan_export(code: str) -> dict | None:
    """The plan as plain data: header, drivers with tasks and units as written, targets.

    Five queries whatever the plan's size.
    """
    plan = Plan.objects.filter(code=code).first()
    if plan is None:
        return None
    parts = (
        Assignment.objects.exclude(state__in=INACTIVE_PARTS)
        .select_related("department", "group")
        .order_by("position", "id")
    )
    tasks = Task.objects.order_by("number").prefetch_related(Prefetch("assignments", parts))
    drivers = plan.drivers.order_by("number").prefetch_related(Prefetch("tasks", tasks))
    targets = plan.targets.select_related("parent").prefetch_related(
        Prefetch("assignments", TargetAssignment.objects.select_related("department", "group")
                 .order_by("position", "id"))
    ).order_by("position", "id")
    return {
        "plan": {
            "code": plan.code, "title": plan.title, "issuer": plan.issuer,
            "signed_on": plan.signed_on.isoformat() if plan.signed_on else None,
            "published_on": plan.published_on.isoformat() if plan.published_on else None,
            "period_start": plan.period_start, "period_end": plan.period_end,
            "parent_policy": plan.parent_policy,
        },
        "drivers": [
            {
                "number": driver.number, "title": driver.title,
                "tasks": [
                    {
                        "number": task.number, "title": task.title,
                        "lead": _units(task.assignments.all(), AssignmentRole.LEAD),
                        "responsible": _units(task.assignments.all(), AssignmentRole.RESPONSIBLE),
                    }
                    for task in driver.tasks.all()
                ],
            }
            for driver in drivers
        ],
        "targets": [_target(t) for t in targets if t.kind != TargetKind.RANKING],
        "ranking_goals": [_target(t) for t in targets if t.kind == TargetKind.RANKING],
    }


def _target(target: Target) -> dict:
    return {
        "name": target.name, "value": _number(target.value), "unit": target.unit,
        "year": target.year, "qualifier": target.qualifier,
        "parent": target.parent.name if target.parent else None,
        "lead": _units(target.assignments.all(), AssignmentRole.LEAD),
        "responsible": _units(target.assignments.all(), AssignmentRole.RESPONSIBLE),
    }
