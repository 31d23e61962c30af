"""Annual assessments (年度考核): rules, formulas, contest/adjust/finalise, due dates."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.choices import Role
from tasks_app.choices import AssignmentRole, PartState, TaskStatus
from tasks_app.lifecycle import refresh_task_statuses
from tasks_app.models import Assessment, Assignment, DepartmentScore
from tasks_app.services.assessment_rules import RULES, clean_weights, default_weights
from tasks_app.services.assessments import (
    assessment_compute,
    assessment_finalise,
    assessment_publish,
    assessments_compute_due,
    score_adjust,
    score_contest,
)
from tasks_app.services.reports import report_lead_review

from .factories import (
    AssignmentFactory,
    DepartmentFactory,
    GroupFactory,
    MembershipFactory,
    PeriodFactory,
    PlanFactory,
    TaskFactory,
)
from .records_factories import (
    DecisionFactory,
    EntryFactory,
    MeetingFactory,
    ReadingFactory,
    ReportFactory,
    TargetAssignmentFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
ASSESSMENT_DAY = datetime.datetime(2027, 1, 20, 9, tzinfo=SH)


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SH)


def _complete(task, when: datetime.datetime) -> None:
    """Every part of the task completed on ``when``: the task's status follows, in history."""
    with time_machine.travel(when):
        Assignment.objects.filter(task=task).update(state=PartState.COMPLETED)
        refresh_task_statuses([task.pk])


@pytest.fixture
def world():
    """A year of 2026 for 甲 and 乙.

    t1 due 30 June, lead 甲 with 乙 responsible, completed 20 June (on time).
    t2 due 30 September, lead 甲, completed 15 October (late).
    t3 due 31 December, lead 乙, still in progress.
    甲 filed every report it owed on time; 乙 filed t3 from January to October only.
    """
    with time_machine.travel(at(2025, 12, 15, 9)):
        plan = PlanFactory(tracking_start=datetime.date(2026, 1, 1))
        a, b = DepartmentFactory(name="区甲局"), DepartmentFactory(name="区乙局")
        t1, t2, t3 = (TaskFactory(plan=plan, number=n, status=TaskStatus.IN_PROGRESS,
                                  due_on=datetime.date(2026, m, d))
                      for n, (m, d) in enumerate(((6, 30), (9, 30), (12, 31)), start=1))
        AssignmentFactory(task=t1, department=a, role=AssignmentRole.LEAD)
        AssignmentFactory(task=t1, department=b)
        AssignmentFactory(task=t2, department=a, role=AssignmentRole.LEAD)
        AssignmentFactory(task=t3, department=b, role=AssignmentRole.LEAD)
    periods = [PeriodFactory(plan=plan, month=datetime.date(2026, m, 1),
                             deadline=datetime.date(2026, m, 25)) for m in range(1, 13)]
    for period in periods[:5]:
        ReportFactory(task=t1, department=a, period=period)
    for period in periods[:9]:
        ReportFactory(task=t2, department=a, period=period)
    for period in periods[:10]:
        ReportFactory(task=t3, department=b, period=period)
    _complete(t1, at(2026, 6, 20, 10))
    _complete(t2, at(2026, 10, 15, 10))
    lead_office = MembershipFactory(role=Role.LEAD_OFFICE, department=None).user
    return type("World", (), {"plan": plan, "a": a, "b": b, "t1": t1, "t2": t2, "t3": t3,
                              "periods": periods, "lead_office": lead_office,
                              "head_a": MembershipFactory(department=a, role=Role.HEAD).user})


def _score(assessment, department) -> DepartmentScore:
    return assessment.scores.get(department=department)


def _component(score, key) -> dict:
    return next(c for c in score.components if c["key"] == key)


@pytest.fixture
def published(world):
    with time_machine.travel(ASSESSMENT_DAY):
        assessment = assessment_compute(world.plan, 2026)
        return assessment_publish(assessment=assessment, user=world.lead_office)


def test_the_default_weights_are_valid_and_add_up_to_100():
    weights = clean_weights(default_weights())
    assert sum(weights[rule.key] for rule in RULES if rule.weighted) == 100


@pytest.mark.parametrize(("weights", "message"), [
    ({"timeliness": 50}, "合计须为 100 分"),
    ({"timeliness": -5, "completion": 75}, "不小于 0"),
    ({"timeliness": "三十"}, "不小于 0"),
    ({"speed": 10}, "未知的评分项"),
    ({"late_completion_credit": 2}, "不能大于 1"),
    ([30, 40], "JSON 对象"),
])
def test_weights_the_lead_office_sets_are_validated(weights, message):
    with pytest.raises(ValidationError, match=message):
        clean_weights(weights)


