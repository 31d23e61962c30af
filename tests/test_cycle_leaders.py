"""What the leaders receive: the meeting pack, digests, bulletin and assessment emails."""

import datetime

import pytest
import time_machine

from notifications.choices import DigestFrequency, Kind
from notifications.drafts import drafts_store
from notifications.models import DigestSubscription, Notification
from tasks_app.cycle.context import CycleContext
from tasks_app.cycle.decisions.published import assessment_drafts, bulletin_drafts
from tasks_app.models import Assessment, Bulletin, DepartmentScore, Meeting
from tasks_app.services.digest_subscriptions import digest_subscription_update
from tasks_app.services.tasks import task_update

from .cycle_support import World, by_user, cycle_at, moment
from .factories import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    with time_machine.travel(moment(1, 5, 9), tick=False):
        return World()


def _subscribe(world, username, frequency, weekday=None, send_time=None, contents=None,
               **scope):
    with time_machine.travel(moment(3, 2, 8), tick=False):
        return digest_subscription_update(
            user=world.people[username], frequency=frequency, plans=scope.get("plans", []),
            drivers=scope.get("drivers", []), departments=scope.get("departments", []),
            weekday=weekday, send_time=send_time, contents=contents)


def test_the_meeting_pack_creates_the_meeting_and_lists_what_to_coordinate(world):
    world.report(world.task1, world.jia, "jia.liaison", moment(3, 20, 10), status="at_risk",
                 needs_coordination=True, problems="用地指标尚未落实,需管委会协调。")
    with time_machine.travel(moment(3, 20, 11), tick=False):
        task_update(task=world.task2, data={"due_on": datetime.date(2026, 3, 1)},
                    actor=world.people["leadoffice"], reason="测试")
    sent = by_user(cycle_at(moment(3, 30)))
    assert (sent["leadoffice"], sent["manager"]) == (["meeting_pack"], ["meeting_pack"])
    meeting = Meeting.objects.get()
    assert (meeting.held_on, meeting.kind, meeting.title) == (
        datetime.date(2026, 3, 31), "monthly", "2026年3月月度专题会议")
    message = [m for m in cycle_at(moment(3, 31)) if m.kind == "meeting_pack"]
    assert message == []  # told once, the day before
    (pack,) = Notification.objects.filter(kind=Kind.MEETING_PACK, recipient__username="manager")
    assert "用地指标尚未落实,需管委会协调。" in pack.body_text
    assert "任务 2. 甲乙共同任务" in pack.body_text.split("二、")[1]
    assert "区乙局：" in pack.body_text.split("三、")[1]
    assert "提请协调 1 项，滞后任务 1 项，未报送 2 项" in pack.subject


def test_a_fixed_meeting_day_moves_to_a_working_day_and_its_pack_comes_before(world):
    schedule = world.plan.schedule
    schedule.meeting_rule, schedule.meeting_day = "fixed_day", 15  # Sunday 2026-03-15
    schedule.save()
    sent = {day: by_user(cycle_at(moment(3, day))) for day in (12, 13, 16)}
    assert sent[13] == {"leadoffice": ["meeting_pack"], "manager": ["meeting_pack"]}
    assert sent[12] == {} and sent[16] == {}
    assert Meeting.objects.get().held_on == datetime.date(2026, 3, 16)


def test_managers_get_a_weekly_digest_from_the_next_monday(world):
    DigestSubscription.objects.filter(user=world.people["manager"]).delete()
    cycle_at(moment(3, 18))  # creates the manager's weekly subscription
    subscription = DigestSubscription.objects.get(user=world.people["manager"])
    assert subscription.frequency == DigestFrequency.WEEKLY
    world.report(world.task1, world.jia, "jia.liaison", moment(3, 19, 10))
    assert "manager" not in by_user(cycle_at(moment(3, 23, 8, 29)))
    (digest,) = [m for m in cycle_at(moment(3, 23, 8, 30)) if m.user == "manager"]
    assert digest.kind == "digest" and "新报送 1 份" in digest.subject
    assert "区甲局 · 任务 1. 甲局独立任务：正常推进，进度 30%" in digest.text
    assert [m for m in cycle_at(moment(3, 23, 15)) if m.user == "manager"] == []


def test_a_digest_covers_only_what_changed_since_the_last_one(world):
    _subscribe(world, "manager", DigestFrequency.DAILY)
    world.report(world.task1, world.jia, "jia.liaison", moment(3, 2, 10))
    first = [m for m in cycle_at(moment(3, 3, 8, 30)) if m.user == "manager"][0]
    second = [m for m in cycle_at(moment(3, 4, 8, 30)) if m.user == "manager"][0]
    assert "新报送 1 份" in first.subject and "新报送 0 份" in second.subject


def test_a_digest_keeps_to_the_subscriber_scope(world):
    _subscribe(world, "manager", DigestFrequency.DAILY, departments=[world.yi])
    world.report(world.task1, world.jia, "jia.liaison", moment(3, 2, 10))
    world.report(world.task2, world.yi, "yi.liaison", moment(3, 2, 11))
    (digest,) = [m for m in cycle_at(moment(3, 3, 9)) if m.user == "manager"]
    assert "区乙局 · 任务 2" in digest.text and "区甲局 · 任务 1" not in digest.text
    assert "按您设定的范围" in digest.text


