"""A realistic synthetic data set for benchmarks: plans, departments, people, months of reports.

Everything is written with bulk operations, plan by plan, so the city scale of docs/design.md
(50 plans, 10,000 tasks, 400 departments, 3,000 users, 24 months ≈ 700,000 reports) fits
in memory and builds in minutes. Deterministic for a given seed.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from departments.choices import DepartmentKind, DepartmentLevel, Role
from departments.models import Department, Membership
from tasks_app.choices import (
    AssignmentRole,
    EventKind,
    PartState,
    PeriodState,
    ReportState,
    ReportStatus,
    TaskStatus,
)
from tasks_app.models import (
    Assignment,
    Driver,
    Plan,
    ProgressReport,
    ReportingPeriod,
    Schedule,
    Target,
    Task,
    TaskEvent,
)
from tasks_app.services.period_figures import period_figures_recount
from tasks_app.services.periods import deadline_for
from tasks_app.workdays import add_months, month_start

SYNTHETIC_PREFIX = "合成"
_BUREAUS = ["发改", "工信", "商务", "财政", "人社", "住建", "交通", "教育", "科技", "民政", "司法",
            "审计", "统计", "应急", "文旅", "卫健", "农业", "水务", "城管", "营商", "金融", "生态"]
_AREAS = ["深化改革", "营商环境", "产业振兴", "科技创新", "对外开放", "民生保障", "城市建设",
          "乡村振兴", "绿色发展", "数字经济"]
_VERBS = ["推进", "完善", "加强", "建立", "优化", "实施", "提升", "打造", "探索", "落实"]
_OBJECTS = ["管理体制改革", "服务流程", "产业集群", "人才引进机制", "融资模式", "园区建设",
            "考核体系", "招商引资模式", "公共服务平台", "监管机制", "数字化转型", "用地管理"]
_STATUS_WEIGHTS = [(ReportStatus.ON_TRACK, 70), (ReportStatus.AT_RISK, 15),
                   (ReportStatus.DELAYED, 10), (ReportStatus.COMPLETED, 5)]


@dataclass
class SyntheticSizes:
    plans: int = 0
    tasks: int = 0
    departments: int = 0
    users: int = 0
    periods: int = 0
    assignments: int = 0
    reports: int = 0
    events: int = 0
    extra: dict = field(default_factory=dict)


def _departments(count: int, rng: random.Random) -> list[Department]:
    rows = []
    for index in range(count):
        bureau = _BUREAUS[index % len(_BUREAUS)]
        district = index // len(_BUREAUS) + 1
        rows.append(Department(
            name=f"{SYNTHETIC_PREFIX}{district}区{bureau}局", code=f"syn{index + 1:04d}",
            kind=DepartmentKind.DISTRICT_BUREAU, level=DepartmentLevel.DISTRICT,
        ))
    return Department.objects.bulk_create(rows, batch_size=1000)


def _people(departments: list[Department], count: int, password: str) -> int:
    """A liaison and a head for each department, a few managers and lead-office users, then
    more liaisons until ``count`` users exist."""
    encoded = make_password(password)
    specs: list[tuple[str, str, Department | None]] = [
        (f"syn-manager{i}", Role.MANAGER, None) for i in range(1, 11)
    ] + [(f"syn-lead{i}", Role.LEAD_OFFICE, departments[0]) for i in range(1, 6)]
    for department in departments:
        specs.append((f"{department.code}.head", Role.HEAD, department))
        specs.append((f"{department.code}.liaison", Role.LIAISON, department))
    extra = 0
    while len(specs) < count:
        department = departments[extra % len(departments)]
        specs.append((f"{department.code}.liaison{extra // len(departments) + 2}", Role.LIAISON,
                      department))
        extra += 1
    users = User.objects.bulk_create(
        [User(username=u, email=f"{u}@synthetic.duban.example", password=encoded,
              is_staff=role == Role.LEAD_OFFICE) for u, role, _ in specs[:count]],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [Membership(user=user, role=role, department=department)
         for user, (_, role, department) in zip(users, specs, strict=False)],
        batch_size=2000,
    )
    return len(users)


def _plan(index: int, lead: Department, start_year: int, tracking: datetime.date) -> Plan:
    plan = Plan.objects.create(
        code=f"{SYNTHETIC_PREFIX}发〔{start_year}〕{index}号",
        title=f"{SYNTHETIC_PREFIX}第{index}号{_AREAS[index % len(_AREAS)]}实施方案",
        issuer="合成区管理委员会", period_start=start_year, period_end=start_year + 3,
        lead_office=lead, tracking_start=tracking,
    )
    Schedule.objects.create(plan=plan)
    return plan


@transaction.atomic
def synthetic_build(
    *, plans: int, tasks_per_plan: int, departments: int, users: int, months: int,
    seed: int = 20260331, now: datetime.datetime | None = None, password: str = "bench-pass",
) -> SyntheticSizes:
    """Build the data set. Reports cover the last ``months`` months up to ``now``."""
    rng = random.Random(seed)
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    first_month = add_months(month_start(today), -(months - 1))
    sizes = SyntheticSizes()
    units = _departments(departments, rng)
    sizes.departments = len(units)
    sizes.users = _people(units, users, password)
    reporters = dict(Membership.objects.filter(role=Role.LIAISON, department__in=units)
                     .values_list("department_id", "user_id"))
    # Tracking starts this month: the cycle has nothing older to catch up (a steady state),
    # while bulletins and assessments can still be built over the months of reports.
    for index in range(1, plans + 1):
        plan = _plan(index, units[index % len(units)], first_month.year, month_start(today))
        built = _plan_content(plan, units, reporters, tasks_per_plan, first_month, months,
                              today, rng)
        for name in ("tasks", "periods", "assignments", "reports", "events"):
            setattr(sizes, name, getattr(sizes, name) + built[name])
        sizes.plans += 1
    return sizes


def _plan_content(plan, units, reporters, tasks_per_plan, first_month, months, today, rng):
    drivers = Driver.objects.bulk_create([
        Driver(plan=plan, number=n, title=f"{_AREAS[(plan.pk + n) % len(_AREAS)]}战略驱动")
        for n in range(1, 6)])
    periods = ReportingPeriod.objects.bulk_create([
        ReportingPeriod(plan=plan, month=month, opens_on=month,
                        deadline=deadline_for(plan.schedule, month),
                        state=PeriodState.OPEN if month == month_start(today)
                        else PeriodState.CLOSED)
        for month in (add_months(first_month, i) for i in range(months))])
    Target.objects.bulk_create([
        Target(plan=plan, name=f"合成指标{n}", value=rng.randint(100, 5000), unit="亿元",
               year=plan.period_end, position=n) for n in range(1, 4)])
    tasks = []
    for number in range(1, tasks_per_plan + 1):
        due = first_month + datetime.timedelta(days=rng.randint(60, 40 * 30))
        tasks.append(Task(
            plan=plan, driver=drivers[(number - 1) % len(drivers)], number=number,
            title=f"{rng.choice(_VERBS)}{rng.choice(_OBJECTS)}({number})",
            text=f"{rng.choice(_VERBS)}{rng.choice(_OBJECTS)}。围绕年度目标细化措施，明确责任分工。",
            due_on=due, original_due_on=due, status=TaskStatus.IN_PROGRESS,
        ))
    tasks = Task.objects.bulk_create(tasks, batch_size=2000)
    parts = []
    for task in tasks:
        chosen = rng.sample(units, k=min(len(units), rng.randint(2, 5)))
        for position, department in enumerate(chosen):
            parts.append(Assignment(
                task=task, plan_id=task.plan_id, department=department, position=position,
                role=AssignmentRole.LEAD if position == 0 else AssignmentRole.RESPONSIBLE,
                state=PartState.IN_PROGRESS, source_text=department.name))
    Assignment.objects.bulk_create(parts, batch_size=5000)
    reports, events = _reports(tasks, parts, periods, reporters, today, rng)
    return {"tasks": len(tasks), "periods": len(periods), "assignments": len(parts),
            "reports": reports, "events": events}


def _reports(tasks, parts, periods, reporters, today, rng):
    """Most departments report most months, some late, some never; tasks get their latest."""
    by_task: dict[int, list[Assignment]] = {}
    for part in parts:
        by_task.setdefault(part.task_id, []).append(part)
    statuses, weights = zip(*_STATUS_WEIGHTS, strict=True)
    rows, latest, written = [], {}, 0
    for task in tasks:
        progress = 0
        neglect = rng.random() < 0.08  # some tasks simply stop being reported: stale
        for period in periods:
            if period.month > today or (neglect and period.month.month % 3):
                continue
            progress = min(100, progress + rng.randint(0, 8))
            for part in by_task[task.pk]:
                if rng.random() > 0.9 or period.deadline > today and rng.random() < 0.5:
                    continue  # missing report
                late = rng.random() < 0.15
                day = period.deadline + datetime.timedelta(days=rng.randint(1, 9) if late
                                                           else -rng.randint(0, 10))
                submitted = timezone.make_aware(datetime.datetime.combine(
                    min(day, today), datetime.time(10)))
                status = rng.choices(statuses, weights)[0]
                rows.append(ProgressReport(
                    task=task, department_id=part.department_id, period=period, status=status,
                    progress=progress, progress_text=f"{period.month:%Y年%m月}按计划推进。",
                    problems="资金到位较慢，需协调。" if status != ReportStatus.ON_TRACK else "",
                    next_steps="继续推进。", needs_coordination=status == ReportStatus.DELAYED,
                    state=ReportState.ACCEPTED if period.deadline < today
                    else ReportState.SUBMITTED,
                    is_late=late, submitted_at=submitted,
                    submitted_by_id=reporters.get(part.department_id),
                ))
                latest[task.pk] = (submitted, status, progress)
        if len(rows) >= 20000:
            written += len(ProgressReport.objects.bulk_create(rows, batch_size=5000))
            rows = []
    written += len(ProgressReport.objects.bulk_create(rows, batch_size=5000))
    period_figures_recount(ReportingPeriod.objects.filter(pk__in=[p.pk for p in periods]))
    changed = []
    for task in tasks:
        if task.pk in latest:
            task.last_reported_at, task.last_report_status, task.progress = latest[task.pk]
            task.last_report_has_problems = task.last_report_status != ReportStatus.ON_TRACK
            changed.append(task)
    Task.objects.bulk_update(changed, ["last_reported_at", "last_report_status", "progress",
                                       "last_report_has_problems"], batch_size=2000)
    events = TaskEvent.objects.bulk_create([
        TaskEvent(task=task, kind=EventKind.STATUS, field="status",
                  before=TaskStatus.PENDING_ACK, after=TaskStatus.IN_PROGRESS, reason="合成数据")
        for task in tasks], batch_size=5000)
    return written, len(events)
