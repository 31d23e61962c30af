"""One question, every answer: "does department D owe a report on task T for period P, and
is it overdue?" asked of every screen, endpoint, document and message that answers it.

A plan tracked from May 2026 (May's deadline: 25 May). Each case is one department on one
task, so the answers do not mix. The table says what the rules (tasks_app.rules.obligations)
expect for May; every surface is asked at two moments — 20 May (before the deadline: 待报送)
and 2 June (after the red step: 逾期未报) — and must give the same answer.

The same table is asked again of a weekly period: every item reports weekly (每周) — except
the one that reports monthly — in a plan tracked from 18 May; the week of 18 May (deadline
Friday 22 May) is asked on 21 May (its reminder day: 待报送) and on 29 May (its red step:
逾期未报).
"""

import datetime
import re
from dataclasses import dataclass

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from common.formatting import cn_period
from departments.access import access_for
from departments.choices import Role
from tasks_app.choices import (
    FeedbackCycle,
    FeedbackType,
    PartState,
    PeriodKind,
    ReportState,
    TaskStatus,
)
from tasks_app.cycle.context import CycleContext
from tasks_app.cycle.decisions.digest_data import DigestData
from tasks_app.models import ReportingPeriod
from tasks_app.selectors.bulletins import bulletin_compute
from tasks_app.selectors.ledger import ledger_for
from tasks_app.selectors.reporting import reporting_compliance
from tasks_app.services.periods import periods_open, weeks_open

from .cycle_support import cycle_at, moment
from .factories import (
    AssignmentFactory,
    DepartmentFactory,
    GroupFactory,
    MembershipFactory,
    PlanFactory,
    TaskFactory,
    UserFactory,
)
from .records_factories import ReportFactory

pytestmark = pytest.mark.django_db

BEFORE = moment(5, 20)  # May's deadline is 25 May: its reports are 待报送
AFTER = moment(6, 2)  # past May's red step (1 June): 逾期未报, named in the bulletin
DUE, OVERDUE = "due", "overdue"
WEEK = datetime.date(2026, 5, 18)  # the weekly period asked: deadline Friday 22 May
BEFORE_WEEK = moment(5, 21)  # its reminder day (1 working day before): 待报送
AFTER_WEEK = moment(5, 29)  # its red step (5 working days after): 逾期未报


@dataclass(frozen=True)
class Case:
    name: str
    owes: bool  # owes May's report and has not filed it
    task: dict
    part: dict | None = None


CASES = [
    Case("group member", True, {}, {"via_group": True}),
    Case("named directly and through a group", True, {}, {"also_group": True}),
    Case("returned report", True, {}, {"report": ReportState.RETURNED}),
    Case("filed report", False, {}, {"report": ReportState.SUBMITTED}),
    Case("one-off item", False, {"feedback_type": FeedbackType.ONE_OFF}),
    Case("quarterly item, off-quarter month", False,
         {"feedback_cycle": FeedbackCycle.QUARTERLY}),
    Case("the other cycle (weekly in a month, monthly in a week)", False, {"other_cycle": True}),
    Case("suspended part", False, {"status": TaskStatus.SUSPENDED},
         {"state": PartState.SUSPENDED}),
    Case("completed part", False, {"status": TaskStatus.COMPLETED},
         {"state": PartState.COMPLETED}),
    Case("transferred away", False, {}, {"state": PartState.TRANSFERRED}),
    Case("transferred to", True, {}, {"transferred_to": True}),
    Case("assigned after the deadline", False, {}, {"late": True}),
    Case("extension requested", True, {}, {"state": PartState.EXTENSION_REQUESTED}),
]


class World:
    def __init__(self, kind: str = PeriodKind.MONTHLY):
        self.kind = kind
        weekly = kind == PeriodKind.WEEKLY
        self.cycle, self.other = ((FeedbackCycle.WEEKLY, FeedbackCycle.MONTHLY) if weekly
                                  else (FeedbackCycle.MONTHLY, FeedbackCycle.WEEKLY))
        with time_machine.travel(moment(5, 1), tick=False):
            self.plan = PlanFactory(tracking_start=WEEK if weekly else datetime.date(2026, 5, 1))
            self.office = self._person("office", Role.LEAD_OFFICE, None)
            self.manager = self._person("manager", Role.MANAGER, None)
            self.rows = []  # (case, department, task)
            self.reports = []  # (task, department, state) for May
            for number, case in enumerate(CASES, start=1):
                self._add(number, case)

    @staticmethod
    def _person(username, role, department):
        return MembershipFactory(user=UserFactory(username=username), role=role,
                                 department=department).user

    def _add(self, number: int, case: Case) -> None:
        part = dict(case.part or {})
        fields = dict(case.task)
        cycle = self.other if fields.pop("other_cycle", False) else self.cycle
        task = TaskFactory(plan=self.plan, number=number, title=f"任务{number}",
                           **{"feedback_type": FeedbackType.PERIODIC,
                              "feedback_cycle": cycle, **fields})
        department = DepartmentFactory(name=f"区{number}号局", code=f"d{number}")
        self._person(f"d{number}.liaison", Role.LIAISON, department)
        if part.pop("via_group", False):
            group = GroupFactory()
            group.members.set([department])
            AssignmentFactory(task=task, department=None, group=group)
        elif part.pop("late", False):
            with time_machine.travel(moment(5, 26), tick=False):
                AssignmentFactory(task=task, department=department)
        else:
            report = part.pop("report", None)
            also_group = part.pop("also_group", False)
            transferred_to = part.pop("transferred_to", False)
            if transferred_to:
                away = DepartmentFactory(name=f"区{number}号原局", code=f"d{number}x")
                AssignmentFactory(task=task, department=away, state=PartState.TRANSFERRED)
            AssignmentFactory(task=task, department=department, **part)
            if also_group:
                group = GroupFactory()
                group.members.set([department])
                AssignmentFactory(task=task, department=None, group=group)
            if report:
                self.reports.append((task, department, report))
        self.rows.append((case, department, task))

    def file_reports(self, period: ReportingPeriod) -> None:
        for task, department, state in self.reports:
            ReportFactory(task=task, department=department, period=period, state=state,
                          submitted_at=moment(5, 10))


