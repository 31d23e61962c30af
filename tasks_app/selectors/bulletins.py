"""The content of a quarterly bulletin (季度通报), built from the database in a fixed number
of aggregate queries whatever the plan's size.

The content is plain JSON: a published bulletin stores it as its snapshot, so the page, the
email and any later reading show exactly what was published.
"""

import datetime
from collections import Counter, defaultdict

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.formatting import cn_date, cn_month, cn_period
from common.i18n import join_list
from departments.models import Department

from ..attainment import attainment, percent, plain_number
from ..choices import EventKind, Health, ReportStatus, TargetKind, TaskStatus
from ..health import with_health
from ..models import (
    Bulletin,
    Plan,
    ProgressReport,
    ReportingPeriod,
    TargetReading,
    Task,
    TaskEvent,
)
from ..permissions import live_parts
from ..record_dates import quarter_end, quarter_months
from ..rules.obligations import bulletin_named
from ..rules.states import FILED_REPORTS
from ..workdays import add_months
from .reporting import (
    Compliance,
    per_department,
    reporting_compliance,
    tracked_periods,
)
from .slips import quarter_slips

CONTENT_VERSION = 1


def bulletin_build(plan: Plan, year: int, quarter: int, *,
                   now: datetime.datetime | None = None) -> dict:
    """The bulletin's content. A published quarter returns its snapshot, unchanged."""
    snapshot = (Bulletin.objects.filter(plan=plan, year=year, quarter=quarter,
                                        state=Bulletin.State.PUBLISHED)
                .values_list("content", flat=True).first())
    if snapshot is not None:
        return snapshot
    return bulletin_compute(plan, year, quarter, now=now)


def bulletin_compute(plan: Plan, year: int, quarter: int, *,
                     now: datetime.datetime | None = None) -> dict:
    """The bulletin's content from today's data (used for drafts and at publication)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    periods = tracked_periods(plan, quarter_months(year, quarter))
    tasks = with_health(Task.objects.filter(plan=plan), now).order_by()
    # The on-time rates count the periods whose deadline has passed: before its deadline a
    # period's reports are not late, they are not due yet (a draft says 截止日未到, not 0 %).
    by_department = reporting_compliance(plan, [p for p in periods if p.deadline < today])
    named = bulletin_named(plan.schedule, periods, today)
    department_counts = _department_counts(tasks)
    names = dict(Department.objects.filter(
        pk__in=department_counts.keys() | by_department.keys() | named.missing.keys()
        | named.filed_late.keys()
    ).values_list("pk", "name"))
    return {
        "version": CONTENT_VERSION,
        "plan": {"code": plan.code, "title": plan.title},
        "year": year, "quarter": quarter,
        "title": _("%(year)s年第%(quarter)s季度督办工作通报") % {"year": year, "quarter": quarter},
        "quarter_end": cn_date(quarter_end(year, quarter)),
        "as_of": cn_date(today),
        "columns": {"status": [[s.value, str(s.label)] for s in TaskStatus],
                    "health": [[h.value, str(h.label)] for h in Health]},
        "periods": [{"month": cn_month(p.month), "deadline": cn_date(p.deadline),
                     "not_due": p.deadline >= today}
                    for p in periods if not p.is_weekly],  # weeks count, not listed
        "not_due": bool(periods) and all(p.deadline >= today for p in periods),
        **_driver_section(plan, tasks),
        "departments": _department_rows(department_counts, by_department, names),
        **_apart(tasks, periods, today),
        "targets": _targets(plan, quarter_months(year, quarter)[-1]),
        # 逾期未报送 (still missing) and 逾期后补报 (filed after the red step)
        "named_departments": _named_rows(named.missing, names),
        "named_filed_late": _named_rows(named.filed_late, names),
        "slips": quarter_slips(plan, quarter_months(year, quarter), today),
        "urges": quarter_urges(plan, quarter_months(year, quarter)),
    }


RATE_KEYS = ("name", "on_time", "expected", "on_time_rate")


def department_rates(content: dict) -> list[dict]:
    """The departments that owed reports, with their on-time rates (what the overview
    charts), from a bulletin's content; stored beside it (Bulletin.department_rates)."""
    return [{key: row[key] for key in RATE_KEYS}
            for row in content.get("departments", []) if row.get("expected")]


