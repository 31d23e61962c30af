"""A whole year of the primary plan, day by day: which messages on which day, none twice.

哈经开委发〔2023〕1号 is imported on Monday 2026-01-05 (tracked from 2026-01-01; parts to be
acknowledged by 01-08). The cycle runs every day at 09:30 and 17:00. 区工信局 (gxj) files
all its reports on the first working day from the 6th; in March its head returns one report
and it is filed again. 区教育局 (jyj) never files anything. Task 16 is due 2026-06-30; task 17
has a milestone on 2026-09-15. Deadlines are the 25th moved past holidays (2026: 1/26, 4/27,
7/27, 9/28 after 中秋, 10/26); make-up workdays count (2/28, 9/20).
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

import pytest
import time_machine
from django.db import transaction

from notifications.choices import DeliveryState
from notifications.models import Notification
from seeds.demo import demo_accounts_ensure
from tasks_app.importing import parse_document, read_document
from tasks_app.importing.loader import plan_load
from tasks_app.models import Milestone, Task
from tasks_app.services.periods import period_ensure
from tasks_app.services.reports import Filing, report_head_review, report_save
from tasks_app.services.tasks import task_update
from tasks_app.workdays import on_or_after

from .conftest import PRIMARY_SEED
from .cycle_support import GOOD, cycle_at, moment

pytestmark = pytest.mark.django_db  # makes pytest-django create the test database
DAILY_FAMILY = {"reminder", "chase", "escalation", "due_soon", "ack_overdue"}


def days(*pairs: str) -> list[datetime.date]:
    return [datetime.date(2026, *map(int, pair.split("/"))) for pair in pairs]


REMINDERS = days("1/19", "1/23", "2/11", "2/24", "3/18", "3/24", "4/20", "4/24", "5/18", "5/22",
                 "6/17", "6/24", "7/20", "7/24", "8/18", "8/24", "9/20", "9/24", "10/19",
                 "10/23", "11/18", "11/24", "12/18", "12/24")
BLUE = days("1/27", "2/26", "3/26", "4/28", "5/26", "6/26", "7/28", "8/26", "9/29", "10/27",
            "11/26", "12/28")
YELLOW = days("1/28", "2/27", "3/27", "4/29", "5/27", "6/29", "7/29", "8/27", "9/30", "10/28",
              "11/27", "12/29")
RED = days("2/2", "3/3", "4/1", "5/7", "6/1", "7/2", "8/3", "9/1", "10/10", "11/2", "12/2")
PACKS = days("1/29", "2/27", "3/30", "4/29", "5/28", "6/29", "7/30", "8/28", "9/29", "10/29",
             "11/27", "12/30")
DUE_SOON = days("6/23", "6/29", "9/8", "9/14")
# Quarterly bulletins on the 10th of the month after the quarter (10/10 is a make-up workday).
BULLETINS = days("4/10", "7/10", "10/10")
ACK_OVERDUE = days("1/9")
# 区工信局 files on the first working day from the 6th, and once more on 3/13: its head is
# told the same day that reports wait for review.
FILINGS = days("1/6", "2/6", "3/6", "3/13", "4/7", "5/6", "6/8", "7/6", "8/6", "9/7", "10/8",
               "11/6", "12/7")


@dataclass
class Year:
    sent: list[tuple[datetime.date, str, str, int]]  # (day, username, kind, hour)
    stored: int  # notifications to people
    states: set[str]


@pytest.fixture(scope="module")
def year(django_db_setup, django_db_blocker) -> Year:
    """Import the primary plan on 2026-01-05 and run the whole year once for this module, in
    a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        with time_machine.travel(moment(1, 5, 9), tick=False):
            plan = plan_load(parse_document(read_document(PRIMARY_SEED))).plan
            sent = _walk(plan)
        result = Year(sent, Notification.objects.filter(recipient__isnull=False).count(),
                      set(Notification.objects.values_list("state", flat=True)))
        transaction.set_rollback(True)
    return result


def _walk(plan) -> list[tuple[datetime.date, str, str, int]]:
    demo_accounts_ensure("pw-demo-1")
    world = _Actors(plan)
    task_update(task=Task.objects.get(plan=plan, number=16),
                data={"due_on": datetime.date(2026, 6, 30)}, actor=world.user("leadoffice"),
                reason="明确完成时限")
    Milestone.objects.create(task=Task.objects.get(plan=plan, number=17),
                             title="完成年度骨干企业认定", due_on=datetime.date(2026, 9, 15))
    sent = []
    day = datetime.date(2026, 1, 5)
    while day.year == 2026:
        for message in cycle_at(moment(day.month, day.day, 9, 30)):
            sent.append((day, message.user, message.kind, 9))
        world.act(day)
        for message in cycle_at(moment(day.month, day.day, 17, 0)):
            sent.append((day, message.user, message.kind, 17))
        day += datetime.timedelta(days=1)
    return sent


