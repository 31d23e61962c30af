"""Digests and meeting packs say what changed since the previous one and show the red trend;
the counts are recorded once per slot, with the messages."""

import datetime

import pytest
import time_machine
from django.utils import translation

from notifications.choices import DigestFrequency, Kind
from notifications.drafts import drafts_store
from notifications.models import DigestSubscription, Notification, SummaryRecord
from notifications.summaries import KEPT
from tasks_app.cycle.context import CycleContext
from tasks_app.cycle.decisions.digests import digest_drafts
from tasks_app.services.digest_subscriptions import digest_subscription_update
from tasks_app.services.tasks import task_update

from .cycle_support import World, cycle_at, moment

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    with time_machine.travel(moment(1, 5, 9), tick=False):
        world = World()
    with time_machine.travel(moment(3, 2, 8), tick=False):
        digest_subscription_update(user=world.people["manager"],
                                   frequency=DigestFrequency.DAILY, plans=[], drivers=[],
                                   departments=[], weekday=None, send_time=None, contents=None)
    return world


def _late(world, task, on):
    with time_machine.travel(on, tick=False):
        task_update(task=task, data={"due_on": datetime.date(2026, 3, 1)},
                    actor=world.people["leadoffice"], reason="测试")


def _digest(on):
    (digest,) = [m for m in cycle_at(on) if m.user == "manager" and m.kind == "digest"]
    return digest


def test_the_next_digest_says_what_changed_and_shows_the_red_trend(world):
    first = _digest(moment(3, 3, 8, 30))
    assert "与上一期相比" not in first.text and "比上次" not in first.html  # nothing to compare
    _late(world, world.task2, moment(3, 3, 10))
    second = _digest(moment(3, 4, 8, 30))
    assert "与上一期相比：滞后任务 比上次 +1 · 逾期未报 持平" in second.text
    assert "滞后任务近几期：0 → 1" in second.text and "比上次 +1" in second.html
    _late(world, world.task1, moment(3, 4, 10))
    third = _digest(moment(3, 5, 8, 30))
    assert "滞后任务 比上次 +1" in third.text and "滞后任务近几期：0 → 1 → 2" in third.text
    with time_machine.travel(moment(3, 5, 10), tick=False):
        task_update(task=world.task1, data={"due_on": datetime.date(2026, 12, 31)},
                    actor=world.people["leadoffice"], reason="测试")
    fourth = _digest(moment(3, 6, 8, 30))
    assert "滞后任务 比上次 \u22121" in fourth.text and "1 → 2 → 1" in fourth.text
    fifth = _digest(moment(3, 9, 8, 30))
    assert "滞后任务 持平" in fifth.text
    assert [r.counts["red"] for r in SummaryRecord.objects.filter(
        series=f"digest:user-{world.people['manager'].pk}").order_by("created_at")] == [
        0, 1, 2, 1, 1]


def test_a_repeated_beat_neither_sends_nor_records_twice(world):
    cycle_at(moment(3, 3, 8, 30))
    assert [m for m in cycle_at(moment(3, 3, 8, 30)) if m.kind == "digest"] == []
    assert SummaryRecord.objects.count() == 1
    # A concurrent beat that read the subscription before the first one wrote: its message
    # and its record both give way to the stored ones.
    DigestSubscription.objects.update(last_sent_at=None)
    Notification.objects.filter(kind=Kind.DIGEST).delete()
    at = moment(3, 4, 8, 30)
    with time_machine.travel(at, tick=False):
        first, second = digest_drafts(CycleContext(at)), None
        DigestSubscription.objects.update(last_sent_at=None)
        second = digest_drafts(CycleContext(at))
        drafts_store(first + second, today=at.date())
    assert len(first) == len(second) == 1
    assert Notification.objects.filter(kind=Kind.DIGEST).count() == 1
    assert SummaryRecord.objects.filter(key__contains="digest:daily:2026-03-04").count() == 1


def test_the_history_keeps_the_last_twelve(world):
    manager = world.people["manager"]
    for day in range(KEPT + 2):
        SummaryRecord.objects.create(series=f"digest:user-{manager.pk}", key=f"old-{day}",
                                     counts={"red": day},
                                     created_at=moment(1, 1) + datetime.timedelta(days=day))
    digest = _digest(moment(3, 3, 8, 30))
    assert "滞后任务 比上次 \u221213" in digest.text  # 13 in the newest record, 0 now
    records = SummaryRecord.objects.filter(series=f"digest:user-{manager.pk}")
    assert records.count() == KEPT and not records.filter(key="old-2").exists()
    assert records.filter(key="old-3").exists()


def test_the_changes_read_in_english(world):
    cycle_at(moment(3, 3, 8, 30))
    _late(world, world.task2, moment(3, 3, 10))
    at = moment(3, 4, 8, 30)
    with time_machine.travel(at, tick=False), translation.override("en"):
        (draft,) = digest_drafts(CycleContext(at))
    assert "Tasks behind schedule +1 since last time · Overdue unchanged" in draft.body_text
    assert "Tasks behind schedule, trend: 0 → 1" in draft.body_text
    assert "+1 since last time" in draft.body_html


def test_the_meeting_pack_compares_with_the_plans_previous_pack(world):
    world.track_from(datetime.date(2026, 2, 1))
    for day in (26, 27, 28):  # February's pack (28th is a working day after the holiday)
        cycle_at(moment(2, day))
    assert SummaryRecord.objects.filter(series__startswith="meeting_pack").count() == 1
    _late(world, world.task2, moment(3, 20, 11))
    (pack,) = [m for m in cycle_at(moment(3, 30)) if m.user == "manager"
               and m.kind == "meeting_pack"]
    assert "与上次会议材料相比：提请协调 持平 · 滞后任务 比上次 +1" in pack.text
    assert "滞后任务近几期：0 → 1" in pack.text and "比上次 +1" in pack.html
    assert SummaryRecord.objects.filter(series=f"meeting_pack:plan-{world.plan.pk}").count() == 2


def test_the_quarterly_pack_compares_with_the_previous_quarter(world):
    schedule = world.plan.schedule
    schedule.quarterly_review = True
    schedule.save()
    first = [m for m in cycle_at(moment(3, 19)) if m.user == "manager"
             and "季度专题研究" in m.subject]
    assert first and "与上季度会议材料相比" not in first[0].text
    _late(world, world.task2, moment(4, 1, 10))
    (second,) = [m for m in cycle_at(moment(6, 18)) if m.user == "manager"
                 and "季度专题研究" in m.subject]
    assert "与上季度会议材料相比：滞后任务 比上次 +1 · 提请协调 持平" in second.text
    assert "滞后任务近几期：0 → 1" in second.text and "比上次 +1" in second.html