def quarter_urges(plan: Plan, months: list[datetime.date]) -> dict:
    """一键催办 of the quarter per department (a department chased on a day counts once).
    One query."""
    rows = (TaskEvent.objects.filter(kind=EventKind.URGE, task__plan=plan,
                                     at__date__gte=months[0],
                                     at__date__lt=add_months(months[-1], 1))
            .order_by().values_list("department__name", "at__date").distinct())
    times = Counter(name or "—" for name, _day in rows)
    return {"total": sum(times.values()),
            "departments": [{"name": n, "times": c}
                            for n, c in sorted(times.items(), key=lambda i: (-i[1], i[0]))]}


# Read once: Django's choices enums rebuild these lists on every access (a bulletin counts
# one row per department and driver).
STATUS_VALUES, HEALTH_VALUES = tuple(TaskStatus.values), tuple(Health.values)


def _counts(rows) -> dict:
    """{"tasks", "status": {…}, "health": {…}} from (status, health, n) rows.

    Suspended tasks count by status but not by health: they are listed apart, so that a
    suspended task never looks "green".
    """
    status: Counter[str] = Counter()
    health: Counter[str] = Counter()
    for row_status, row_health, n in rows:
        status[row_status] += n
        if row_status != TaskStatus.SUSPENDED:
            health[row_health] += n
    return {"tasks": sum(status.values()),
            "status": {s: status[s] for s in STATUS_VALUES},
            "health": {h: health[h] for h in HEALTH_VALUES}}


def _driver_section(plan: Plan, tasks: QuerySet[Task]) -> dict:
    rows = defaultdict(list)
    by_driver = tasks.values("driver_id", "status", "health")  # type: ignore[misc]  # annotated
    for row in by_driver.annotate(n=Count("id")):
        rows[row["driver_id"]].append((row["status"], row["health"], row["n"]))
    drivers = [{"number": d.number, "title": d.title, **_counts(rows.get(d.pk, []))}
               for d in plan.drivers.order_by("number")]
    if rows.get(None):
        drivers.append({"number": None, "title": _("其他督办事项"), **_counts(rows[None])})
    everything = [row for driver_rows in rows.values() for row in driver_rows]
    return {"drivers": drivers, "totals": _counts(everything)}


def _department_counts(tasks: QuerySet[Task]) -> dict[int, list[tuple]]:
    """Department id → (status, health, n) rows over the tasks it works on. Two queries."""
    result: dict[int, list[tuple]] = defaultdict(list)
    for row in per_department(tasks, values=("status", "health"),
                              n=Count("id", distinct=True)):
        result[row["dept"]].append((row["status"], row["health"], row["n"]))
    return result


def _department_rows(counts: dict, compliance: dict[int, Compliance], names: dict) -> list:
    rows = []
    for department_id in counts.keys() | compliance.keys():
        reporting = compliance.get(department_id, Compliance())
        rows.append({
            "id": department_id, "name": names.get(department_id, ""),
            **_counts(counts.get(department_id, [])),
            "expected": reporting.expected, "on_time": reporting.on_time,
            "late": reporting.late, "missing": reporting.missing,
            "on_time_rate": percent(reporting.rate),
        })
    return sorted(rows, key=lambda row: row["name"])


TASK_FIELDS = ("id", "number", "title", "driver__title", "due_on", "progress", "status",
               "health_override", "health_override_reason")


def _units(tasks: QuerySet[Task]) -> dict[int, dict[str, list[str]]]:
    """Task id → role → unit names in document order, for these tasks. One query."""
    units: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    parts = (live_parts().filter(task__in=tasks.values("pk"))
             .order_by("task_id", "role", "position", "id")
             .values_list("task_id", "role", "department__name", "group__name", "source_text"))
    for task_id, role, department, group, source_text in parts:
        units[task_id][role].append(department or group or source_text)
    return units


