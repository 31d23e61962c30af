"""A whole year of the primary plan, day by day: which messages on which day, none twice.

哈经开委发〔2023〕1号 is imported on Monday 2026-01-05 (tracked from 2026-01-01; parts to be
acknowledged by 01-08). The cycle runs every day at 09:30 and 17:00. Three kinds of
departments: 区工信局 (gxj) files early, all its reports on the first working day from the 6th
(in March its head returns one report and it is filed again); 区统计局 (tjj) files late, on
the day of the blue chase, after it; 区教育局 (jyj) never files anything. The lead office's
own department is 经开办 (jkb). Every message is checked against the cycle's rules: working
days only, from the send time; no chase, escalation or 督办单 for a locked period (the
bulletin waits for the ladder); at most one 督办单 draft per department and period, none
numbered until the lead office signs it. Task 16 is due 2026-06-30; task 17
has a milestone on 2026-09-15. Deadlines are the 25th moved past holidays (2026: 1/26, 4/27,
7/27, 9/28 after 中秋, 10/26); make-up workdays count (2/28, 9/20).
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

import pytest
import time_machine
from django.db import transaction
from django.db.models import Count

from notifications.choices import DeliveryState
from notifications.models import Notification
from seeds.demo import demo_accounts_ensure
from tasks_app.choices import PeriodState
from tasks_app.importing import parse_document, read_document
from tasks_app.importing.loader import plan_load
from tasks_app.models import Milestone, ReportingPeriod, SupervisionSlip, Target, Task
from tasks_app.rules.obligations import owed_readings
from tasks_app.services.periods import period_ensure
from tasks_app.services.reports import Filing, report_head_review, report_save
from tasks_app.services.targets import target_reading_save
from tasks_app.services.tasks import task_update
from tasks_app.workdays import is_working_day, on_or_after

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
# The plan demands a quarterly 专题研究 (on the 20th of the quarter's last month, moved to a
# working day): its pack the working day before.
QUARTERLY_PACKS = days("3/19", "6/18", "9/18", "12/18")
DUE_SOON = days("6/23", "6/29", "9/8", "9/14")
# Quarterly bulletins on the 10th of the month after the quarter — or after the ladder of the
# quarter's last period: September's red step is on 10/10, its 督办单 answer by 10/14.
BULLETINS = days("4/10", "7/10", "10/15")
LADDER = {"chase", "escalation", "slip"}
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
    slips: list[tuple[str, datetime.date, int | None, str, int]]  # code, month, no., state, items
    chased_when_locked: list[tuple[datetime.date, datetime.date]]  # (day, period month)


@pytest.fixture(scope="module")
def year(django_db_setup, django_db_blocker) -> Year:
    """Import the primary plan on 2026-01-05 and run the whole year once for this module, in
    a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        with time_machine.travel(moment(1, 5, 9), tick=False):
            plan = plan_load(parse_document(read_document(PRIMARY_SEED))).plan
            sent, chased_when_locked = _walk(plan)
        slips = [(s.department.code, s.period.month, s.sequence, s.state, s.n)
                 for s in SupervisionSlip.objects.select_related("department", "period")
                 .annotate(n=Count("items")).order_by("period__month", "department__code")]
        result = Year(sent, Notification.objects.filter(recipient__isnull=False).count(),
                      set(Notification.objects.values_list("state", flat=True)), slips,
                      chased_when_locked)
        transaction.set_rollback(True)
    return result


def _walk(plan):
    demo_accounts_ensure("pw-demo-1")
    world = _Actors(plan)
    task_update(task=Task.objects.get(plan=plan, number=16),
                data={"due_on": datetime.date(2026, 6, 30)}, actor=world.user("leadoffice"),
                reason="明确完成时限")
    Milestone.objects.create(task=Task.objects.get(plan=plan, number=17),
                             title="完成年度骨干企业认定", due_on=datetime.date(2026, 9, 15))
    sent, chased_when_locked = [], []

    def run(day, hour, minute):
        messages = cycle_at(moment(day.month, day.day, hour, minute))
        sent.extend((day, message.user, message.kind, hour) for message in messages)
        if any(message.kind in LADDER for message in messages):
            chased = (ReportingPeriod.objects.filter(plan=plan, deadline__lt=day)
                      .order_by("-deadline").first())
            if chased.state == PeriodState.LOCKED:
                chased_when_locked.append((day, chased.month))

    day = datetime.date(2026, 1, 5)
    while day.year == 2026:
        run(day, 9, 30)
        world.act(day)
        run(day, 17, 0)
        day += datetime.timedelta(days=1)
    return sent, chased_when_locked


