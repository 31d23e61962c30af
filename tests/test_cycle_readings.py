"""月监测 in the cycle: the owners of a target are reminded of its missing monthly figure
before the deadline and chased after it, on the reports' ladder, once each.

The world (tests/cycle_support.py): plan tracked from 2026-03-01, deadline the 25th. The
February figures are due with the March period: deadline Wed 3/25, reminders 3/18 and 3/24,
blue 3/26, yellow 3/27, red 4/1.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine

from notifications.dispatch import InProcess
from notifications.models import Notification, NotificationItem
from tasks_app.choices import AssignmentRole
from tasks_app.cycle.run import run_cycle
from tasks_app.models import ReportingPeriod, Target, TargetAssignment
from tasks_app.rules.obligations import missing_readings_for, owed_readings
from tasks_app.services.periods import period_ensure
from tasks_app.services.targets import target_reading_review, target_reading_save

from .cycle_support import World, by_user, cycle_at, moment
from .factories import GroupFactory as DepartmentGroupFactory

pytestmark = pytest.mark.django_db
FEBRUARY = datetime.date(2026, 2, 1)


@pytest.fixture
def world():
    with time_machine.travel(moment(1, 5, 9), tick=False):
        world = World()
        world.gdp = Target.objects.create(plan=world.plan, name="地区生产总值", unit="亿元",
                                          value=Decimal("1500"), year=2026)
        TargetAssignment.objects.create(target=world.gdp, department=world.jia,
                                        role=AssignmentRole.LEAD)
        TargetAssignment.objects.create(target=world.gdp, department=world.yi,
                                        role=AssignmentRole.RESPONSIBLE)
        return world


def _file(world, username="jia.liaison", at=None):
    with time_machine.travel(at or moment(3, 10, 10), tick=False):
        return target_reading_save(target=world.gdp, month=FEBRUARY, value="260",
                                   note="按计划。", user=world.people[username])


def _march(world) -> ReportingPeriod:
    with time_machine.travel(moment(3, 2), tick=False):
        return period_ensure(world.plan, datetime.date(2026, 3, 2))


def _reading_messages(sent, user):
    return [m for m in sent if m.user == user and "指标监测" in m.text]


# ---------------------------------------------------------------- the rule


def test_the_lead_unit_owes_the_figure_for_the_month_before_the_period(world):
    period = _march(world)
    (row,) = owed_readings([period])[period.pk]
    assert (row.target_name, row.month, row.department_name, row.filed) == (
        "地区生产总值", FEBRUARY, "区甲局", False)


def test_without_a_lead_every_unit_on_the_target_owes_it(world):
    TargetAssignment.objects.filter(target=world.gdp).update(role=AssignmentRole.RESPONSIBLE)
    period = _march(world)
    assert {r.department_name for r in owed_readings([period])[period.pk]} == {"区甲局", "区乙局"}


def test_a_lead_group_is_owed_by_its_active_members(world):
    group = DepartmentGroupFactory(name="各统计单位")
    group.members.add(world.yi)
    TargetAssignment.objects.filter(target=world.gdp, department=world.jia).delete()
    TargetAssignment.objects.filter(target=world.gdp).update(role=AssignmentRole.RESPONSIBLE)
    TargetAssignment.objects.create(target=world.gdp, group=group, role=AssignmentRole.LEAD)
    period = _march(world)
    assert [r.department_name for r in owed_readings([period])[period.pk]] == ["区乙局"]


def test_a_filed_figure_settles_it_a_returned_one_is_owed_again(world):
    period = _march(world)
    reading = _file(world)
    assert missing_readings_for([period])[period.pk] == []
    with time_machine.travel(moment(3, 11), tick=False):
        target_reading_review(reading=reading, user=world.people["leadoffice"], approve=False,
                              comment="口径不对。")
    assert [r.department_name for r in missing_readings_for([period])[period.pk]] == ["区甲局"]


def test_a_target_is_not_monitored_after_its_year(world):
    world.gdp.year = 2025
    world.gdp.save()
    period = _march(world)
    assert owed_readings([period])[period.pk] == []


# ---------------------------------------------------------------- the cycle


def test_the_owner_is_reminded_on_the_reminder_days_with_the_reports(world):
    sent = cycle_at(moment(3, 18))
    (message,) = _reading_messages(sent, "jia.liaison")
    assert message.kind == "reminder"  # one message a day: the reports' reminder too
    assert "区甲局：2026年2月指标监测数据将于2026年3月25日截止，尚有 1 项指标未填报" in message.text
    assert "地区生产总值" in message.text
    assert "http://testserver/indicators/?month=2026-02" in message.text
    assert _reading_messages(sent, "yi.liaison") == []  # 乙 is not an owner


def test_a_filed_figure_is_not_asked_for(world):
    _file(world)
    assert _reading_messages(cycle_at(moment(3, 18)), "jia.liaison") == []


def test_the_chase_climbs_the_ladder_blue_yellow_red(world):
    for task in (world.task1, world.task2):  # reports filed: only the figure is missing
        world.report(task, world.jia, "jia.liaison", moment(3, 10, 10))
    world.report(world.task2, world.yi, "yi.liaison", moment(3, 10, 10))
    days = {}
    for offset in range(9):
        at = moment(3, 24, 12) + datetime.timedelta(days=offset)
        sent = cycle_at(at)
        got = {m.user: m.kind for m in sent if "指标监测" in m.text}
        if got:
            days[at.date()] = got
    assert days == {
        datetime.date(2026, 3, 24): {"jia.liaison": "reminder"},
        datetime.date(2026, 3, 26): {"jia.liaison": "chase"},
        datetime.date(2026, 3, 27): {"jia.head": "escalation"},
        datetime.date(2026, 4, 1): {"leadoffice": "escalation", "manager": "escalation"},
    }


def test_the_red_step_names_the_departments_and_their_targets(world):
    cycle_at(moment(3, 31))
    red = [m for m in cycle_at(moment(4, 1)) if m.user == "leadoffice"
           and "指标监测" in m.text]
    assert len(red) == 1
    assert "2026年2月指标监测数据逾期 5 个工作日，1 个部门仍未填报（红色督办）" in red[0].text
    assert "区甲局：地区生产总值" in red[0].text


def test_a_figure_filed_after_the_deadline_stops_the_chase(world):
    cycle_at(moment(3, 26))
    _file(world, at=moment(3, 26, 15))
    assert _reading_messages(cycle_at(moment(3, 27)), "jia.head") == []


def test_a_retried_beat_never_sends_twice(world):
    first = cycle_at(moment(3, 18))
    assert len(_reading_messages(first, "jia.liaison")) == 1
    stored = Notification.objects.count()
    with time_machine.travel(moment(3, 18, 9, 45), tick=False):
        again = run_cycle(moment(3, 18, 9, 45), dispatch=InProcess())  # the next beat
    assert sum(again.decided.values()) == 0 and Notification.objects.count() == stored
    assert by_user(cycle_at(moment(3, 19))) == {}  # the 5-day stage was told
    keys = list(NotificationItem.objects.filter(key__startswith="reading-")
                .values_list("key", flat=True))
    assert len(keys) == len(set(keys)) == 1


def test_nothing_is_sent_before_tracking_starts(world):
    world.track_from(datetime.date(2026, 4, 1))
    assert _reading_messages(cycle_at(moment(3, 18)), "jia.liaison") == []