@pytest.fixture
def world():
    return World()


def _may(world) -> ReportingPeriod:
    return ReportingPeriod.objects.get(plan=world.plan, month=datetime.date(2026, 5, 1),
                                       kind=PeriodKind.MONTHLY)


def _week(world) -> ReportingPeriod:
    return ReportingPeriod.objects.get(plan=world.plan, opens_on=WEEK, kind=PeriodKind.WEEKLY)


# ---------------------------------------------------------------- each surface's answer
# Each returns {(department id, task id): DUE | OVERDUE} for May, or counts where the
# surface only shows counts.


def _cycle(world, sent, period) -> dict:
    answers = {}
    for _case, department, task in world.rows:
        for message in sent:
            if (message.user != f"{department.code}.liaison"
                    or f"{cn_period(period)}进展报送" not in message.text):
                continue
            if f"{task.number}. {task.title}" in message.text:
                answers[department.pk, task.pk] = DUE if message.kind == "reminder" else OVERDUE
    return answers


def _home(world, period) -> dict:
    answers = {}
    for _case, department, task in world.rows:
        client = Client()
        client.force_login(User.objects.get(username=f"{department.code}.liaison"))
        home = client.get(reverse("portal:home")).context["home"]
        for row in home.rows:
            if row.task.pk == task.pk and row.standing and row.period.pk == period.pk:
                answers[row.department_id, task.pk] = row.standing
    return answers


def _task_review(world, period) -> dict:
    client = Client()
    client.force_login(world.office)
    answers = {}
    for _case, _department, task in world.rows:
        url = reverse("portal:review", args=[task.pk]) + f"?period={period.pk}"
        for row in client.get(url).context["page"].rows:
            if row.compliance in ("pending", "overdue"):
                answers[row.department.pk, task.pk] = DUE if row.compliance == "pending" \
                    else OVERDUE
    return answers


def _overview(world, period) -> dict[int, tuple[str, int]]:
    """Department id → (standing, tasks owed) from the overview's section for May."""
    client = Client()
    client.force_login(world.manager)
    [plan] = client.get(reverse("portal:overview")).context["overview"].plans
    [section] = [owed for owed in plan.owed if owed.period.pk == period.pk]
    assert section.total == len(section.departments)  # all shown: fewer than ten
    return {row["department_id"]: (section.standing, row["tasks"])
            for row in section.departments}


def _desk(world, period) -> tuple[str, int, int] | None:
    client = Client()
    client.force_login(world.office)
    html = client.get(reverse("portal:desk_reports")).content.decode()
    [item] = client.get(reverse("portal:desk_reports")).context["owed"]
    assert str(item.plan.pk) in html
    for count in item.counts:
        if count.period.pk == period.pk:
            return count.standing, count.departments, count.reports
    return None


def _api(world, period) -> dict:
    client = APIClient()
    client.force_authenticate(world.office)
    rows = client.get(reverse("api:period-owed", args=[period.pk])).json()
    answers = {}
    for row in rows:
        key = (row["department"], row["task"])
        assert key not in answers, "a department is asked once per task"
        if not row["filed"]:
            answers[key] = row["standing"]
    return answers


def _ledger(world, period) -> dict:
    """The ledger's 本期报送 column (its owed period is May at both moments here)."""
    result = ledger_for(access_for(world.office), {"plan": str(world.plan.pk)})
    return {(row.department_id, row.task["id"]): row.standing for row in result.rows
            if row.standing and row.standing_period.pk == period.pk}


def _assessment(world, period) -> dict:
    """(department, task) owed and not filed, from the assessment's owed counts: counts
    are per department, and each department here is on one task."""
    counts = reporting_compliance(world.plan, [period])
    tasks = {department.pk: task.pk for _case, department, task in world.rows}
    answers = {}
    for department_id, compliance in counts.items():
        assert compliance.expected <= 1
        if compliance.missing:
            answers[department_id, tasks[department_id]] = True
    return answers


