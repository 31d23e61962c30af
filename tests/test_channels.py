"""Channels to a person (SMS through Aliyun or Tencent Cloud, 钉钉 工作通知, 企业微信 应用消息)
and 钉钉 robots with 加签, each against a vendor-like server on 127.0.0.1 that checks the
signature and payload as the vendor documents them; routing per person and kind; quiet hours.
"""


import datetime

import pytest
import time_machine

from departments.models import Person
from notifications.channels.routing import quiet_until, route
from notifications.choices import Channel, DeliveryState, Kind, WebhookFlavor
from notifications.delivery import notification_deliver
from notifications.models import Notification, WebhookEndpoint

from .cycle_support import World, cycle_at, moment
from .factories import DepartmentFactory, UserFactory
from .vendor_servers import ALIYUN, DINGTALK, TENCENT, WECOM, VendorServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def vendors(settings):
    server = VendorServer().start()
    settings.DUBAN_SMS_PROVIDER = "aliyun"
    settings.DUBAN_SMS_ENDPOINT = f"{server.url}/aliyun/"
    settings.DUBAN_SMS_ACCESS_KEY_ID, settings.DUBAN_SMS_ACCESS_KEY_SECRET = (
        ALIYUN["id"], ALIYUN["secret"])
    settings.DUBAN_SMS_SIGN_NAME, settings.DUBAN_SMS_TEMPLATE_CODE = "督办系统", "SMS_0001"
    settings.DUBAN_DINGTALK_ENDPOINT = f"{server.url}/dingtalk"
    settings.DUBAN_DINGTALK_APP_KEY = DINGTALK["appkey"]
    settings.DUBAN_DINGTALK_APP_SECRET = DINGTALK["appsecret"]
    settings.DUBAN_DINGTALK_AGENT_ID = str(DINGTALK["agent_id"])
    settings.DUBAN_WECOM_ENDPOINT = f"{server.url}/wecom"
    settings.DUBAN_WECOM_CORP_ID, settings.DUBAN_WECOM_CORP_SECRET = (
        WECOM["corpid"], WECOM["corpsecret"])
    settings.DUBAN_WECOM_AGENT_ID = str(WECOM["agentid"])
    settings.DUBAN_NOTIFY_MAX_ATTEMPTS = 3
    settings.DUBAN_QUIET_HOURS = ""  # whenever this runs; tests of quiet hours set their own
    yield server
    server.stop()


def message(channel: str, address: str, key: str = "k", **fields) -> Notification:
    return Notification.objects.create(
        channel=channel, kind=Kind.CHASE, dedupe_key=key, address=address,
        recipient=UserFactory(), subject="【逾期催报】区工信局:3月进展未报送",
        body_text="张三,您好:\n任务 3 的3月进展尚未报送,请尽快报送。",
        url="http://testserver/periods/5/report/", **fields)


def test_aliyun_sms_is_signed_as_documented(vendors):
    note = message(Channel.SMS, "13800000001")
    assert notification_deliver(note.pk).state == DeliveryState.SENT
    (sms,) = vendors.of("aliyun")
    assert sms["phone"] == "13800000001" and sms["template"] == "SMS_0001"
    assert sms["sign"] == "督办系统"
    assert sms["params"] == {"content": "【逾期催报】区工信局:3月进展未报送",
                             "url": "http://testserver/periods/5/report/"}


def test_a_wrong_aliyun_secret_is_refused_and_retried(vendors, settings):
    settings.DUBAN_SMS_ACCESS_KEY_SECRET = "wrong"
    note = message(Channel.SMS, "13800000001")
    outcome = notification_deliver(note.pk)
    assert outcome.state == "retry"
    note.refresh_from_db()
    assert "SignatureDoesNotMatch" in note.last_error and note.state == DeliveryState.PENDING
    assert vendors.refused == [("aliyun", "signature")] and not vendors.of("aliyun")


def test_tencent_sms_is_signed_with_tc3(vendors, settings):
    settings.DUBAN_SMS_PROVIDER = "tencent"
    settings.DUBAN_SMS_ENDPOINT = f"{vendors.url}/tencent/"
    settings.DUBAN_SMS_ACCESS_KEY_ID = TENCENT["id"]
    settings.DUBAN_SMS_ACCESS_KEY_SECRET = TENCENT["secret"]
    settings.DUBAN_SMS_SDK_APP_ID = "1400000001"
    note = message(Channel.SMS, "13800000002")
    assert notification_deliver(note.pk).state == DeliveryState.SENT
    (sms,) = vendors.of("tencent")
    assert sms["PhoneNumberSet"] == ["+8613800000002"]
    assert sms["SmsSdkAppId"] == "1400000001" and sms["TemplateId"] == "SMS_0001"
    assert sms["TemplateParamSet"] == ["【逾期催报】区工信局:3月进展未报送",
                                       "http://testserver/periods/5/report/"]
    settings.DUBAN_SMS_ACCESS_KEY_SECRET = "wrong"
    other = message(Channel.SMS, "13800000002", key="k2")
    assert notification_deliver(other.pk).state == "retry"
    other.refresh_from_db()
    assert "AuthFailure.SignatureFailure" in other.last_error


