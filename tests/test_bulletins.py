"""Quarterly bulletins (季度通报): content, snapshot, locking, due dates, idempotence."""

import datetime
import threading
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.choices import Role
from tasks_app.choices import (
    AssignmentRole,
    FeedbackCycle,
    FeedbackType,
    PartState,
    PeriodState,
    ReportStatus,
    TaskStatus,
)
from tasks_app.models import Bulletin, ReportingPeriod
from tasks_app.record_dates import bulletin_due_on
from tasks_app.services.bulletins import (
    bulletin_build,
    bulletin_generate,
    bulletin_publish,
    bulletins_publish_due,
)
from tasks_app.services.reports import Filing, report_save

from .factories import (
    AssignmentFactory,
    DepartmentFactory,
    DriverFactory,
    GroupFactory,
    MembershipFactory,
    PeriodFactory,
    PlanFactory,
    TaskFactory,
)
from .records_factories import ReadingFactory, ReportFactory, TargetFactory

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
BULLETIN_DAY = datetime.datetime(2026, 4, 10, 9, tzinfo=SH)


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SH)


def _periods(plan, months=(1, 2, 3), year=2026):
    return [PeriodFactory(plan=plan, month=datetime.date(year, m, 1),
                          deadline=datetime.date(year, m, 25)) for m in months]


@pytest.fixture
def world():
    """Two drivers, three departments (乙 and 丙 through a group), three periods of Q1.

    t1 (driver 1): lead 甲, group (乙, 丙) responsible — on track.
    t2 (driver 1): lead 乙, due 2026-02-28 — overdue, so red.
    t3 (driver 2): lead 甲, suspended.
    Reports: 甲 on t1 in Jan and Feb on time, Mar late; 乙 on t1 Jan, on t2 Jan and Mar.
    """
    with time_machine.travel(at(2025, 12, 15, 9)):
        plan = PlanFactory(tracking_start=datetime.date(2026, 1, 1))
        d1, d2 = DriverFactory(plan=plan, number=1), DriverFactory(plan=plan, number=2)
        a, b, c = (DepartmentFactory(name=n) for n in ("区甲局", "区乙局", "区丙局"))
        group = GroupFactory(name="各相关部门")
        group.members.set([b, c])
        t1 = TaskFactory(plan=plan, driver=d1, number=1, status=TaskStatus.IN_PROGRESS,
                         due_on=datetime.date(2026, 12, 31), progress=30,
                         last_reported_at=at(2026, 3, 20, 9), last_report_status="on_track")
        t2 = TaskFactory(plan=plan, driver=d1, number=2, status=TaskStatus.IN_PROGRESS,
                         due_on=datetime.date(2026, 2, 28), progress=50)
        t3 = TaskFactory(plan=plan, driver=d2, number=3, status=TaskStatus.SUSPENDED)
        AssignmentFactory(task=t1, department=a, role=AssignmentRole.LEAD)
        AssignmentFactory(task=t1, department=None, group=group)
        AssignmentFactory(task=t2, department=b, role=AssignmentRole.LEAD)
        AssignmentFactory(task=t3, department=a, role=AssignmentRole.LEAD,
                          state=PartState.SUSPENDED)
    jan, feb, mar = _periods(plan)
    ReportFactory(task=t1, department=a, period=jan)
    ReportFactory(task=t1, department=a, period=feb)
    ReportFactory(task=t1, department=a, period=mar, is_late=True)
    ReportFactory(task=t1, department=b, period=jan)
    ReportFactory(task=t2, department=b, period=jan, problems="征地拆迁尚未完成。")
    ReportFactory(task=t2, department=b, period=mar, status=ReportStatus.DELAYED,
                  problems="项目资金缺口约2亿元,需管委会协调。", needs_coordination=True)
    return type("World", (), {"plan": plan, "a": a, "b": b, "c": c, "t1": t1, "t2": t2,
                              "t3": t3, "periods": [jan, feb, mar], "group": group})


def _department(content, name):
    return next(row for row in content["departments"] if row["name"] == name)


def test_a_draft_counts_only_the_periods_past_their_deadline(world):
    """Mid-quarter, a period before its deadline is 截止日未到, not 0 % on time."""
    with time_machine.travel(at(2026, 1, 20, 9)):
        content = bulletin_build(world.plan, 2026, 1)
    assert content["not_due"] is True
    assert [p["not_due"] for p in content["periods"]] == [True, True, True]
    assert {row["on_time_rate"] for row in content["departments"]} == {None}
    with time_machine.travel(at(2026, 2, 10, 9)):
        content = bulletin_build(world.plan, 2026, 1)
    assert content["not_due"] is False
    a, c = _department(content, "区甲局"), _department(content, "区丙局")
    assert (a["expected"], a["on_time"], a["on_time_rate"]) == (1, 1, 100.0)  # January only
    assert (c["expected"], c["on_time_rate"]) == (1, 0.0)