def _task_row(task: dict, units: dict[str, list[str]], statuses: dict[str, str]) -> dict:
    return {"id": task["id"], "number": task["number"], "title": task["title"],
            "driver": task["driver__title"] or "", "due_on": cn_date(task["due_on"]),
            "progress": task["progress"], "status": statuses[task["status"]],
            "lead": join_list(units.get("lead", [])),
            "responsible": join_list(units.get("responsible", []))}


def _red_reason(task: dict, today: datetime.date) -> str:
    if task["health_override"]:
        return _("人工标注：%(reason)s") % {"reason": task["health_override_reason"]}
    if task["due_on"] and task["due_on"] < today:
        return _("已超过完成时限（%(date)s）") % {"date": cn_date(task["due_on"])}
    return _("最近一次报送为“进度滞后”")


def _problems(tasks: QuerySet[Task], periods: list[ReportingPeriod]) -> dict[int, list[dict]]:
    """Task id → the problems each department wrote this quarter (its latest report)."""
    problems: dict[int, dict[int, dict]] = defaultdict(dict)
    reports = (ProgressReport.objects.filter(task__in=tasks.values("pk"), period__in=periods,
                                             state__in=FILED_REPORTS)
               .exclude(problems="").order_by("task_id", "department__name", "-period__month")
               .values_list("task_id", "department_id", "department__name", "period__month",
                            "status", "problems", "needs_coordination"))
    for task_id, department_id, name, month, status, text, coordination in reports:
        problems[task_id].setdefault(department_id, {
            "department": name, "month": cn_month(month),
            "status": str(ReportStatus(status).label), "problems": text,
            "needs_coordination": coordination,
        })
    return {task_id: list(rows.values()) for task_id, rows in problems.items()}


def _apart(tasks: QuerySet[Task], periods: list[ReportingPeriod], today) -> dict:
    """The lagging (red) tasks with the problems the departments wrote this quarter, and
    the suspended tasks. Three queries."""
    red = Q(health=Health.RED) & ~Q(status=TaskStatus.SUSPENDED)
    shown = tasks.filter(red | Q(status=TaskStatus.SUSPENDED))
    problems, units = _problems(tasks.filter(red), periods), _units(shown)
    lagging, suspended = [], []
    statuses = {status.value: str(status.label) for status in TaskStatus}  # translated once
    for task in shown.order_by("number").values(*TASK_FIELDS):
        row = _task_row(task, units.get(task["id"], {}), statuses)
        if task["status"] == TaskStatus.SUSPENDED:
            suspended.append(row)
        else:
            lagging.append({**row, "reason": _red_reason(task, today),
                            "problems": problems.get(task["id"], [])})
    return {"lagging": lagging, "suspended": suspended}


def _targets(plan: Plan, last_month: datetime.date) -> list[dict]:
    """Each target with its latest reading up to the quarter's last month."""
    latest = TargetReading.objects.filter(target=OuterRef("pk"),
                                          month__lte=last_month).order_by("-month")
    targets = plan.targets.annotate(
        reading_month=Subquery(latest.values("month")[:1]),
        reading_value=Subquery(latest.values("value")[:1]),
        reading_ytd=Subquery(latest.values("is_year_to_date")[:1]),
    ).order_by("position", "id")
    return [{
        "name": t.name, "kind": str(TargetKind(t.kind).label), "unit": t.unit,
        "qualifier": t.qualifier, "year": t.year, "target": plain_number(t.value),
        "month": cn_month(t.reading_month) if t.reading_month else "",
        "actual": plain_number(t.reading_value),
        "year_to_date": bool(t.reading_ytd),
        "attainment": percent(attainment(t.kind, t.value, t.reading_value)),
    } for t in targets]


def _named_rows(named: dict, names: dict) -> list[dict]:
    rows = [{"id": department_id, "name": names.get(department_id, ""),
             "missing": sum(n for _, n in entries),
             "periods": [ngettext("%(month)s（%(count)d项）", "%(month)s（%(count)d项）", n)
                         % {"month": cn_period(p), "count": n} for p, n in entries]}
            for department_id, entries in named.items()]
    return sorted(rows, key=lambda row: (-row["missing"], row["name"]))
