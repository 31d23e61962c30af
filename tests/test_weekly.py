"""Weekly cycles (每周反馈): weekly periods with their own deadlines (the working-day calendar
moves them), reminders before and the chase ladder after, reports filed per week, and the
counts that bulletins and assessments read.

The world (tests/cycle_support.World): 甲 alone on task 1, which reports weekly; 甲 and 乙 on
task 2, which reports monthly. Tracked from 2026-03-01. The week of Monday 3/9 is due Friday
3/13: reminder Thu 3/12, blue Mon 3/16, yellow Tue 3/17, red Fri 3/20.
"""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from notifications.dispatch import InProcess
from tasks_app.choices import FeedbackCycle, PeriodKind, SlipTrigger
from tasks_app.cycle.run import run_cycle
from tasks_app.models import CalendarDay, ReportingPeriod, SupervisionSlip
from tasks_app.rules.obligations import missing_reports_for
from tasks_app.selectors.reporting import reporting_compliance
from tasks_app.services.calendar import calendar_year_replace
from tasks_app.services.periods import period_ensure, weeks_open
from tasks_app.services.reports import Filing, report_save

from .cycle_support import GOOD, World, cycle_at, moment
from .factories import PlanFactory, TaskFactory

pytestmark = pytest.mark.django_db
WEEK = datetime.date(2026, 3, 9)
LABEL = "2026年3月9日当周"


@pytest.fixture
def world():
    with time_machine.travel(moment(1, 5, 9), tick=False):
        world = World()
    world.task1.feedback_cycle = FeedbackCycle.WEEKLY
    world.task1.save(update_fields=["feedback_cycle"])
    return world


def _week(world, monday=WEEK) -> ReportingPeriod:
    return ReportingPeriod.objects.get(plan=world.plan, kind=PeriodKind.WEEKLY, opens_on=monday)


def _file(world, period, task, department, username, on):
    with time_machine.travel(on, tick=False):
        return report_save(filing=Filing(task, department.pk, period), data=GOOD,
                           user=world.people[username], submit=True)


def _walk(first: datetime.datetime, days: int) -> dict[datetime.date, dict[str, str]]:
    """Run the cycle each day; each user's message text, by day."""
    result: dict[datetime.date, dict[str, str]] = {}
    for offset in range(days):
        at = first + datetime.timedelta(days=offset)
        for message in cycle_at(at):
            result.setdefault(at.date(), {})[message.user] = message.text
    return result


def test_a_week_has_its_deadline_its_month_and_opens_with_the_cycle(world):
    with time_machine.travel(moment(3, 10), tick=False):
        weeks = weeks_open(plans=[world.plan], today=datetime.date(2026, 3, 10))[world.plan.pk]
    assert [(w.opens_on, w.deadline, w.month) for w in weeks] == [
        (datetime.date(2026, 3, 2), datetime.date(2026, 3, 6), datetime.date(2026, 3, 1)),
        (WEEK, datetime.date(2026, 3, 13), datetime.date(2026, 3, 1))]
    assert str(weeks[1]) == LABEL and weeks[1].is_weekly
    # a week whose Friday falls in April counts with April
    with time_machine.travel(moment(3, 31), tick=False):
        weeks = weeks_open(plans=[world.plan], today=datetime.date(2026, 3, 31))[world.plan.pk]
    assert weeks[-1].opens_on == datetime.date(2026, 3, 30)
    assert weeks[-1].month == datetime.date(2026, 4, 1)
    # plans without weekly items get no weeks
    other = PlanFactory(tracking_start=datetime.date(2026, 3, 1))
    TaskFactory(plan=other, number=1, feedback_cycle=FeedbackCycle.MONTHLY)
    with time_machine.travel(moment(3, 10), tick=False):
        assert weeks_open(plans=[other], today=datetime.date(2026, 3, 10)) == {}


def test_the_weekly_deadline_follows_the_working_day_calendar(world):
    """A 2027 weekly deadline on a holiday entered from the State Council's notice moves."""
    world.track_from(datetime.date(2027, 1, 1))
    CalendarDay.objects.filter(year=2027).delete()
    with time_machine.travel(datetime.datetime(2027, 2, 9, 9, 30), tick=False):
        [week] = [w for w in weeks_open(plans=[world.plan], today=datetime.date(2027, 2, 9))[
            world.plan.pk] if w.opens_on == datetime.date(2027, 2, 8)]
        assert week.deadline == datetime.date(2027, 2, 12)  # no calendar yet: the Friday
        spring = [CalendarDay(date=datetime.date(2027, 2, day), kind=CalendarDay.Kind.HOLIDAY,
                              name="春节", year=2027) for day in range(6, 15)]
        spring.append(CalendarDay(date=datetime.date(2027, 2, 20),
                                  kind=CalendarDay.Kind.WORKDAY, name="春节", year=2027))
        calendar_year_replace(2027, spring)
    week.refresh_from_db()
    assert week.deadline == datetime.date(2027, 2, 15)  # the first working day after 春节