@time_machine.travel(BULLETIN_DAY)
def test_counts_by_status_and_health_per_driver(world):
    content = bulletin_build(world.plan, 2026, 1)
    first, second = content["drivers"]
    assert first["tasks"] == 2 and first["status"]["in_progress"] == 2
    assert first["health"] == {"green": 1, "yellow": 0, "red": 1, "stale": 0, "unassigned": 0}
    assert second["status"]["suspended"] == 1
    assert content["totals"]["tasks"] == 3


@time_machine.travel(BULLETIN_DAY)
def test_counts_per_department_include_the_members_of_a_group(world):
    content = bulletin_build(world.plan, 2026, 1)
    assert _department(content, "区乙局")["tasks"] == 2
    assert _department(content, "区乙局")["health"]["red"] == 1
    assert _department(content, "区丙局")["tasks"] == 1


@time_machine.travel(BULLETIN_DAY)
def test_suspended_tasks_are_shown_apart_and_not_counted_as_green(world):
    content = bulletin_build(world.plan, 2026, 1)
    assert [row["number"] for row in content["suspended"]] == [3]
    assert content["drivers"][1]["health"] == dict.fromkeys(
        ("green", "yellow", "red", "stale", "unassigned"), 0)
    assert _department(content, "区甲局")["status"]["suspended"] == 1


@time_machine.travel(BULLETIN_DAY)
def test_on_time_rate_is_reports_by_the_deadline_over_reports_expected(world):
    content = bulletin_build(world.plan, 2026, 1)
    a, b, c = (_department(content, n) for n in ("区甲局", "区乙局", "区丙局"))
    # 甲: t1 in three months (its suspended t3 is not expected): 2 on time, 1 late.
    assert (a["expected"], a["on_time"], a["late"], a["missing"]) == (3, 2, 1, 0)
    assert a["on_time_rate"] == 66.7
    # 乙: t1 through the group and t2 directly, three months each.
    assert (b["expected"], b["on_time"], b["missing"], b["on_time_rate"]) == (6, 3, 3, 50.0)
    assert (c["expected"], c["on_time_rate"]) == (3, 0.0)


@time_machine.travel(BULLETIN_DAY)
def test_a_department_named_directly_and_through_a_group_is_expected_once(world):
    with time_machine.travel(at(2025, 12, 15, 9)):
        AssignmentFactory(task=world.t1, department=world.c)
    content = bulletin_build(world.plan, 2026, 1)
    assert _department(content, "区丙局")["expected"] == 3
    assert _department(content, "区丙局")["tasks"] == 1


@time_machine.travel(BULLETIN_DAY)
def test_a_part_given_after_a_deadline_is_not_expected_for_that_month(world):
    with time_machine.travel(at(2026, 2, 10, 9)):
        newcomer = AssignmentFactory(task=world.t2).department
    content = bulletin_build(world.plan, 2026, 1)
    assert _department(content, newcomer.name)["expected"] == 2  # February and March


@time_machine.travel(BULLETIN_DAY)
def test_an_item_reporting_quarterly_owes_only_the_quarters_last_month(world):
    with time_machine.travel(at(2025, 12, 15, 9)):
        task = TaskFactory(plan=world.plan, number=4, feedback_cycle=FeedbackCycle.QUARTERLY,
                           status=TaskStatus.IN_PROGRESS)
        department = AssignmentFactory(task=task).department
    assert _department(bulletin_build(world.plan, 2026, 1), department.name)["expected"] == 1


@time_machine.travel(BULLETIN_DAY)
def test_one_off_items_and_inactive_departments_owe_no_monthly_reports(world):
    with time_machine.travel(at(2025, 12, 15, 9)):
        one_off = TaskFactory(plan=world.plan, number=4, feedback_type=FeedbackType.ONE_OFF,
                              status=TaskStatus.IN_PROGRESS)
        department = AssignmentFactory(task=one_off).department
    world.c.is_active = False
    world.c.save()
    content = bulletin_build(world.plan, 2026, 1)
    assert _department(content, department.name)["expected"] == 0
    assert _department(content, "区丙局")["expected"] == 0


