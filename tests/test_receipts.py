"""已读/未读 per recipient and escalation on silence: the links of a chase go through a
receipt; opening one (from email, SMS or IM, or the history page) reads it; an unread chase
climbs email → 钉钉 → SMS after working hours; the 督办台 names who has not read."""

import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from departments.models import Person
from notifications.choices import Channel, Kind
from notifications.models import Notification, Receipt
from notifications.receipts import working_hours_between
from tasks_app.workdays import is_working_day

from . import test_channels
from .cycle_support import cycle_at, moment

pytestmark = pytest.mark.django_db
vendors, world = test_channels.vendors, test_channels.world  # the same fixtures


def test_working_hours_skip_nights_weekends_and_holidays():
    def hours(start, end):
        return working_hours_between(start, end, is_working_day=is_working_day)

    assert hours(moment(3, 26, 9, 30), moment(3, 26, 13, 30)) == 4
    # Thursday 16:00 → Friday 10:00: one hour each day
    assert hours(moment(3, 26, 16, 0), moment(3, 27, 10, 0)) == 2
    # Friday 16:00 → Monday 10:00: the weekend does not count
    assert hours(moment(3, 27, 16, 0), moment(3, 30, 10, 0)) == 2
    # 清明 2026: 4-6 April are holidays
    assert hours(moment(4, 3, 17, 0), moment(4, 7, 9, 0)) == 0


def _chase(world):
    world.report(world.task2, world.yi, "yi.liaison", moment(3, 10, 10))
    sent = cycle_at(moment(3, 26, 9, 30))
    (chase,) = [m for m in sent if m.kind == "chase"]
    return chase


def test_opening_the_link_reads_the_chase(world, client):
    chase = _chase(world)
    receipt = Receipt.objects.get(kind=Kind.CHASE)
    assert receipt.recipient == world.people["jia.liaison"] and receipt.read_at is None
    link = re.search(r"http://testserver(/\S+\?r=[\w-]+~email)", chase.text).group(1)
    assert link.startswith("/periods/") and link in chase.html.replace("&amp;", "&")
    client.force_login(world.people["jia.liaison"])
    page = client.get(reverse("notifications:history")).content.decode()
    assert "未读" in page

    response = client.get(link)
    assert response.status_code == 200
    receipt.refresh_from_db()
    assert receipt.read_at is not None and receipt.read_via == "email"
    assert "未读" not in client.get(reverse("notifications:history")).content.decode()
    assert client.get("/?r=nonsense~email").status_code == 200


def test_an_unread_chase_climbs_email_then_dingtalk_then_sms(world, vendors, settings):
    settings.DUBAN_ESCALATE_UNREAD_HOURS = 4
    settings.DUBAN_QUIET_HOURS = ""
    liaison = world.people["jia.liaison"]
    Person.objects.create(user=liaison, mobile="13800000001", dingtalk_userid="ding-jia")
    _chase(world)
    assert cycle_at(moment(3, 26, 13, 0)) == []  # 3.5 working hours: not yet
    assert not vendors.of("dingtalk")
    cycle_at(moment(3, 26, 13, 45))  # 4¼ working hours unread → 钉钉
    (notice,) = vendors.of("dingtalk")
    assert notice["userid_list"] == "ding-jia"
    chase = Receipt.objects.get(kind=Kind.CHASE)
    assert f"?r={chase.token}~dingtalk" in notice["msg"]["markdown"]["text"]
    cycle_at(moment(3, 26, 16, 0))  # 2¼ hours after the climb: wait
    assert not vendors.of("aliyun")
    cycle_at(moment(3, 27, 10, 0))  # 1 + 1 + ... ≥ 4 working hours since 13:45 → SMS
    (sms,) = vendors.of("aliyun")
    assert sms["params"]["url"].endswith("~sms")
    receipt = Receipt.objects.get(kind=Kind.CHASE)
    assert receipt.level == 2 and receipt.channels == "email,dingtalk,sms"
    for at in (moment(3, 30, 15), moment(3, 31, 15)):
        cycle_at(at)
    assert len(vendors.of("dingtalk")) == 1 and len(vendors.of("aliyun")) == 1
    rows = Notification.objects.filter(recipient=liaison, kind=Kind.CHASE)
    assert sorted(rows.values_list("channel", flat=True)) == [Channel.DINGTALK, Channel.EMAIL,
                                                               Channel.SMS]