@time_machine.travel(ASSESSMENT_DAY)
def test_timeliness_shows_its_formula_inputs_and_points(world):
    score = _score(assessment_compute(world.plan, 2026), world.b)
    component = _component(score, "timeliness")
    # 乙: t1 January–May (until it was completed) and t3 all year: 17 owed, 10 on time.
    assert component["inputs"] == {"应报送": 17, "按时报送": 10, "逾期报送": 0, "未报送": 7}
    assert component["formula"] == "按时报送率 10 ÷ 17 = 58.8% × 30 分 = 17.65 分"
    assert component["points"] == 17.65


@time_machine.travel(ASSESSMENT_DAY)
def test_a_completed_task_is_owed_reports_only_until_it_was_completed(world):
    component = _component(_score(assessment_compute(world.plan, 2026), world.a), "timeliness")
    assert component["inputs"]["应报送"] == 5 + 9  # t1 January–May, t2 January–September


@time_machine.travel(ASSESSMENT_DAY)
def test_task_completion_gives_late_completions_the_configured_credit(world):
    component = _component(_score(assessment_compute(world.plan, 2026), world.a), "completion")
    assert component["inputs"] == {"年内到期": 2, "按期办结": 1, "逾期办结": 1, "未办结": 0}
    assert component["formula"] == "按期完成率 (1 + 1 × 0.5) ÷ 2 = 75.0% × 40 分 = 30 分"


@time_machine.travel(ASSESSMENT_DAY)
def test_rules_that_do_not_apply_are_left_out_and_the_rest_scaled_to_100(world):
    score = _score(assessment_compute(world.plan, 2026), world.a)
    assert _component(score, "targets")["applicable"] is False
    assert _component(score, "scaled")["formula"] == "(30 + 30) ÷ 70 × 100 = 85.71 分"
    assert score.computed_total == score.total == Decimal("85.71")


@time_machine.travel(ASSESSMENT_DAY)
def test_each_returned_report_deducts_points_up_to_the_cap(world):
    Assessment.objects.create(plan=world.plan, year=2026,
                              weights={**default_weights(), "returned_per_report": 2,
                                       "returned_max": 3})
    for period in world.periods[10:12]:
        report = ReportFactory(task=world.t3, department=world.b, period=period)
        report_lead_review(report=report, user=world.lead_office, accept=False,
                           comment="内容过于简单,请补充。")
    component = _component(_score(assessment_compute(world.plan, 2026), world.b), "returned")
    assert component["inputs"] == {"被退回次数": 2}
    assert component["points"] == -3.0


@time_machine.travel(ASSESSMENT_DAY)
def test_target_achievement_averages_the_departments_targets_of_the_year(world):
    reached, silent = TargetFactory(plan=world.plan, value=100), TargetFactory(plan=world.plan)
    TargetFactory(plan=world.plan, year=2027)  # another year's target does not count
    for target in (reached, silent):
        TargetAssignmentFactory(target=target, department=world.a)
    ReadingFactory(target=reached, month=datetime.date(2026, 12, 1), value=80)
    component = _component(_score(assessment_compute(world.plan, 2026), world.a), "targets")
    assert component["inputs"] == {"考核指标数": 2, "平均达成率": "40.0%"}
    assert component["points"] == 8.0


@time_machine.travel(ASSESSMENT_DAY)
def test_meeting_decisions_score_the_share_carried_out(world):
    meeting = MeetingFactory(plan=world.plan, held_on=datetime.date(2026, 5, 29))
    DecisionFactory(meeting=meeting, departments=[world.a], is_closed=True)
    DecisionFactory(meeting=meeting, departments=[world.a])
    component = _component(_score(assessment_compute(world.plan, 2026), world.a), "decisions")
    assert component["inputs"] == {"议定事项": 2, "已落实": 1}
    assert component["points"] == 5.0


@time_machine.travel(ASSESSMENT_DAY)
def test_bonus_and_deduction_items_are_capped_on_each_side(world):
    assessment = Assessment.objects.create(plan=world.plan, year=2026)
    for points in (3, 4, -2):
        EntryFactory(assessment=assessment, department=world.a, points=points)
    score = _score(assessment_compute(world.plan, 2026), world.a)
    assert _component(score, "entries")["points"] == 3.0  # +5 (capped) − 2
    assert score.total == Decimal("88.71")


def test_the_departments_head_contests_its_score_with_a_reason(world, published):
    score = score_contest(score=_score(published, world.a), user=world.head_a,
                          reason="第2项任务已于9月底办结,系统记录晚于实际。")
    assert score.contest_state == DepartmentScore.ContestState.CONTESTED
    assert score.contested_by == world.head_a