@time_machine.travel(BULLETIN_DAY)
def test_lagging_tasks_are_the_red_ones_with_the_problems_as_written(world):
    content = bulletin_build(world.plan, 2026, 1)
    [lagging] = content["lagging"]
    assert lagging["number"] == 2 and lagging["lead"] == "区乙局"
    assert "已超过完成时限" in lagging["reason"]
    [problem] = lagging["problems"]  # the latest report of the quarter per department
    assert problem["problems"] == "项目资金缺口约2亿元,需管委会协调。"
    assert problem["month"] == "2026年3月" and problem["needs_coordination"]


@time_machine.travel(BULLETIN_DAY)
def test_target_readings_are_read_against_the_target_at_the_quarters_end(world):
    target = TargetFactory(plan=world.plan, name="地区生产总值", value=1500, unit="亿元")
    ReadingFactory(target=target, month=datetime.date(2026, 2, 1), value=300)
    ReadingFactory(target=target, month=datetime.date(2026, 3, 1), value=375)
    ReadingFactory(target=target, month=datetime.date(2026, 4, 1), value=500)
    [row] = bulletin_build(world.plan, 2026, 1)["targets"]
    assert (row["target"], row["actual"], row["month"]) == (1500, 375, "2026年3月")
    assert row["attainment"] == 25.0


@time_machine.travel(BULLETIN_DAY)
def test_departments_missing_reports_are_named_once_past_the_red_step(world):
    named = {row["name"]: row["missing"] for row in
             bulletin_build(world.plan, 2026, 1)["named_departments"]}
    assert named == {"区乙局": 3, "区丙局": 3}


@time_machine.travel(BULLETIN_DAY)
def test_a_report_filed_after_the_red_step_is_named_as_filed_late_not_missing(world):
    jan = world.periods[0]
    ReportFactory(task=world.t1, department=world.c, period=jan, is_late=True,
                  submitted_at=at(2026, 2, 20, 9))  # after January's red step
    content = bulletin_build(world.plan, 2026, 1)
    missing = {row["name"]: row["periods"] for row in content["named_departments"]}
    late = {row["name"]: row["periods"] for row in content["named_filed_late"]}
    assert missing["区丙局"] == ["2026年2月（1项）", "2026年3月（1项）"]  # 逾期未报送
    assert late == {"区丙局": ["2026年1月（1项）"]}  # 逾期后补报


@time_machine.travel(at(2026, 3, 27, 9))
def test_a_period_not_yet_at_the_red_step_names_nobody_for_it(world):
    named = {row["name"]: row["periods"] for row in
             bulletin_build(world.plan, 2026, 1)["named_departments"]}
    assert named["区丙局"] == ["2026年1月（1项）", "2026年2月（1项）"]


@time_machine.travel(BULLETIN_DAY)
def test_a_published_bulletin_is_a_snapshot_unchanged_by_later_edits(world):
    bulletin = bulletin_publish(bulletin_generate(plan=world.plan, year=2026, quarter=1))
    before = bulletin.content
    ReportFactory(task=world.t1, department=world.c, period=world.periods[0])
    world.t2.title = "改写后的标题"
    world.t2.save()
    assert bulletin_build(world.plan, 2026, 1) == before
    assert bulletin_generate(plan=world.plan, year=2026, quarter=1).content == before
    assert _department(before, "区丙局")["on_time"] == 0


@time_machine.travel(BULLETIN_DAY)
def test_publishing_locks_the_quarters_periods_for_departments(world):
    bulletin_publish(bulletin_generate(plan=world.plan, year=2026, quarter=1))
    periods = ReportingPeriod.objects.filter(plan=world.plan)
    assert {p.state for p in periods} == {PeriodState.LOCKED}
    assert all(p.locked_at.date() == BULLETIN_DAY.date() for p in periods)
    liaison = MembershipFactory(department=world.c, role=Role.LIAISON).user
    with pytest.raises(ValidationError, match="已锁定"):
        report_save(filing=Filing(world.t1, world.c.pk, periods.get(month__month=1)),
                    data={"progress_text": "补报。"}, user=liaison)


@time_machine.travel(BULLETIN_DAY)
def test_publishing_twice_is_refused(world):
    bulletin = bulletin_publish(bulletin_generate(plan=world.plan, year=2026, quarter=1))
    with pytest.raises(ValidationError, match="已发布"):
        bulletin_publish(bulletin)


@time_machine.travel(BULLETIN_DAY)
def test_only_the_lead_office_publishes(world):
    head = MembershipFactory(department=world.a, role=Role.HEAD).user
    bulletin = bulletin_generate(plan=world.plan, year=2026, quarter=1)
    with pytest.raises(PermissionDenied):
        bulletin_publish(bulletin, actor=head)


