"""The quarterly 专题研究 as a meeting rule: held on the quarter's last month's
``quarterly_review_day`` (on a working day), its own pack sent ``meeting_pack_days_before``
working days before to the lead office and the managers, once.

Q1 2026: review Fri 3/20, pack Thu 3/19. Q2: 6/20 is a Saturday → Mon 6/22; Fri 6/19 is
端午节, so the pack goes on Thu 6/18.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine

from tasks_app.choices import AssignmentRole, Health
from tasks_app.models import Meeting, Target, TargetAssignment, TargetReading

from .cycle_support import World, cycle_at, moment

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    with time_machine.travel(moment(1, 5, 9), tick=False):
        world = World()
        schedule = world.plan.schedule
        schedule.quarterly_review = True
        schedule.save()
        return world


def _packs(sent):
    return [m for m in sent if "季度专题研究" in m.subject]


def test_the_pack_goes_to_the_leaders_the_working_day_before(world):
    assert _packs(cycle_at(moment(3, 18))) == []
    sent = _packs(cycle_at(moment(3, 19)))
    assert sorted(m.user for m in sent) == ["leadoffice", "manager"]
    assert {m.kind for m in sent} == {"meeting_pack"}
    assert "2026年第1季度专题研究（2026年3月20日）" in sent[0].subject
    assert "定于2026年3月20日召开" in sent[0].text
    meeting = Meeting.objects.get(kind=Meeting.Kind.QUARTERLY)
    assert (meeting.held_on, meeting.title) == (datetime.date(2026, 3, 20),
                                                "2026年第1季度专题研究")


def test_the_pack_is_sent_once_and_caught_up_until_the_meeting(world):
    assert len(_packs(cycle_at(moment(3, 20)))) == 2  # the worker was down on 3/19
    assert _packs(cycle_at(moment(3, 20, 15))) == []
    assert _packs(cycle_at(moment(3, 23))) == []
    assert Meeting.objects.filter(kind=Meeting.Kind.QUARTERLY).count() == 1


def test_a_review_day_on_a_holiday_moves_to_the_next_working_day(world):
    assert _packs(cycle_at(moment(6, 17))) == []
    (pack, _) = _packs(cycle_at(moment(6, 18)))
    assert "2026年6月22日" in pack.subject


def test_without_the_rule_there_is_no_quarterly_pack(world):
    schedule = world.plan.schedule
    schedule.quarterly_review = False
    schedule.save()
    assert _packs(cycle_at(moment(3, 19))) == []
    assert not Meeting.objects.filter(kind=Meeting.Kind.QUARTERLY).exists()


def test_the_pack_puts_the_quarter_at_a_glance(world):
    world.track_from(datetime.date(2026, 2, 1))
    world.task1.health_override = Health.RED
    world.task1.health_override_reason = "征收受阻"
    world.task1.save()
    world.report(world.task1, world.jia, "jia.liaison", moment(2, 10, 10),
                 problems="地块征收受阻。", needs_coordination=True)
    gdp = Target.objects.create(plan=world.plan, name="地区生产总值", unit="亿元",
                                value=Decimal("1200"), year=2026)
    TargetAssignment.objects.create(target=gdp, department=world.jia, role=AssignmentRole.LEAD)
    TargetReading.objects.create(target=gdp, month=datetime.date(2026, 1, 1),
                                 value=Decimal("50"), note="春节因素。")
    (pack, _) = _packs(cycle_at(moment(3, 19)))
    text = pack.text
    assert "一、任务总体情况：共 2 项，已办结 0 项" in text
    assert "二、进度滞后（红色预警）的任务及突出问题（1 项）" in text
    assert "任务 1. 甲局独立任务" in text and "区甲局：地块征收受阻。" in text
    assert "三、各部门提请研究协调的事项（1 项）" in text
    assert ("地区生产总值：1月 50亿元（目标进度 100.00亿元），落后于目标进度；说明：春节因素。"
            in text)
    # February's reports and January's figures were due 2/25 (乙 owes task 2; 甲 filed
    # task 1 only; the figure was filed).
    assert "区乙局：进展报送 1 项" in text and "区甲局：进展报送 1 项" in text
    assert "指标监测" not in text.split("五、")[1]
    assert "滞后任务 1 项，提请研究 1 项，指标落后 1 项" in pack.subject