@pytest.mark.parametrize("who", ["liaison", "other_head", "lead_office"])
def test_only_the_departments_head_may_contest(world, published, who):
    user = {"liaison": lambda: MembershipFactory(department=world.a).user,
            "other_head": lambda: MembershipFactory(department=world.b, role=Role.HEAD).user,
            "lead_office": lambda: world.lead_office}[who]()
    with pytest.raises(PermissionDenied):
        score_contest(score=_score(published, world.a), user=user, reason="不同意。")


def test_a_contest_needs_a_reason(world, published):
    with pytest.raises(ValidationError, match="申诉理由"):
        score_contest(score=_score(published, world.a), user=world.head_a, reason="  ")


@time_machine.travel(ASSESSMENT_DAY)
def test_no_contest_before_the_ranking_is_published(world):
    assessment = assessment_compute(world.plan, 2026)
    with pytest.raises(ValidationError, match="尚未公示"):
        score_contest(score=_score(assessment, world.a), user=world.head_a, reason="不同意。")


def test_only_the_lead_office_adjusts_a_score(world, published):
    with pytest.raises(PermissionDenied):
        score_adjust(score=_score(published, world.a), user=world.head_a, adjustment=5,
                     reason="自评加分。")


def test_an_adjustment_needs_a_reason(world, published):
    with pytest.raises(ValidationError) as error:
        score_adjust(score=_score(published, world.a), user=world.lead_office, adjustment=5,
                     reason="")
    assert "adjustment_reason" in error.value.message_dict


def test_an_adjustment_answers_the_contest_and_reorders_the_ranking(world, published):
    assert _score(published, world.b).rank == 2
    score_contest(score=_score(published, world.b),
                  user=MembershipFactory(department=world.b, role=Role.HEAD).user,
                  reason="t1 的报送由牵头部门统一报送。")
    score = score_adjust(score=_score(published, world.b), user=world.lead_office,
                         adjustment="40", reason="经核实,t1 由牵头部门统一报送,予以调整。")
    assert score.total == score.computed_total + 40
    assert score.contest_state == DepartmentScore.ContestState.RESOLVED
    assert score.contest_reply.startswith("经核实") and score.rank == 1


def test_tied_totals_share_a_rank(world, published):
    gap = _score(published, world.a).total - _score(published, world.b).computed_total
    score_adjust(score=_score(published, world.b), user=world.lead_office, adjustment=gap,
                 reason="并列。")
    assert {s.rank for s in published.scores.all()} == {1}


def test_finalising_is_refused_while_a_contest_is_unanswered(world, published):
    score_contest(score=_score(published, world.a), user=world.head_a, reason="不同意。")
    with pytest.raises(ValidationError, match="区甲局"):
        assessment_finalise(assessment=published, user=world.lead_office)


@time_machine.travel(ASSESSMENT_DAY)
def test_finalising_needs_the_ranking_published_first(world):
    assessment = assessment_compute(world.plan, 2026)
    with pytest.raises(ValidationError, match="请先公示"):
        assessment_finalise(assessment=assessment, user=world.lead_office)


def test_after_finalising_no_contest_adjustment_or_recomputation(world, published):
    final = assessment_finalise(assessment=published, user=world.lead_office)
    assert final.state == Assessment.State.FINAL and final.finalised_at
    with pytest.raises(ValidationError, match="已定稿"):
        score_contest(score=_score(final, world.a), user=world.head_a, reason="不同意。")
    with pytest.raises(ValidationError, match="已定稿"):
        score_adjust(score=_score(final, world.a), user=world.lead_office, adjustment=1,
                     reason="补充。")
    with pytest.raises(ValidationError, match="已定稿"):
        assessment_compute(world.plan, 2026)


@time_machine.travel(ASSESSMENT_DAY)
def test_recomputing_keeps_the_lead_offices_adjustment(world):
    assessment = assessment_compute(world.plan, 2026)
    score_adjust(score=_score(assessment, world.a), user=world.lead_office, adjustment=-2,
                 reason="信息报送有误。")
    score = _score(assessment_compute(world.plan, 2026), world.a)
    assert score.adjustment == -2 and score.total == score.computed_total - 2


def test_the_assessment_is_computed_and_published_on_its_day_past_a_holiday():
    plan = PlanFactory(tracking_start=datetime.date(2025, 1, 1))
    plan.schedule.assessment_month, plan.schedule.assessment_day = 2, 16  # 春节假期
    plan.schedule.save()
    assert assessments_compute_due(at(2026, 2, 23, 9)) == []
    [assessment] = assessments_compute_due(at(2026, 2, 24, 9))
    assert (assessment.year, assessment.state) == (2025, Assessment.State.PUBLISHED)
    assert assessment.computed_at is not None


def test_computing_when_due_twice_returns_the_assessment_once(world):
    first = assessments_compute_due(ASSESSMENT_DAY)
    second = assessments_compute_due(ASSESSMENT_DAY + datetime.timedelta(minutes=15))
    assert [a.year for a in first] == [2026] and second == []
    assert Assessment.objects.filter(plan=world.plan).count() == 1
    assert first[0].scores.count() == 2