def test_a_read_chase_does_not_climb(world, vendors, settings, client):
    settings.DUBAN_ESCALATE_UNREAD_HOURS = 4
    Person.objects.create(user=world.people["jia.liaison"], dingtalk_userid="ding-jia")
    chase = _chase(world)
    link = re.search(r"http://testserver(/\S+\?r=[\w-]+~email)", chase.text).group(1)
    client.get(link)
    cycle_at(moment(3, 27, 15, 0))
    assert not vendors.of("dingtalk")


def test_the_desk_names_who_has_not_read(world, client):
    chase = _chase(world)
    later = time_machine.travel(moment(3, 26, 11), tick=False)
    later.start()
    client.force_login(world.people["leadoffice"])
    page = client.get(reverse("notifications:unread")).content.decode()
    assert "jia.liaison" in page and "逾期催报" in page
    assert 'hx-get="/notifications/unread/"' in client.get("/desk/").content.decode()
    client.get(re.search(r"http://testserver(/\S+\?r=[\w-]+~email)", chase.text).group(1))
    page = client.get(reverse("notifications:unread")).content.decode()
    assert "jia.liaison" not in page and "均已阅读" in page
    client.force_login(world.people["jia.liaison"])
    assert client.get(reverse("notifications:unread")).status_code == 404
    # the chase once (乙's head was told of 乙's filing, apart)
    assert [m.extra_headers["X-Duban-Kind"] for m in mail.outbox].count("chase") == 1
    later.stop()


def test_reading_the_chase_in_my_notifications_reads_it_and_stops_the_climb(
        world, vendors, settings, client):
    """In-app: opening the message in 我的通知 reads it (via web); so does its related page
    opened from there; an unread escalation no longer fires."""
    settings.DUBAN_ESCALATE_UNREAD_HOURS = 4
    liaison = world.people["jia.liaison"]
    Person.objects.create(user=liaison, dingtalk_userid="ding-jia")
    _chase(world)
    receipt = Receipt.objects.get(kind=Kind.CHASE)
    notice = Notification.objects.get(recipient=liaison, kind=Kind.CHASE)

    client.force_login(world.people["yi.liaison"])  # somebody else's message: 404, unread
    assert client.get(reverse("notifications:notice", args=[notice.pk])).status_code == 404
    client.force_login(liaison)
    listing = client.get(reverse("notifications:history")).content.decode()
    assert "未读" in listing and reverse("notifications:notice", args=[notice.pk]) in listing
    assert f"?r={receipt.token}~web" in listing  # its related page, read in-app
    receipt.refresh_from_db()
    assert receipt.read_at is None  # the list alone shows only titles

    page = client.get(reverse("notifications:notice", args=[notice.pk])).content.decode()
    assert "3月进展" in page or "逾期" in page
    assert f"?r={receipt.token}~web" in page and "~email" not in page
    receipt.refresh_from_db()
    assert receipt.read_at is not None and receipt.read_via == "web"
    assert "未读" not in client.get(reverse("notifications:history")).content.decode()

    cycle_at(moment(3, 27, 15, 0))  # well past 4 working hours
    assert not vendors.of("dingtalk")
    assert Receipt.objects.get(pk=receipt.pk).level == 0


def test_the_related_page_opened_from_my_notifications_reads_the_chase(world, client):
    _chase(world)
    receipt = Receipt.objects.get(kind=Kind.CHASE)
    client.force_login(world.people["jia.liaison"])
    listing = client.get(reverse("notifications:history")).content.decode()
    link = re.search(r'href="(?:http://testserver)?(/[^"]+\?r=[\w-]+~web)"', listing).group(1)
    assert link.startswith("/periods/")
    assert client.get(link.replace("&amp;", "&")).status_code == 200
    receipt.refresh_from_db()
    assert receipt.read_at is not None and receipt.read_via == "web"
