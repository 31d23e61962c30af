"""The cycle's decisions, one behaviour each: reminders, the chase ladder, bounds on catch-up,
one email per person per day, due dates, returned reports, robots, idempotence.

The world: plan tracked from 2026-03-01 (earlier periods are not chased), deadline the 25th.
March 2026: deadline Wed 3/25, reminders 3/18 and 3/24, blue 3/26, yellow 3/27, red 4/1;
meeting 3/31, pack 3/30.
"""

import datetime
import re

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction

from departments.choices import Role
from notifications.choices import DeliveryState, Kind
from notifications.dispatch import InProcess
from notifications.models import (
    Notification,
    NotificationItem,
    WebhookEndpoint,
)
from tasks_app.choices import PartState
from tasks_app.cycle.run import STEPS, run_cycle
from tasks_app.models import Milestone
from tasks_app.services.reports import report_head_review

from .cycle_support import World, by_user, cycle_at, moment
from .factories import (
    AssignmentFactory,
    DepartmentFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    with time_machine.travel(moment(1, 5, 9), tick=False):
        return World()


def walk(first: datetime.datetime, days: int) -> dict[datetime.date, dict[str, list[str]]]:
    """Run the cycle each day at the same time; what each user got, by day."""
    result = {}
    for offset in range(days):
        at = first + datetime.timedelta(days=offset)
        sent = by_user(cycle_at(at))
        if sent:
            result[at.date()] = sent
    return result


def d(month: int, day: int) -> datetime.date:
    return datetime.date(2026, month, day)


def test_reminders_reach_liaisons_on_the_reminder_days_only(world):
    world.report(world.task2, world.yi, "yi.liaison", moment(3, 10, 10))
    days = walk(moment(3, 12), 14)
    assert days == {d(3, 12): {"yi.head": ["review"]},  # 乙's filing waits for its head
                    d(3, 18): {"jia.liaison": ["reminder"]},
                    d(3, 24): {"jia.liaison": ["reminder"]}}


def test_a_reminder_lists_the_tasks_still_without_a_report(world):
    world.report(world.task1, world.jia, "jia.liaison", moment(3, 10, 10))
    (message,) = [m for m in cycle_at(moment(3, 18)) if m.user == "jia.liaison"]
    assert message.kind == "reminder"
    assert "2. 甲乙共同任务" in message.text and "1. 甲局独立任务" not in message.text
    assert "2026年3月25日截止" in message.subject
    assert "http://testserver/periods/" in message.text


def test_the_chase_climbs_the_ladder_blue_yellow_red(world):
    world.report(world.task2, world.yi, "yi.liaison", moment(3, 10, 10))
    days = walk(moment(3, 24, 12), 9)
    assert days == {
        d(3, 24): {"jia.liaison": ["reminder"], "yi.head": ["review"]},
        d(3, 26): {"jia.liaison": ["chase"]},
        d(3, 27): {"jia.head": ["escalation"]},
        d(3, 30): {"leadoffice": ["meeting_pack"], "manager": ["meeting_pack"]},
        # The red step; the 督办单 is a draft for the lead office to sign, not sent.
        d(4, 1): {"leadoffice": ["escalation"], "manager": ["escalation"]},
    }


def test_the_red_escalation_names_the_departments_and_their_tasks(world):
    world.report(world.task2, world.yi, "yi.liaison", moment(3, 10, 10))
    cycle_at(moment(3, 31))
    sent = cycle_at(moment(4, 1))
    red = next(m for m in sent if m.user == "leadoffice")
    assert "红色督办" in red.subject and "区甲局：任务 1、2" in red.text
    assert "区乙局" not in red.text


def test_nothing_is_sent_before_the_send_time(world):
    assert cycle_at(moment(3, 18, 8, 59)) == []
    assert [m.kind for m in cycle_at(moment(3, 18, 9, 0))] == ["reminder", "reminder"]


def test_a_missed_reminder_day_is_caught_up_before_the_deadline(world):
    sent = by_user(cycle_at(moment(3, 20, 15)))  # the worker was down on 3/18
    assert sent == {"jia.liaison": ["reminder"], "yi.liaison": ["reminder"]}
    assert by_user(cycle_at(moment(3, 23, 15))) == {}  # the 5-day reminder was told


def test_after_the_deadline_a_missed_reminder_is_replaced_by_the_chase(world):
    sent = cycle_at(moment(3, 26, 15))  # down from 3/18 until after the deadline
    assert {(m.user, m.kind) for m in sent} == {("jia.liaison", "chase"),
                                                ("yi.liaison", "chase")}
    assert "报送提醒" not in sent[0].text


def test_catching_up_after_days_down_tells_each_level_reached_once(world):
    sent = by_user(cycle_at(moment(3, 30, 15)))  # down from 3/25 to 3/30 (yellow reached)
    assert sent["jia.liaison"] == ["chase"] and sent["jia.head"] == ["escalation"]
    assert sent["leadoffice"] == ["meeting_pack"]  # red is not reached yet
    assert by_user(cycle_at(moment(4, 1, 15)))["leadoffice"] == ["escalation"]


def test_nothing_is_chased_before_the_tracking_start(world):
    world.track_from(d(3, 26))
    assert cycle_at(moment(3, 27)) == []
    assert cycle_at(moment(4, 1)) == []


def test_parts_given_after_the_deadline_are_not_chased_for_that_period(world):
    with time_machine.travel(moment(3, 26, 8), tick=False):
        late = DepartmentFactory(name="区丙局", code="bing")
        AssignmentFactory(task=world.task1, department=late)
        World.member("bing.liaison", Role.LIAISON, late)
    assert "bing.liaison" not in by_user(cycle_at(moment(3, 26)))


def test_one_email_per_person_per_day_lists_every_item_by_urgency(world):
    world.report(world.task2, world.yi, "yi.liaison", moment(3, 10, 10))
    with time_machine.travel(moment(3, 20), tick=False):
        world.task1.due_on = d(3, 27)
        world.task1.save()
    sent = [m for m in cycle_at(moment(3, 26)) if m.user == "jia.liaison"]
    assert len(sent) == 1
    (message,) = sent
    assert message.kind == "chase"
    assert message.text.index("【逾期催报】") < message.text.index("【到期提醒】")
    assert "（另有 1 项）" in message.subject
    assert "逾期催报" in message.html and "到期提醒" in message.html


def test_an_item_found_after_todays_email_waits_until_the_next_working_day(world):
    cycle_at(moment(3, 26))
    with time_machine.travel(moment(3, 26, 11), tick=False):
        world.task1.due_on = d(3, 27)
        world.task1.save()
    assert cycle_at(moment(3, 26, 15)) == []
    (message,) = [m for m in cycle_at(moment(3, 27)) if m.user == "jia.liaison"]
    assert message.kind == "due_soon" and "今天到期" in message.text


def test_running_twice_for_the_same_moment_sends_nothing_more(world):
    first = cycle_at(moment(4, 1))
    assert first
    assert cycle_at(moment(4, 1)) == []
    assert Notification.objects.count() == len(first)
    assert not Notification.objects.exclude(state=DeliveryState.SENT).exists()


def test_due_soon_before_a_task_and_a_milestone(world):
    world.track_from(d(6, 1))
    with time_machine.travel(moment(5, 4), tick=False):
        world.task1.due_on = d(6, 30)
        world.task1.save()
        Milestone.objects.create(task=world.task2, title="完成方案", due_on=d(6, 10))
    days = {day: sent for day, sent in walk(moment(6, 1), 30).items()
            if "due_soon" in sent.get("jia.liaison", [])}
    assert sorted(days) == [d(6, 3), d(6, 9), d(6, 23), d(6, 29)]
    assert days[d(6, 3)] == {"jia.liaison": ["due_soon"], "yi.liaison": ["due_soon"]}


def test_a_part_not_acknowledged_in_time_is_told_once_to_liaisons_and_heads(world):
    world.track_from(d(2, 1))
    with time_machine.travel(moment(2, 2), tick=False):
        world.part1.state, world.part1.ack_due_on = PartState.PENDING_ACK, d(2, 4)
        world.part1.save()
    days = walk(moment(2, 4), 3)
    assert days == {d(2, 5): {"jia.liaison": ["ack_overdue"], "jia.head": ["ack_overdue"]}}


def test_a_returned_report_is_told_to_the_liaisons_once_per_return(world):
    report = world.report(world.task1, world.jia, "jia.liaison", moment(3, 10, 10))
    with time_machine.travel(moment(3, 11, 10), tick=False):
        report_head_review(report=report, user=world.people["jia.head"], approve=False,
                           comment="数据口径不一致")
    message, review = sorted(cycle_at(moment(3, 11, 10, 15)), key=lambda m: m.kind)
    assert (review.kind, review.user) == ("review", "jia.head")  # told of the filing
    assert message.kind == "returned" and message.user == "jia.liaison"
    assert "部门负责人" in message.subject and "数据口径不一致" in message.text
    assert f"/tasks/{world.task1.pk}/" in message.text
    assert cycle_at(moment(3, 11, 16)) == []
    report.refresh_from_db()
    world.report(world.task1, world.jia, "jia.liaison", moment(3, 12, 10))
    with time_machine.travel(moment(3, 12, 11), tick=False):
        report_head_review(report=report, user=world.people["jia.head"], approve=False,
                           comment="附件缺失")
    assert sorted(m.kind for m in cycle_at(moment(3, 12, 12))) == ["returned", "review"]


def test_department_robots_get_the_department_items_and_leader_robots_the_red(world):
    hook = WebhookEndpoint.objects.create(name="甲局群", url="http://127.0.0.1:9/h",
                                          department=world.jia)
    leaders = WebhookEndpoint.objects.create(name="领导群", url="http://127.0.0.1:9/l",
                                             for_managers=True)
    for day in (moment(3, 26), moment(3, 27), moment(4, 1)):
        cycle_at(day)
    kinds = dict(Notification.objects.filter(webhook__isnull=False).exclude(kind=Kind.SLIP)
                 .values_list("dedupe_key", "kind"))
    # Both robots' addresses are dead: the 3/26 chase to the department's robot fails for good
    # once past the retry horizon, and its item (still owed) is told again on the next day
    # the chase lists it.
    assert kinds == {f"daily:2026-03-26:webhook-{hook.pk}": Kind.CHASE,
                     f"daily:2026-03-27:webhook-{hook.pk}": Kind.ESCALATION,
                     f"daily:2026-04-01:webhook-{hook.pk}": Kind.CHASE,
                     f"daily:2026-04-01:webhook-{leaders.pk}": Kind.ESCALATION}


def test_items_are_remembered_per_recipient(world):
    cycle_at(moment(3, 18))
    keys = set(NotificationItem.objects.values_list("key", flat=True))
    jia = world.people["jia.liaison"].pk
    period = world.plan.periods.get(month=d(3, 1))
    assert f"reminder:2026-03:plan-{world.plan.pk}:s5:dept-{world.jia.pk}:user-{jia}" in keys
    assert period.deadline == d(3, 25)


def test_the_command_runs_the_cycle_and_prints_what_it_sent(world, capsys):
    with time_machine.travel(moment(3, 26, 9, 30), tick=False):
        call_command("run_cycle", "--at", "2026-03-26T09:30")
    out = capsys.readouterr().out
    assert "督办周期 2026-03-26 09:30" in out and "已发送 chase\t逾期催报\t2" in out
    with time_machine.travel(moment(3, 26, 9, 31), tick=False):
        call_command("run_cycle", "--at", "2026-03-26T09:30")
    assert "没有需要发送的消息" in capsys.readouterr().out


def test_a_failing_step_does_not_stop_the_others(world):
    def broken(ctx):
        raise RuntimeError("boom")

    with time_machine.travel(moment(3, 18), tick=False):
        result = run_cycle(moment(3, 18), dispatch=InProcess(),
                           steps=[("broken", broken), *STEPS])
    assert result.failed_steps == ["broken"]
    assert result.decided[Kind.REMINDER] == 2


def test_an_item_is_not_marked_told_on_a_message_that_does_not_tell_it(world):
    """Two runs at once (a deterministic interleaving): run A stores today's message for a
    liaison telling item X; run B, which found X and Y, loses the insert of the same message
    key. B must not mark Y as told on A's message: Y goes out the next working day."""
    from notifications.drafts import Recipient, drafts_render, drafts_store

    liaison = world.people["jia.liaison"]
    recipient = Recipient(user_id=liaison.pk, address=liaison.email, name="甲")
    context = {"top": None, "groups": [], "count": 1, "today": "", "kind_label": ""}

    def draft(keys):
        [made] = drafts_render(kind=Kind.CHASE, key="daily:2026-03-26", recipients=[recipient],
                               context={**context, "count": len(keys)}, url="/",
                               items=lambda r: tuple((f"{k}:{r.tag}", Kind.CHASE)
                                                     for k in keys))
        return made

    drafts_store([draft(["x"])], today=d(3, 26))  # run A commits first
    drafts_store([draft(["x", "y"])], today=d(3, 26))  # run B: same key, other content
    assert Notification.objects.count() == 1
    assert set(NotificationItem.objects.values_list("key", flat=True)) == {
        f"x:user-{liaison.pk}"}


def test_the_items_of_a_message_that_failed_for_good_are_told_again(world):
    cycle_at(moment(3, 26))
    Notification.objects.filter(recipient=world.people["jia.liaison"]).update(
        state=DeliveryState.FAILED)
    (again,) = [m for m in cycle_at(moment(3, 27)) if m.user == "jia.liaison"]
    assert again.kind == "chase" and "甲局独立任务" in again.text
    assert [m for m in cycle_at(moment(3, 30)) if m.user == "jia.liaison"
            and m.kind == "chase"] == []


def test_bulletins_and_assessments_wait_for_the_send_time_of_a_working_day(world):
    world.track_from(d(1, 1))
    assert [m.kind for m in cycle_at(moment(4, 10, 0, 5))] == []  # midnight: not yet
    assert "bulletin" in [m.kind for m in cycle_at(moment(4, 10, 9, 5))]
    assert not any(m.kind == "assessment" for m in cycle_at(moment(1, 20, 0, 5, year=2027)))
    assert "assessment" in [m.kind for m in cycle_at(moment(1, 20, 9, 5, year=2027))]


def test_digests_go_out_on_working_days_only(world):
    from notifications.models import DigestSubscription

    DigestSubscription.objects.filter(user=world.people["manager"]).update(frequency="daily")
    # 2026-05-01..05 is the 劳动节 holiday; 5/9 (Saturday) a make-up working day.
    digests = {day: [m.user for m in cycle_at(moment(5, day, 9)) if m.kind == "digest"]
               for day in range(1, 7)}
    assert digests == {1: [], 2: [], 3: [], 4: [], 5: [], 6: ["manager"]}


def test_a_bulletin_published_early_by_hand_stops_the_ladder_for_its_periods(world):
    from tasks_app.models import ReportingPeriod
    from tasks_app.services.bulletins import bulletin_generate, bulletin_publish

    cycle_at(moment(3, 26))  # blue chase for March
    with time_machine.travel(moment(3, 26, 12), tick=False):
        bulletin_publish(bulletin_generate(plan=world.plan, year=2026, quarter=1))
    assert ReportingPeriod.objects.get(plan=world.plan, month=d(3, 1)).state == "locked"
    later = cycle_at(moment(3, 27)) + cycle_at(moment(4, 1))
    assert not [m for m in later if m.kind in ("chase", "escalation", "slip")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent inserts need PostgreSQL")
def test_two_concurrent_runs_never_mark_an_item_told_on_a_message_that_omits_it(db):
    """Two transactions store today's message for the same person at once: one tells X, the
    other X and Y. Whichever wins the insert, the items marked told are exactly those its
    message tells."""
    import threading

    from notifications.drafts import Recipient, drafts_render, drafts_store

    from .factories import UserFactory

    user = UserFactory(username="concurrent.liaison")
    recipient = Recipient(user_id=user.pk, address=user.email, name="甲")
    context = {"top": None, "groups": [], "kind_label": "", "today": ""}
    drafts = {keys: drafts_render(
        kind=Kind.CHASE, key="daily:2026-03-26", recipients=[recipient],
        context={**context, "count": len(keys)}, url="/",
        items=lambda r, keys=keys: tuple((f"{k}:{r.tag}", Kind.CHASE) for k in keys))[0]
        for keys in (("x",), ("x", "y"))}
    barrier, errors = threading.Barrier(2), []

    def store(draft):
        try:
            with transaction.atomic():
                barrier.wait()
                drafts_store([draft], today=d(3, 26))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=store, args=(draft,)) for draft in drafts.values()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    [stored] = Notification.objects.all()
    written = re.sub(r"\?r=[\w-]+~\w+", "", stored.body_text)  # its links carry a receipt
    [keys] = [keys for keys, draft in drafts.items() if draft.body_text == written]
    assert set(NotificationItem.objects.values_list("key", flat=True)) == {
        f"{k}:user-{user.pk}" for k in keys}
    assert set(stored.items.values_list("key", flat=True)) == {
        f"{k}:user-{user.pk}" for k in keys}