def test_dingtalk_work_notice_caches_the_token_and_renews_it_once(vendors):
    first = message(Channel.DINGTALK, "ding-user-1")
    second = message(Channel.DINGTALK, "ding-user-2", key="k2")
    assert notification_deliver(first.pk).state == DeliveryState.SENT
    assert notification_deliver(second.pk).state == DeliveryState.SENT
    assert vendors.token_requests == 1  # cached
    vendors.tokens["dingtalk"] = "rotated-by-dingtalk"  # the cached token no longer works
    third = message(Channel.DINGTALK, "ding-user-3", key="k3")
    assert notification_deliver(third.pk).state == DeliveryState.SENT
    assert vendors.token_requests == 2
    sent = vendors.of("dingtalk")
    assert [s["userid_list"] for s in sent] == ["ding-user-1", "ding-user-2", "ding-user-3"]
    assert sent[0]["msg"]["msgtype"] == "markdown"
    assert "http://testserver/periods/5/report/" in sent[0]["msg"]["markdown"]["text"]


def test_wecom_app_message_is_a_text_card(vendors):
    note = message(Channel.WECOM, "wx-zhangsan")
    assert notification_deliver(note.pk).state == DeliveryState.SENT
    (sent,) = vendors.of("wecom")
    assert sent["touser"] == "wx-zhangsan" and sent["agentid"] == WECOM["agentid"]
    assert sent["textcard"]["url"] == "http://testserver/periods/5/report/"
    assert sent["textcard"]["title"].startswith("【逾期催报】")


def test_a_vendor_outage_is_retried_through_the_outbox(vendors):
    vendors.fail_next["wecom"] = 1
    note = message(Channel.WECOM, "wx-zhangsan")
    assert notification_deliver(note.pk).state == "retry"
    note.refresh_from_db()
    assert notification_deliver(note.pk, now=note.next_attempt_at).state == DeliveryState.SENT
    assert len(vendors.of("wecom")) == 1


def test_dingtalk_robot_with_jiaqian_signs_every_request(vendors):
    hook = WebhookEndpoint.objects.create(
        name="区工信局群", flavor=WebhookFlavor.DINGTALK, department=DepartmentFactory(),
        url=f"{vendors.url}/dingtalk/robot/send?access_token={DINGTALK['robot_token']}",
        secret=DINGTALK["robot_secret"])
    note = Notification.objects.create(
        channel=Channel.WEBHOOK, kind=Kind.CHASE, dedupe_key="robot", webhook=hook,
        subject="【逾期催报】", body_text="请尽快报送。")
    assert notification_deliver(note.pk).state == DeliveryState.SENT
    assert vendors.of("robot")[0]["msgtype"] == "markdown"
    hook.secret = "SEC-wrong"
    hook.save()
    again = Notification.objects.create(
        channel=Channel.WEBHOOK, kind=Kind.CHASE, dedupe_key="robot2", webhook=hook,
        subject="【逾期催报】", body_text="请尽快报送。")
    assert notification_deliver(again.pk).state == "retry"
    assert vendors.refused == [("robot", "sign")]


def test_quiet_hours_hold_until_the_morning(settings):
    settings.DUBAN_QUIET_HOURS = "21:00-08:00"
    assert quiet_until(moment(3, 26, 23)) == moment(3, 27, 8, 0)
    assert quiet_until(moment(3, 27, 7, 59)) == moment(3, 27, 8, 0)
    assert quiet_until(moment(3, 27, 8, 0)) is None
    assert quiet_until(moment(3, 26, 20, 59)) is None
    settings.DUBAN_QUIET_HOURS = ""
    assert quiet_until(moment(3, 26, 23)) is None