def _bulletin(world, period) -> set[str]:
    content = bulletin_compute(world.plan, 2026, 2)
    return {row["name"] for row in content["named_departments"]
            if any(entry.startswith(f"{cn_period(period)}（") for entry in row["periods"])}


def _digest_overdue(world, now, period) -> set[str]:
    ctx = CycleContext(now)
    data = DigestData.load(ctx, since=now - datetime.timedelta(days=1))
    return {re.split(" · ", row.text)[0] for row in data.missing
            if f" · {cn_period(period)} · " in row.text}


def _digest_due(world, now, period) -> str:
    ctx = CycleContext(now)
    data = DigestData.load(ctx, since=now - datetime.timedelta(days=1))
    [row] = [row for row in data.upcoming
             if row.plan_level and f"{cn_period(period)}进展报送" in row.text]
    return row.text


# ---------------------------------------------------------------- the test


def _expected(world, standing: str) -> dict:
    return {(department.pk, task.pk): standing for case, department, task in world.rows
            if case.owes}


@pytest.mark.parametrize(("at", "standing"), [(BEFORE, DUE), (AFTER, OVERDUE)],
                         ids=["before the deadline", "after the red step"])
def test_every_surface_gives_the_same_answer(world, at, standing):
    with time_machine.travel(BEFORE, tick=False):  # the cycle opens May's period
        periods_open(plans=[world.plan], today=BEFORE.date())
    period = _may(world)
    _ask_every_surface(world, period, BEFORE, at, standing)


@pytest.mark.parametrize(("at", "standing"), [(BEFORE_WEEK, DUE), (AFTER_WEEK, OVERDUE)],
                         ids=["before the weekly deadline", "after the weekly red step"])
def test_every_surface_gives_the_same_answer_for_a_week(at, standing):
    world = World(PeriodKind.WEEKLY)
    with time_machine.travel(BEFORE_WEEK, tick=False):  # the cycle opens the week's period
        weeks_open(plans=[world.plan], today=BEFORE_WEEK.date())
    period = _week(world)
    assert (period.deadline, period.month) == (datetime.date(2026, 5, 22),
                                               datetime.date(2026, 5, 1))
    _ask_every_surface(world, period, BEFORE_WEEK, at, standing)


def _ask_every_surface(world, period, before, at, standing):
    world.file_reports(period)
    if at != before:
        cycle_at(before)  # the reminders went out before the deadline
    sent = cycle_at(at)
    expected = _expected(world, standing)
    names = {department.pk: department.name for _c, department, _t in world.rows}
    with time_machine.travel(at, tick=False):
        surfaces = {
            "cycle": _cycle(world, sent, period),
            "home": _home(world, period),
            "task review page": _task_review(world, period),
            "API": _api(world, period),
            "ledger": _ledger(world, period),
            "assessment": dict.fromkeys(_assessment(world, period), standing),
        }
        overview = _overview(world, period)
        desk = _desk(world, period)
        bulletin = _bulletin(world, period)
        digest_overdue = _digest_overdue(world, at, period)
        digest_due = _digest_due(world, at, period) if standing == DUE else ""
    for surface, answers in surfaces.items():
        wrong = {names[d]: (answers.get((d, t)), expected.get((d, t)))
                 for d, t in set(answers) | set(expected)
                 if answers.get((d, t)) != expected.get((d, t))}
        assert not wrong, f"{surface} disagrees (answer, expected): {wrong}"
    departments = {d for d, _t in expected}
    assert overview == dict.fromkeys(departments, (standing, 1))  # once per task
    assert desk == (standing, len(departments), len(expected))
    if standing == OVERDUE:
        assert bulletin == {names[d] for d in departments}  # 逾期未报送
        assert digest_overdue == {names[d] for d in departments}
    else:
        assert bulletin == set()  # before the deadline nobody is named
        assert f"{len(departments)} 个部门 {len(expected)} 项待报送" in digest_due


def test_a_week_two_months_past_is_asked_by_no_screen():
    """Every screen asks about the periods of last, this and next month
    (selectors.owed.recent_months): on 20 July the week of 18 May, still unreported, is
    chased neither on the home page, nor on the 督办台, nor on the overview."""
    world = World(PeriodKind.WEEKLY)
    with time_machine.travel(BEFORE_WEEK, tick=False):
        weeks_open(plans=[world.plan], today=BEFORE_WEEK.date())
    period = _week(world)
    with time_machine.travel(moment(7, 20), tick=False):
        assert _home(world, period) == {}
        client = Client()
        client.force_login(world.manager)
        [item] = client.get(reverse("portal:desk_reports")).context["owed"]
        assert period.pk not in {count.period.pk for count in item.counts}
        [plan] = client.get(reverse("portal:overview")).context["overview"].plans
        assert period.pk not in {owed.period.pk for owed in plan.owed}
    with time_machine.travel(AFTER_WEEK, tick=False):  # while it was recent, it was chased
        [plan] = client.get(reverse("portal:overview")).context["overview"].plans
        assert period.pk in {owed.period.pk for owed in plan.owed}