class _Actors:
    """区工信局 files on time every month; its head returns one report in March. 区统计局
    files on the blue chase's day."""

    def __init__(self, plan):
        self.plan = plan
        self.tasks = list(Task.objects.filter(plan=plan, assignments__department__code="gxj"))
        self.late_tasks = list(Task.objects.filter(plan=plan,
                                                   assignments__department__code="tjj"))

    @staticmethod
    def user(username):
        from django.contrib.auth.models import User
        return User.objects.get(username=username)

    def _figures(self, period, code):
        """The indicator figures (月监测) the department owes with ``period``, filed."""
        user = self.user(f"{code}.liaison")
        for row in owed_readings([period], department_ids=[
                user.memberships.get().department_id])[period.pk]:
            if not row.filed:
                target_reading_save(target=Target.objects.get(pk=row.target_id),
                                    month=row.month, value="1", note="按月填报。", user=user)

    def _file(self, day, tasks):
        with time_machine.travel(moment(day.month, day.day, 10), tick=False):
            period = period_ensure(self.plan, day)
            for task in tasks:
                report_save(filing=Filing(task, task.assignments.get(
                    department__code="gxj").department_id, period),
                    data=GOOD, user=self.user("gxj.liaison"), submit=True)
            self._figures(period, "gxj")

    def _file_late(self, day):
        with time_machine.travel(moment(day.month, day.day, 10), tick=False):
            period = (ReportingPeriod.objects.filter(plan=self.plan, deadline__lt=day)
                      .order_by("-deadline").first())
            for task in self.late_tasks:
                report_save(filing=Filing(task, task.assignments.get(
                    department__code="tjj").department_id, period),
                    data=GOOD, user=self.user("tjj.liaison"), submit=True)
            self._figures(period, "tjj")

    def act(self, day):
        if day == on_or_after(day.replace(day=6)):
            self._file(day, self.tasks)
        if day in BLUE:
            self._file_late(day)
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
        + [(d, "meeting_pack") for d in QUARTERLY_PACKS] + [(d, "bulletin") for d in BULLETINS])


def test_managers_get_each_quarterly_bulletin_once(year):
    bulletins = [d for d, kind in _of(year, "manager") if kind == "bulletin"]
    assert bulletins == BULLETINS


def test_managers_also_get_a_weekly_digest_every_monday_or_the_next_working_day(year):
    sent = [d for d, kind in _of(year, "manager") if kind == "digest"]
    mondays = [datetime.date(2026, 1, 12) + datetime.timedelta(weeks=n) for n in range(51)]
    # 春节: the slots of 2/16 and 2/23 both fall in the holiday and go out once, on 2/24.
    assert sent == sorted({on_or_after(monday) for monday in mondays})
    assert datetime.date(2026, 2, 24) in sent and datetime.date(2026, 10, 8) in sent


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


def test_a_late_filer_is_reminded_and_chased_once_a_month_and_never_escalated(year):
    ladder = {"reminder", "chase", "escalation", "slip"}
    assert [(d, k) for d, k in _of(year, "tjj.liaison") if k in ladder] == sorted(
        [(d, "reminder") for d in REMINDERS] + [(d, "chase") for d in BLUE])
    assert [(d, k) for d, k in _of(year, "tjj.head") if k in ladder] == []


def test_every_message_goes_on_a_working_day_from_the_send_time(year):
    assert [(day, kind) for day, _user, kind, _ in year.sent if not is_working_day(day)] == []


def test_no_message_chases_a_report_the_system_would_refuse(year):
    assert year.chased_when_locked == []
    # The quarter's last red step comes before its bulletin locks the quarter.
    for red, bulletin in zip((RED[1], RED[4], RED[7]), BULLETINS, strict=True):
        assert red < bulletin


def test_the_ladder_proposes_one_unnumbered_draft_per_department_and_month(year):
    per = Counter((code, month) for code, month, *_ in year.slips)
    assert max(per.values()) == 1
    assert {(sequence, state) for _, _, sequence, state, _ in year.slips} == {(None, "draft")}
    codes = {code for code, *_ in year.slips}
    assert "jyj" in codes and not codes & {"gxj", "tjj", "jkb"}  # never the lead office itself
    assert sorted(month for code, month, *_ in year.slips if code == "jyj") == [
        datetime.date(2026, month, 1) for month in range(1, 12)]
    jyj_items = {n for code, _, _, _, n in year.slips if code == "jyj"}
    assert jyj_items == {2}  # both its items on one slip
    # A draft is never sent: nobody receives a 督办单 all year (nobody signed one).
    assert not [user for _, user, kind, _ in year.sent if kind == "slip"]