def test_route_follows_each_persons_choice_per_kind(vendors, settings):
    settings.DUBAN_QUIET_HOURS = "21:00-08:00"
    user = UserFactory(email="zs@example.gov.cn")
    Person.objects.create(user=user, mobile="13800000001", dingtalk_userid="ding-zs",
                          channels={"chase": ["dingtalk", "sms"], "*": ["email"]})
    chase = Notification(channel=Channel.EMAIL, kind=Kind.CHASE, dedupe_key="c:user-1",
                         recipient=user, address=user.email, subject="s", body_text="b")
    digest = Notification(channel=Channel.EMAIL, kind=Kind.DIGEST, dedupe_key="d:user-1",
                          recipient=user, address=user.email, subject="s", body_text="b")
    rows = route([chase, digest], now=moment(3, 26, 9, 30))
    assert [(r.channel, r.address, r.dedupe_key) for r in rows] == [
        (Channel.DINGTALK, "ding-zs", "c:user-1"),  # the first keeps the key (the ledger)
        (Channel.SMS, "13800000001", "c:user-1:sms"),
        (Channel.EMAIL, "zs@example.gov.cn", "d:user-1"),
    ]
    held = route([chase], now=moment(3, 26, 22))
    assert {r.next_attempt_at for r in held} == {moment(3, 27, 8, 0)}


@pytest.fixture
def world():
    with time_machine.travel(moment(1, 5, 9), tick=False):
        return World()


def test_a_chase_reaches_a_person_by_email_sms_and_dingtalk_once_and_not_in_quiet_hours(
        world, vendors, settings):
    settings.DUBAN_QUIET_HOURS = "08:00-10:00"  # the chase is decided at 09:30: held
    liaison = world.people["jia.liaison"]
    Person.objects.create(user=liaison, mobile="13800000001", dingtalk_userid="ding-jia",
                          channels={"chase": ["email", "sms", "dingtalk"]})
    world.report(world.task2, world.yi, "yi.liaison", moment(3, 10, 10))

    sent = cycle_at(moment(3, 26, 9, 30))
    assert [(m.user, m.kind) for m in sent if m.kind != "review"] == [("jia.liaison", "chase")]
    assert not vendors.of("aliyun") and not vendors.of("dingtalk")
    rows = Notification.objects.filter(recipient=liaison, kind=Kind.CHASE)
    assert sorted(rows.values_list("channel", flat=True)) == ["dingtalk", "email", "sms"]
    held = rows.exclude(channel=Channel.EMAIL)
    assert {n.next_attempt_at for n in held} == {moment(3, 26, 10, 0)}

    assert cycle_at(moment(3, 26, 10, 15)) == []  # no second email
    assert [s["phone"] for s in vendors.of("aliyun")] == ["13800000001"]
    assert [s["userid_list"] for s in vendors.of("dingtalk")] == ["ding-jia"]
    assert "区甲局" in vendors.of("dingtalk")[0]["msg"]["markdown"]["text"]

    for at in (moment(3, 26, 16), moment(3, 27, 11)):
        cycle_at(at)
    assert len(vendors.of("aliyun")) == 1 and len(vendors.of("dingtalk")) == 1
    assert not vendors.refused
    assert set(rows.values_list("state", flat=True)) == {DeliveryState.SENT}


def test_quiet_hours_do_not_touch_email_or_people_without_a_profile():
    user = UserFactory()
    row = Notification(channel=Channel.EMAIL, kind=Kind.CHASE, dedupe_key="x", recipient=user,
                       address=user.email, subject="s", body_text="b")
    assert route([row], now=moment(3, 26, 23)) == [row] and row.next_attempt_at is None


def test_immediate_messages_hand_out_their_im_copies_at_once(vendors, settings):
    from notifications.drafts import person
    from notifications.immediate import notify_now

    settings.DUBAN_QUIET_HOURS = ""
    user = UserFactory(first_name="张三")
    Person.objects.create(user=user, dingtalk_userid="ding-zs",
                          channels={"returned": ["email", "dingtalk"]})
    ids = notify_now(kind=Kind.RETURNED, key="returned:test", recipients=[person(user)],
                     context={"report": None, "reviewer": "负责人", "period_label": "3月",
                              "when": "", "comment": ""},
                     url="http://testserver/tasks/1/")
    rows = Notification.objects.filter(pk__in=ids)
    assert sorted(rows.values_list("channel", flat=True)) == [Channel.DINGTALK, Channel.EMAIL]