def test_a_monthly_digest_comes_on_the_first_and_off_means_none(world):
    _subscribe(world, "leadoffice", DigestFrequency.MONTHLY)
    digests = [day for day in (moment(3, 31, 20), moment(4, 1, 8, 29), moment(4, 1, 8, 30),
                               moment(4, 2, 9))
               if "digest" in by_user(cycle_at(day)).get("leadoffice", [])]
    assert digests == [moment(4, 1, 8, 30)]
    _subscribe(world, "leadoffice", DigestFrequency.OFF)
    assert "digest" not in by_user(cycle_at(moment(5, 1, 9))).get("leadoffice", [])


def test_only_leaders_may_subscribe_to_digests(world):
    from django.core.exceptions import PermissionDenied
    with pytest.raises(PermissionDenied):
        _subscribe(world, "jia.liaison", DigestFrequency.DAILY)


def test_a_published_bulletin_is_emailed_to_the_leaders(world, mailoutbox):
    bulletin = Bulletin.objects.create(plan=world.plan, year=2026, quarter=1, number="第1期",
                                       state="published")
    at = moment(4, 10)
    with time_machine.travel(at, tick=False):
        drafts = bulletin_drafts(CycleContext(at), [bulletin])
        drafts_store(drafts, today=at.date())
    assert sorted(d.dedupe_key.split(":")[-1][:4] for d in drafts) == ["user", "user"]
    assert {d.recipient.address.split("@")[0] for d in drafts} == {"leadoffice", "manager"}
    assert "2026年第1季度通报（第1期）已发布" in drafts[0].subject
    assert f"/bulletins/{bulletin.pk}/" in drafts[0].body_text


def test_a_published_assessment_reaches_the_heads_of_the_scored_departments(world):
    assessment = Assessment.objects.create(plan=world.plan, year=2026, state="published")
    other = DepartmentFactory(name="区丙局")
    for rank, (department, total) in enumerate([(world.jia, 92), (other, 88)], start=1):
        DepartmentScore.objects.create(assessment=assessment, department=department,
                                       computed_total=total, total=total, rank=rank)
    at = datetime.datetime(2027, 1, 20, 9, 30, tzinfo=moment(1, 1).tzinfo)
    drafts = assessment_drafts(CycleContext(at), [assessment])
    who = {d.recipient.address.split("@")[0] for d in drafts}
    assert who == {"leadoffice", "manager", "jia.head"}
    assert "可在定稿前提出申诉" in drafts[0].subject
    assert "1. 区甲局 92.00 分\n2. 区丙局 88.00 分" in drafts[0].body_text


def test_a_finalised_assessment_announces_the_final_ranking_once(world):
    assessment = Assessment.objects.create(plan=world.plan, year=2026, state="final")
    DepartmentScore.objects.create(assessment=assessment, department=world.jia,
                                   computed_total=90, total=91, rank=1)
    at = datetime.datetime(2027, 2, 3, 9, 30, tzinfo=moment(1, 1).tzinfo)
    first, again = cycle_at(at), cycle_at(at + datetime.timedelta(hours=1))
    final = Notification.objects.filter(kind=Kind.ASSESSMENT)
    assert {n.recipient.username for n in final} == {"leadoffice", "manager", "jia.head"}
    assert len([m for m in first if m.kind == Kind.ASSESSMENT]) == 3
    assert [m for m in again if m.kind == Kind.ASSESSMENT] == []
    assert {n.subject.endswith("结果已定稿") for n in final} == {True}
    assert "1. 区甲局 91.00 分" in final.first().body_text


def test_the_leaders_read_a_summary_with_colours_and_links(world):
    """The digest and the meeting pack open with counts; the red tasks link to their pages;
    the departments behind carry their escalation colour; both link to the cockpit."""
    _subscribe(world, "manager", DigestFrequency.DAILY)
    with time_machine.travel(moment(3, 20, 11), tick=False):
        task_update(task=world.task2, data={"due_on": datetime.date(2026, 3, 1)},
                    actor=world.people["leadoffice"], reason="测试")
    (digest,) = [m for m in cycle_at(moment(3, 30, 9)) if m.user == "manager"
                 and m.kind == "digest"]
    stored = Notification.objects.get(kind=Kind.DIGEST, recipient__username="manager")
    assert f"/tasks/{world.task2.pk}/" in stored.body_html
    assert "/cockpit/" in stored.body_html and "/cockpit/" in digest.text
    assert "黄色督办" in digest.text  # three working days after the March deadline
    assert "#a66a00" in stored.body_html
    (pack,) = Notification.objects.filter(kind=Kind.MEETING_PACK, recipient__username="manager")
    assert "[黄色督办] 区乙局" in pack.body_text and "/cockpit/" in pack.body_html
    assert f"/tasks/{world.task2.pk}/" in pack.body_html


def test_a_leader_chooses_the_digest_day_time_and_parts(world):
    """Weekly on Friday at 17:00 with only the red tasks and the departments behind."""
    _subscribe(world, "manager", DigestFrequency.WEEKLY, weekday=4,
               send_time=datetime.time(17, 0), contents=["red", "missing"])
    world.report(world.task1, world.jia, "jia.liaison", moment(3, 4, 10))
    assert "digest" not in by_user(cycle_at(moment(3, 5, 9))).get("manager", [])  # Thursday
    assert "digest" not in by_user(cycle_at(moment(3, 6, 16, 59))).get("manager", [])
    (digest,) = [m for m in cycle_at(moment(3, 6, 17)) if m.user == "manager"]
    assert "逾期未报的部门" in digest.text and "【新报送的进展】" not in digest.text
    assert "新报送 1 份" in digest.subject  # the counts stay in the summary
