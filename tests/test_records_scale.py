"""The quarterly bulletin and the annual assessment at city scale (docs/design.md).

``DUBAN_RECORDS_SCALE=1`` builds the full data set — 10,000 tasks, 400 departments, about
720,000 reports over 24 months — and takes a few minutes to build; the default is a small
fraction so that the suite stays quick. Either way each build must finish in under 10 s.
"""

import datetime
import os
import random
import time
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from departments.choices import DepartmentKind
from departments.models import Department, DepartmentGroup
from tasks_app.choices import AssignmentRole, EventKind, PartState, ReportState, TaskStatus
from tasks_app.models import (
    Assignment,
    Driver,
    Meeting,
    MeetingDecision,
    ProgressReport,
    ReportingPeriod,
    Target,
    TargetAssignment,
    TargetReading,
    Task,
    TaskEvent,
)
from tasks_app.selectors.bulletins import bulletin_compute
from tasks_app.services.assessments import assessment_compute

from .factories import PlanFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
SCALE = float(os.environ.get("DUBAN_RECORDS_SCALE", "0.02"))
TASKS, DEPARTMENTS = max(int(10_000 * SCALE), 50), max(int(400 * SCALE), 12)
MONTHS = [datetime.date(2025 + m // 12, m % 12 + 1, 1) for m in range(24)]
BATCH = 10_000


def _departments() -> list[Department]:
    Department.objects.bulk_create(
        Department(name=f"区规模测试局{n}", code=f"scale{n}", kind=DepartmentKind.DISTRICT_BUREAU)
        for n in range(DEPARTMENTS))
    departments = list(Department.objects.filter(code__startswith="scale"))
    group = DepartmentGroup.objects.create(name="规模测试各相关部门")
    group.members.set(departments[:30])
    return departments


def _tasks(plan, rng: random.Random) -> list[Task]:
    drivers = Driver.objects.bulk_create(Driver(plan=plan, number=n, title=f"驱动{n}")
                                         for n in range(1, 11))
    statuses = [TaskStatus.IN_PROGRESS] * 15 + [TaskStatus.COMPLETED] * 4 + [
        TaskStatus.SUSPENDED]
    Task.objects.bulk_create((Task(
        plan=plan, driver=drivers[n % 10], number=n + 1, title=f"规模测试任务{n}",
        status=rng.choice(statuses), progress=rng.randrange(101),
        due_on=datetime.date(2025, 3, 31) + datetime.timedelta(days=rng.randrange(900)),
        last_reported_at=timezone.make_aware(datetime.datetime(2026, 3, rng.randrange(1, 29))),
        last_report_status=rng.choice(["on_track", "at_risk", "delayed"]),
        last_report_has_problems=rng.random() < 0.2,
    ) for n in range(TASKS)), batch_size=BATCH)
    return list(Task.objects.filter(plan=plan).only("id", "status"))


def _parts(tasks, departments, rng: random.Random) -> list[tuple[int, int]]:
    """Three departments per task, a group on one task in twenty. Returns (task, dept)."""
    group = DepartmentGroup.objects.get(name="规模测试各相关部门")
    parts, pairs = [], []
    for task in tasks:
        chosen = rng.sample(departments, 3)
        state = {TaskStatus.COMPLETED: PartState.COMPLETED,
                 TaskStatus.SUSPENDED: PartState.SUSPENDED}.get(task.status,
                                                                 PartState.IN_PROGRESS)
        for index, department in enumerate(chosen):
            role = AssignmentRole.LEAD if index == 0 else AssignmentRole.RESPONSIBLE
            parts.append(Assignment(task_id=task.id, plan_id=task.plan_id,
                                    department=department, role=role, state=state,
                                    position=index))
            pairs.append((task.id, department.id))
        if task.id % 20 == 0:
            parts.append(Assignment(task_id=task.id, plan_id=task.plan_id, group=group,
                                    role="responsible", state=PartState.IN_PROGRESS,
                                    position=9))
    Assignment.objects.bulk_create(parts, batch_size=BATCH)
    return pairs


def _history(tasks) -> None:
    closed = [t for t in tasks if t.status in (TaskStatus.COMPLETED, TaskStatus.SUSPENDED)]
    TaskEvent.objects.bulk_create((TaskEvent(
        task_id=t.id, kind=EventKind.STATUS, field="status", before="办理中",
        after=TaskStatus(t.status).label,
        at=timezone.make_aware(datetime.datetime(2025, 1 + t.id % 12, 15))) for t in closed),
        batch_size=BATCH)


def _reports(plan, pairs, rng: random.Random) -> int:
    periods = ReportingPeriod.objects.bulk_create(ReportingPeriod(
        plan=plan, month=m, opens_on=m, deadline=m.replace(day=25)) for m in MONTHS)
    submitted = timezone.make_aware(datetime.datetime(2025, 6, 20))
    batch, count = [], 0
    for period in periods:
        for task_id, department_id in pairs:
            if rng.random() < 0.08:
                continue  # a missing report
            batch.append(ProgressReport(
                task_id=task_id, department_id=department_id, period=period,
                progress_text="按计划推进。",
                problems="资金未到位。" if rng.random() < 0.05 else "",
                state=ReportState.SUBMITTED, is_late=rng.random() < 0.1,
                submitted_at=submitted))
            if len(batch) == BATCH:
                ProgressReport.objects.bulk_create(batch)
                count, batch = count + len(batch), []
    ProgressReport.objects.bulk_create(batch)
    return count + len(batch)


def _targets_and_meetings(plan, departments, rng: random.Random) -> None:
    targets = Target.objects.bulk_create(Target(plan=plan, name=f"规模指标{n}", value=100,
                                                year=2025 + n % 2) for n in range(100))
    TargetAssignment.objects.bulk_create(
        TargetAssignment(target=t, department=d, role="lead")
        for t in targets for d in rng.sample(departments, 3))
    TargetReading.objects.bulk_create(TargetReading(target=t, month=m, value=rng.randrange(120))
                                      for t in targets for m in MONTHS)
    meetings = Meeting.objects.bulk_create(Meeting(plan=plan, held_on=m.replace(day=28),
                                                   title=f"{m}专题会议") for m in MONTHS)
    decisions = MeetingDecision.objects.bulk_create(
        MeetingDecision(meeting=meeting, text=f"议定事项{n}", is_closed=n % 2 == 0)
        for meeting in meetings for n in range(5))
    through = MeetingDecision.departments.through
    through.objects.bulk_create(through(meetingdecision_id=d.id, department_id=dept.id)
                                for d in decisions for dept in rng.sample(departments, 2))


@pytest.fixture
def city():
    rng = random.Random(2026)
    with time_machine.travel(datetime.datetime(2024, 12, 1, tzinfo=SH)):
        plan = PlanFactory(tracking_start=datetime.date(2025, 1, 1))
    departments = _departments()
    tasks = _tasks(plan, rng)
    pairs = _parts(tasks, departments, rng)
    # Parts were given before tracking started (auto_now_add stamps them with today).
    Assignment.objects.filter(task__plan=plan).update(
        created_at=timezone.make_aware(datetime.datetime(2024, 12, 1)))
    _history(tasks)
    reports = _reports(plan, pairs, rng)
    _targets_and_meetings(plan, departments, rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum does after a bulk load in production
    return plan, reports


def _timed(build) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        build()
        elapsed = time.perf_counter() - start
    return elapsed, len(captured)


def test_the_bulletin_and_the_assessment_build_in_under_ten_seconds_at_city_scale(city):
    plan, reports = city
    now = datetime.datetime(2026, 4, 10, 9, tzinfo=SH)
    bulletin_s, bulletin_q = _timed(lambda: bulletin_compute(plan, 2026, 1, now=now))
    with time_machine.travel(datetime.datetime(2026, 1, 20, 9, tzinfo=SH)):
        assessment_s, assessment_q = _timed(lambda: assessment_compute(plan, 2025))
    print(f"\n{TASKS} tasks, {DEPARTMENTS} departments, {reports} reports: "
          f"bulletin {bulletin_s:.2f} s ({bulletin_q} queries), "
          f"assessment {assessment_s:.2f} s ({assessment_q} queries)")
    assert bulletin_s < 10 and assessment_s < 10
    assert plan.assessments.get().scores.count() > 0


def test_the_ledger_of_the_city_builds_in_constant_queries(city):
    """The whole plan's ledger (every task × department with its latest report) as .xlsx."""
    from departments.access import Access
    from tasks_app.documents.ledger import ledger_workbook
    from tasks_app.selectors.ledger import ledger_for

    plan, _reports = city
    everything = Access(user_id=None, is_lead_office=True)
    holder = {}
    select_s, queries = _timed(lambda: holder.update(
        ledger=ledger_for(everything, {"plan": str(plan.pk)})))
    write_s, _ = _timed(lambda: holder.update(content=ledger_workbook(holder["ledger"])))
    rows = len(holder["ledger"].rows)
    print(f"\nledger: {TASKS} tasks, {rows} rows: select {select_s:.2f} s ({queries} queries), "
          f"xlsx {write_s:.2f} s ({len(holder['content']) // 1024} KB)")
    assert queries == 4 and rows >= TASKS * 3  # the rows, and who owes what (rules)
    assert select_s + write_s < 60