class _Actors:
    """区工信局 files on time every month; its head returns one report in March."""

    def __init__(self, plan):
        self.plan = plan
        self.tasks = list(Task.objects.filter(plan=plan, assignments__department__code="gxj"))

    @staticmethod
    def user(username):
        from django.contrib.auth.models import User
        return User.objects.get(username=username)

    def _file(self, day, tasks):
        with time_machine.travel(moment(day.month, day.day, 10), tick=False):
            period = period_ensure(self.plan, day)
            for task in tasks:
                report_save(filing=Filing(task, task.assignments.get(
                    department__code="gxj").department_id, period),
                    data=GOOD, user=self.user("gxj.liaison"), submit=True)

    def act(self, day):
        if day == on_or_after(day.replace(day=6)):
            self._file(day, self.tasks)
        if day == datetime.date(2026, 3, 12):
            report = self.tasks[-1].reports.get(period__month=datetime.date(2026, 3, 1))
            with time_machine.travel(moment(3, 12, 10), tick=False):
                report_head_review(report=report, user=self.user("gxj.head"), approve=False,
                                   comment="请补充本月完成的企业数量。")
        if day == datetime.date(2026, 3, 13):
            self._file(day, self.tasks[-1:])


def _of(year: Year, username: str) -> list[tuple[datetime.date, str]]:
    """What ``username`` received, 督办单 apart (see the last test)."""
    return sorted((day, kind) for day, user, kind, _ in year.sent
                  if user == username and kind != "slip")


def test_a_liaison_who_never_reports_is_reminded_chased_and_told_of_due_dates(year):
    expected = ([(d, "reminder") for d in REMINDERS] + [(d, "chase") for d in BLUE]
                + [(d, "due_soon") for d in DUE_SOON] + [(d, "ack_overdue") for d in ACK_OVERDUE])
    assert _of(year, "jyj.liaison") == sorted(expected)


def test_the_head_of_a_department_that_never_reports_gets_each_yellow_escalation(year):
    assert _of(year, "jyj.head") == sorted(
        [(d, "escalation") for d in YELLOW] + [(d, "ack_overdue") for d in ACK_OVERDUE])


def test_a_department_that_reports_on_time_hears_only_of_returns_due_dates_and_reviews(year):
    assert _of(year, "gxj.liaison") == sorted(
        [(datetime.date(2026, 3, 12), "returned")] + [(d, "due_soon") for d in DUE_SOON])
    assert _of(year, "gxj.head") == [(d, "review") for d in FILINGS]


def test_the_lead_office_gets_red_escalations_meeting_packs_and_bulletins(year):
    assert _of(year, "leadoffice") == sorted(
        [(d, "escalation") for d in RED] + [(d, "meeting_pack") for d in PACKS]
        + [(d, "bulletin") for d in BULLETINS])


def test_managers_get_each_quarterly_bulletin_once(year):
    bulletins = [d for d, kind in _of(year, "manager") if kind == "bulletin"]
    assert bulletins == BULLETINS


def test_managers_also_get_a_weekly_digest_every_monday(year):
    mondays = [d for d, kind in _of(year, "manager") if kind == "digest"]
    assert len(mondays) == 51 and {d.weekday() for d in mondays} == {0}
    assert mondays[0] == datetime.date(2026, 1, 12)


def test_at_most_one_reminder_email_per_person_per_day(year):
    per_day = Counter((day, user) for day, user, kind, _ in year.sent if kind in DAILY_FAMILY)
    assert max(per_day.values()) == 1


def test_nothing_is_sent_twice(year):
    assert year.stored == len(year.sent)
    assert year.states == {DeliveryState.SENT}
    afternoon = defaultdict(set)
    for _day, user, kind, hour in year.sent:
        if hour == 17:
            afternoon[kind].add(user)
    # the second run of a day repeats nothing: it only carries what happened since
    assert set(afternoon) == {"returned", "review"}


def test_a_department_that_never_reports_gets_its_slips_on_the_red_days(year):
    slips = Counter(day for day, user, kind, _ in year.sent
                    if user == "jyj.liaison" and kind == "slip")
    assert set(slips) == set(RED)
    assert [day for day, user, kind, _ in year.sent if kind == "slip" and user == "jyj.head"] \
        == [day for day, user, kind, _ in year.sent if kind == "slip" and user == "jyj.liaison"]
    assert not [user for day, user, kind, _ in year.sent
                if kind == "slip" and (user.startswith("gxj.") or user == "leadoffice")]