@time_machine.travel(BULLETIN_DAY)
def test_bulletins_are_numbered_within_the_year():
    plan = PlanFactory(tracking_start=datetime.date(2025, 10, 1))
    numbers = [bulletin_publish(bulletin_generate(plan=plan, year=y, quarter=q)).number
               for y, q in ((2025, 4), (2026, 1))]
    assert numbers == ["2025年第1期", "2026年第1期"]


@pytest.mark.parametrize(("year", "quarter", "due"), [
    (2025, 4, datetime.date(2026, 1, 12)),   # 10 January 2026 is a Saturday
    (2026, 1, datetime.date(2026, 4, 10)),
    # 10 October waits for the ladder of September's report: deadline 30 September, red on
    # 9 October (国庆), the 督办单's response deadline 14 October; the lock comes the day after.
    (2026, 3, datetime.date(2026, 10, 15)),
])
def test_the_bulletin_is_due_on_the_schedules_day_moved_to_a_working_day(year, quarter, due):
    assert bulletin_due_on(PlanFactory().schedule, year, quarter) == due


def test_nothing_is_published_the_day_before_it_is_due():
    plan = PlanFactory(tracking_start=datetime.date(2025, 10, 1))
    _periods(plan, (10, 11, 12), 2025)
    assert bulletins_publish_due(at(2026, 1, 11, 9)) == []
    [bulletin] = bulletins_publish_due(at(2026, 1, 12, 9))
    assert (bulletin.year, bulletin.quarter, bulletin.state) == (2025, 4, "published")


def test_publishing_when_due_twice_publishes_and_returns_the_bulletin_once(world):
    first = bulletins_publish_due(BULLETIN_DAY)
    second = bulletins_publish_due(BULLETIN_DAY + datetime.timedelta(minutes=15))
    assert [(b.year, b.quarter) for b in first] == [(2026, 1)] and second == []
    assert Bulletin.objects.filter(plan=world.plan).count() == 1


def test_quarters_ending_before_the_tracking_start_are_never_published():
    PlanFactory(tracking_start=datetime.date(2026, 4, 1))
    assert bulletins_publish_due(at(2026, 4, 10, 9)) == []
    assert not Bulletin.objects.exists()


def test_a_worker_that_was_down_catches_up_with_the_latest_due_quarter(world):
    assert bulletins_publish_due(at(2026, 5, 3, 9)) == []  # 劳动节: nothing goes out
    assert bulletins_publish_due(at(2026, 5, 6, 8, 59)) == []  # before the send time
    [bulletin] = bulletins_publish_due(at(2026, 5, 6, 9))
    assert (bulletin.year, bulletin.quarter) == (2026, 1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_publishing_publishes_and_returns_the_bulletin_once():
    plan = PlanFactory(tracking_start=datetime.date(2026, 1, 1))
    _periods(plan)
    results, errors = [], []
    barrier = threading.Barrier(2)

    def publish():
        try:
            barrier.wait()
            results.append(bulletins_publish_due(BULLETIN_DAY))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(len(r) for r in results) == [0, 1]
    assert Bulletin.objects.filter(plan=plan, state="published").count() == 1


def _grow(world, start: int, size: int) -> None:
    """More departments, tasks and reports of every kind."""
    jan, feb, mar = world.periods
    for n in range(start, start + size):
        department = DepartmentFactory()
        task = TaskFactory(plan=world.plan, driver=world.t1.driver, number=100 + n,
                           status=TaskStatus.IN_PROGRESS, due_on=datetime.date(2026, 1, 31))
        AssignmentFactory(task=task, department=department, role=AssignmentRole.LEAD)
        ReportFactory(task=task, department=department, period=jan, problems=f"问题{n}")
        ReportFactory(task=task, department=department, period=mar, is_late=True)
        TargetFactory(plan=world.plan)


@time_machine.travel(BULLETIN_DAY)
def test_the_build_runs_the_same_number_of_queries_whatever_the_size(world):
    def queries() -> int:
        world.plan.refresh_from_db()
        with CaptureQueriesContext(connection) as captured:
            bulletin_build(world.plan, 2026, 1)
        return len(captured)

    _grow(world, 0, 2)
    small = queries()
    _grow(world, 2, 12)
    # The snapshot; the periods; owed and filed reports (4, see rules/obligations.py); the
    # schedule; the departments named (one); tasks per department (direct, via groups);
    # department names; tasks per driver; the drivers; problems of red tasks; red and
    # suspended tasks and their parts; targets with their latest reading; the quarter's 督办单;
    # the quarter's 一键催办.
    assert queries() == small == 19