def test_a_retry_that_would_fall_in_the_night_waits_for_the_morning(vendors, settings):
    """Quiet hours hold retries too: an SMS failing at 20:59:30 would be retried at 21:00:30;
    it waits until 08:00, and nothing (re-sweep, cycle, resend) sends it before then."""
    from notifications.dispatch import InProcess, deliverable_ids

    settings.DUBAN_QUIET_HOURS = "21:00-08:00"
    vendors.fail_next["aliyun"] = 1
    evening = moment(3, 26, 20, 59) + datetime.timedelta(seconds=30)
    with time_machine.travel(evening, tick=False):
        note = message(Channel.SMS, "13800000001")
        outcome = notification_deliver(note.pk, now=evening)
    assert outcome.state == "retry" and outcome.retry_in is None  # no countdown overnight
    note.refresh_from_db()
    assert note.state == DeliveryState.PENDING and note.next_attempt_at == moment(3, 27, 8, 0)

    for at in (moment(3, 26, 21, 5), moment(3, 26, 23, 45), moment(3, 27, 7, 59)):
        with time_machine.travel(at, tick=False):
            InProcess()(deliverable_ids(at), at)
            assert notification_deliver(note.pk, now=at).state == "skipped"
    assert not vendors.of("aliyun")

    morning = moment(3, 27, 8, 1)
    with time_machine.travel(morning, tick=False):
        InProcess()(deliverable_ids(morning), morning)
    note.refresh_from_db()
    assert note.state == DeliveryState.SENT and note.attempts == 2
    assert [s["phone"] for s in vendors.of("aliyun")] == ["13800000001"]


def test_nothing_sends_sms_or_im_at_night_whatever_hands_it_out(vendors, settings):
    """A message handed out at night (a resend from the admin, a lost task re-swept) is put
    back until the morning; email is not held."""
    settings.DUBAN_QUIET_HOURS = "21:00-08:00"
    night = moment(3, 26, 22, 0)
    with time_machine.travel(night, tick=False):
        im = message(Channel.DINGTALK, "ding-zs")
        email = message(Channel.EMAIL, "zs@example.gov.cn", key="k-email")
        assert notification_deliver(im.pk, now=night).state == "skipped"
        assert notification_deliver(email.pk, now=night).state == DeliveryState.SENT
    im.refresh_from_db()
    assert im.state == DeliveryState.PENDING and im.attempts == 0
    assert im.next_attempt_at == moment(3, 27, 8, 0) and not vendors.of("dingtalk")
    assert notification_deliver(im.pk, now=moment(3, 27, 8, 0)).state == DeliveryState.SENT
    assert len(vendors.of("dingtalk")) == 1


@pytest.fixture
def smtp(settings):
    """Email by real SMTP to a mailbox on 127.0.0.1."""
    from .e2e_services import Mailbox, free_port

    mailbox = Mailbox(free_port()).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", mailbox.port
    yield mailbox
    mailbox.stop()


def test_one_chase_by_smtp_sms_and_dingtalk_once_each_quiet_hours_then_escalation(
        world, vendors, smtp, settings):
    """The whole run: the chase goes by email (real SMTP on loopback) at once and by SMS when
    the quiet hours end; nobody opens it, so after 4 working hours it climbs to 钉钉 工作通知.
    Each channel carries it exactly once, whatever runs after."""
    settings.DUBAN_QUIET_HOURS = "08:00-10:00"
    settings.DUBAN_ESCALATE_UNREAD_HOURS = 4
    liaison = world.people["jia.liaison"]
    Person.objects.create(user=liaison, mobile="13800000001", dingtalk_userid="ding-jia",
                          channels={"chase": ["email", "sms"]})
    world.report(world.task2, world.yi, "yi.liaison", moment(3, 10, 10))

    def chases() -> list:
        return [m for m in smtp.received() if m["X-Duban-Kind"] == "chase"]

    cycle_at(moment(3, 26, 9, 30))  # decided in the quiet hours: email only
    (email,) = chases()
    assert email["To"] == "jia.liaison@duban.example" and "?r=" in email.get_body(
        ("plain",)).get_content()
    assert not vendors.of("aliyun") and not vendors.of("dingtalk")

    cycle_at(moment(3, 26, 10, 15))  # the quiet hours are over: the SMS
    assert [s["phone"] for s in vendors.of("aliyun")] == ["13800000001"]
    assert not vendors.of("dingtalk")

    cycle_at(moment(3, 26, 13, 45))  # 4¼ working hours unread: 钉钉 工作通知
    (notice,) = vendors.of("dingtalk")
    assert notice["userid_list"] == "ding-jia" and "~dingtalk" in notice["msg"]["markdown"][
        "text"]

    for at in (moment(3, 26, 16), moment(3, 27, 11), moment(3, 30, 15)):
        cycle_at(at)
    assert len(chases()) == 1 and len(vendors.of("aliyun")) == 1
    assert len(vendors.of("dingtalk")) == 1 and not vendors.refused
    rows = Notification.objects.filter(recipient=liaison, kind=Kind.CHASE)
    assert sorted(rows.values_list("channel", flat=True)) == ["dingtalk", "email", "sms"]
    assert set(rows.values_list("state", flat=True)) == {DeliveryState.SENT}