def test_years_before_the_tracking_start_are_never_assessed():
    PlanFactory(tracking_start=datetime.date(2026, 11, 1))
    assert assessments_compute_due(at(2026, 1, 20, 9)) == []
    assert not Assessment.objects.exists()


def _grow(world, start: int, size: int) -> None:
    for n in range(start, start + size):
        department = DepartmentFactory()
        with time_machine.travel(at(2025, 12, 15, 9)):
            task = TaskFactory(plan=world.plan, number=100 + n, status=TaskStatus.IN_PROGRESS,
                               due_on=datetime.date(2026, 11, 30))
            AssignmentFactory(task=task, department=department, role=AssignmentRole.LEAD)
        ReportFactory(task=task, department=department, period=world.periods[n % 12])
        target = TargetFactory(plan=world.plan)
        TargetAssignmentFactory(target=target, department=department)
        DecisionFactory(meeting=MeetingFactory(plan=world.plan,
                                               held_on=datetime.date(2026, 1, 1 + n)),
                        departments=[department])


@time_machine.travel(ASSESSMENT_DAY)
def test_computing_runs_the_same_number_of_queries_whatever_the_size(world):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assessment_compute(world.plan, 2026)
        return len(captured)

    _grow(world, 0, 2)
    queries()  # the first computation creates the rows; count a recomputation
    small = queries()
    _grow(world, 2, 10)
    queries()
    assert queries() == small


def _plan_of(size: int, lead_office):
    """A plan of 2026 with ``size`` departments, each leading a task due in the year (every
    other one completed on time), all members of a group named on every task; reports (one
    late, one returned), a target of its own and one of the group with readings, a meeting
    decision and a bonus item for each."""
    with time_machine.travel(at(2025, 12, 15, 9)):
        plan = PlanFactory(tracking_start=datetime.date(2026, 1, 1))
        departments = [DepartmentFactory() for _ in range(size)]
        group = GroupFactory()
        group.members.set(departments)
        tasks = [TaskFactory(plan=plan, number=n, status=TaskStatus.IN_PROGRESS,
                             due_on=datetime.date(2026, 7, n % 28 + 1))
                 for n in range(1, size + 1)]
        for task, department in zip(tasks, departments, strict=True):
            AssignmentFactory(task=task, department=department, role=AssignmentRole.LEAD)
            AssignmentFactory(task=task, department=None, group=group)
    periods = [PeriodFactory(plan=plan, month=datetime.date(2026, m, 1),
                             deadline=datetime.date(2026, m, 25)) for m in range(1, 13)]
    shared = TargetFactory(plan=plan)
    TargetAssignmentFactory(target=shared, department=None, group=group)
    ReadingFactory(target=shared, month=datetime.date(2026, 6, 1), value=60)
    meeting = MeetingFactory(plan=plan, held_on=datetime.date(2026, 5, 29))
    assessment = Assessment.objects.create(plan=plan, year=2026, weights=default_weights())
    for n, (task, department) in enumerate(zip(tasks, departments, strict=True)):
        for period in periods[:3]:
            ReportFactory(task=task, department=department, period=period,
                          is_late=period.month.month == 2)
        report_lead_review(report=ReportFactory(task=task, department=department,
                                                period=periods[3]),
                           user=lead_office, accept=False, comment="请补充。")
        target = TargetFactory(plan=plan)
        TargetAssignmentFactory(target=target, department=department)
        ReadingFactory(target=target, month=datetime.date(2026, 9, 1), value=40 + n)
        DecisionFactory(meeting=meeting, departments=[department], is_closed=n % 2 == 0)
        EntryFactory(assessment=assessment, department=department, points=1)
        if n % 2 == 0:
            _complete(task, at(2026, 6, 20, 10))
    return plan


@time_machine.travel(ASSESSMENT_DAY)
def test_a_larger_plan_is_computed_in_as_many_queries_as_a_small_one(world):
    """More departments, tasks, parts, reports, targets and decisions: the same queries,
    first computation and recomputation alike."""
    def queries(plan) -> int:
        with CaptureQueriesContext(connection) as captured:
            assessment_compute(plan, 2026)
        return len(captured)

    small, large = _plan_of(2, world.lead_office), _plan_of(12, world.lead_office)
    counts = [(queries(plan), queries(plan)) for plan in (small, large)]
    assert counts[0] == counts[1]
    assessment = Assessment.objects.get(plan=large)
    assert assessment.scores.count() == 12
    applicable = {c["key"] for score in assessment.scores.all() for c in score.components
                  if c["applicable"] and c["points"]}
    assert {"timeliness", "completion", "targets", "decisions", "returned",
            "entries"} <= applicable