def test_weekly_items_get_reminders_and_the_chase_ladder_each_once(world):
    world.plan.schedule.slip_level = SlipTrigger.YELLOW
    world.plan.schedule.save(update_fields=["slip_level"])
    days = _walk(moment(3, 10), 11)
    mentions = {(day, user) for day, sent in days.items() for user, text in sent.items()
                if LABEL in text}
    assert mentions == {(datetime.date(2026, 3, 12), "jia.liaison"),  # reminder
                        (datetime.date(2026, 3, 16), "jia.liaison"),  # blue
                        (datetime.date(2026, 3, 17), "jia.head"),  # yellow
                        (datetime.date(2026, 3, 20), "leadoffice"),  # red
                        (datetime.date(2026, 3, 20), "manager")}
    assert "2026年3月9日当周进展报送将于2026年3月13日截止" in days[datetime.date(2026, 3, 12)][
        "jia.liaison"]
    assert "1. 甲局独立任务" in days[datetime.date(2026, 3, 12)]["jia.liaison"]
    assert "黄色督办" in days[datetime.date(2026, 3, 17)]["jia.head"]
    assert "区甲局：任务 1" in days[datetime.date(2026, 3, 20)]["leadoffice"]
    assert all(LABEL not in text for sent in days.values()
               for user, text in sent.items() if user.startswith("yi."))  # 乙 is monthly only
    # idempotent: the same moment again tells nothing new; weeks draft no 督办单
    assert cycle_at(moment(3, 20)) == []
    assert not SupervisionSlip.objects.filter(period__kind=PeriodKind.WEEKLY).exists()


def test_a_filed_weekly_report_stops_the_chase(world):
    cycle_at(moment(3, 16))  # opens the week of 3/16
    week = _week(world, datetime.date(2026, 3, 16))
    _file(world, week, world.task1, world.jia, "jia.liaison", moment(3, 18, 10))
    days = _walk(moment(3, 19), 6)
    assert all("2026年3月16日当周" not in text for sent in days.values()
               for text in sent.values())


def test_reports_go_to_the_period_of_their_cycle_and_are_counted_there(world):
    cycle_at(moment(3, 12))
    week, month = _week(world), period_ensure(world.plan, datetime.date(2026, 3, 1))
    with pytest.raises(ValidationError, match="该任务每周反馈，请在周报填报周期中报送"):
        _file(world, month, world.task1, world.jia, "jia.liaison", moment(3, 12, 10))
    with pytest.raises(ValidationError, match="周报填报周期只接受每周反馈的任务"):
        _file(world, week, world.task2, world.jia, "jia.liaison", moment(3, 12, 10))
    assert [(r.task_id, r.department_id) for r in missing_reports_for([week])[week.pk]] == [
        (world.task1.pk, world.jia.pk)]
    assert {(r.task_id, r.department_id) for r in missing_reports_for([month])[month.pk]} == {
        (world.task2.pk, world.jia.pk), (world.task2.pk, world.yi.pk)}
    _file(world, week, world.task1, world.jia, "jia.liaison", moment(3, 12, 10))
    assert missing_reports_for([week])[week.pk] == []
    with time_machine.travel(moment(4, 10), tick=False):
        weekly = reporting_compliance(world.plan, [week])
        monthly = reporting_compliance(world.plan, [month])
        both = reporting_compliance(world.plan, [week, month])
    assert (weekly[world.jia.pk].expected, weekly[world.jia.pk].on_time) == (1, 1)
    assert world.yi.pk not in weekly
    assert monthly[world.jia.pk].expected == 1  # task 2 only: task 1 is weekly
    assert (both[world.jia.pk].expected, both[world.jia.pk].on_time) == (2, 1)


def test_the_report_page_of_a_weekly_item_asks_for_this_week(world, client):
    with time_machine.travel(moment(3, 11), tick=False):
        run_cycle(moment(3, 11), dispatch=InProcess())
        client.force_login(world.people["jia.liaison"])
        page = client.get(reverse("portal:report", args=[world.task1.pk]))
        assert page.status_code == 200
        assert page.context["period"] == _week(world)
        sheet = client.get(reverse("portal:batch_report", args=[_week(world).pk]))
        assert [row.task.pk for row, _form in sheet.context["entries"]] == [world.task1.pk]
        home = client.get(reverse("portal:home")).context["home"]
        [row] = [row for row in home.rows if row.task.pk == world.task1.pk]
        last_week = _week(world, datetime.date(2026, 3, 2))
        assert (row.period, row.standing) == (last_week, "overdue")  # chased first
    _file(world, last_week, world.task1, world.jia, "jia.liaison", moment(3, 11, 10))
    with time_machine.travel(moment(3, 11, 11), tick=False):
        home = client.get(reverse("portal:home")).context["home"]
        [row] = [row for row in home.rows if row.task.pk == world.task1.pk]
        assert (row.period, row.standing) == (_week(world), "due")


def test_the_api_lists_weeks_and_what_they_are_owed(world):
    cycle_at(moment(3, 16))
    api = APIClient()
    api.force_authenticate(world.people["leadoffice"])
    rows = api.get(reverse("api:period-list"), {"kind": "weekly"}).json()["results"]
    assert {row["opens_on"] for row in rows} == {"2026-03-09", "2026-03-16"}
    assert {row["kind"] for row in rows} == {"weekly"}
    owed = api.get(reverse("api:period-owed", args=[_week(world).pk])).json()
    assert [(row["task"], row["department"], row["standing"]) for row in owed] == [
        (world.task1.pk, world.jia.pk, "overdue")]
