"""一键催办: the lead office picks departments (overview, desk) or tasks (admin), sees the
recipients, channels and text, adds a note and sends — once a day per selection; each
department chased is in the tasks' history and counted in the bulletin."""

import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from departments.models import Person
from notifications.choices import Kind
from notifications.dispatch import InProcess, deliverable_ids
from notifications.models import Notification
from tasks_app.choices import EventKind
from tasks_app.models import TaskEvent
from tasks_app.selectors.bulletins import quarter_urges

from . import test_channels
from .cycle_support import moment

pytestmark = pytest.mark.django_db
world = test_channels.world
URGE = reverse("notifications:urge")


@pytest.fixture
def office(client, world):
    client.force_login(world.people["leadoffice"])
    return client


def _deliver(at):
    InProcess()(deliverable_ids(at), at)


def test_urge_departments_preview_send_once_and_history(world, office):
    with time_machine.travel(moment(3, 26, 10), tick=False):
        preview = office.get(URGE, {"department": [world.jia.pk]}).content.decode()
        assert "区甲局" in preview and "jia.liaison" in preview and "邮件" in preview
        assert "【一键催办】区甲局：请尽快办理 2 项督办任务" in preview
        assert "甲局独立任务" in preview and "甲乙共同任务" in preview

        response = office.post(URGE, {"department": [world.jia.pk], "note": "请今天下班前报送",
                                      "next": "/overview/"}, follow=True)
        assert "已催办 1 个部门，发出 1 条消息" in response.content.decode()
        _deliver(moment(3, 26, 10))
        (email,) = [m for m in mail.outbox if m.extra_headers["X-Duban-Kind"] == "urge"]
        assert email.to == ["jia.liaison@duban.example"]
        assert "附言：请今天下班前报送" in email.body and "?r=" in email.body

        again = office.post(URGE, {"department": [world.jia.pk]}, follow=True).content.decode()
        assert "今天已催办过相同任务，未重复发送" in again
        assert Notification.objects.filter(kind=Kind.URGE).count() == 1

    events = TaskEvent.objects.filter(kind=EventKind.URGE)
    assert {(e.task.title, e.department) for e in events} == {
        ("甲局独立任务", world.jia), ("甲乙共同任务", world.jia)}
    assert "请今天下班前报送" in events.first().reason
    assert quarter_urges(world.plan, [moment(1, 1).date(), moment(2, 1).date(),
                                      moment(3, 1).date()]) == {
        "total": 1, "departments": [{"name": "区甲局", "times": 1}]}


def test_urge_tasks_reaches_every_department_of_the_task_on_its_channels(world, office,
                                                                        vendors):
    Person.objects.create(user=world.people["yi.liaison"], dingtalk_userid="ding-yi",
                          channels={"urge": ["email", "dingtalk"]})
    with time_machine.travel(moment(3, 26, 10), tick=False):
        preview = office.get(URGE, {"task": [world.task2.pk]}).content.decode()
        assert "钉钉工作通知" in preview
        office.post(URGE, {"task": [world.task2.pk]})
        _deliver(moment(3, 26, 10))
    urged = {m.to[0] for m in mail.outbox if m.extra_headers["X-Duban-Kind"] == "urge"}
    assert urged == {"jia.liaison@duban.example", "yi.liaison@duban.example"}
    assert [s["userid_list"] for s in vendors.of("dingtalk")] == ["ding-yi"]


def test_only_the_lead_office_urges_and_entry_points_exist(world, client, admin_client):
    client.force_login(world.people["jia.liaison"])
    assert client.get(URGE).status_code == 404
    client.force_login(world.people["leadoffice"])
    assert "区甲局" in client.get(URGE).content.decode()  # the chooser
    assert 'id="desk-urge"' in client.get("/desk/").content.decode()


vendors = test_channels.vendors


def test_urge_from_the_overview_reaches_the_checked_departments_once(world, office):
    from tasks_app.services.periods import period_ensure

    with time_machine.travel(moment(3, 26, 10), tick=False):
        period_ensure(world.plan, moment(3, 26).date())
        page = office.get("/overview/").content.decode()
        form = re.search(r'<form method="get" action="/notifications/urge/".*?</form>', page,
                         re.S).group(0)
        departments = re.findall(r'name="department" value="(\d+)" checked', form)
        assert sorted(map(int, departments)) == sorted([world.jia.pk, world.yi.pk])
        plan = re.search(r'name="plan" value="(\d+)"', form).group(1)
        preview = office.get(URGE, {"department": [world.yi.pk], "plan": plan})
        assert "区乙局" in preview.content.decode() and "区甲局" not in \
            preview.content.decode().split('id="urge-recipients"')[1].split("</section>")[0]
        for _ in range(2):  # pressed twice: sent once
            office.post(URGE, {"department": [world.yi.pk], "plan": plan, "next": "/overview/"})
        _deliver(moment(3, 26, 10))
    urged = [m.to[0] for m in mail.outbox if m.extra_headers["X-Duban-Kind"] == "urge"]
    assert urged == ["yi.liaison@duban.example"]
    assert list(TaskEvent.objects.filter(kind=EventKind.URGE).values_list(
        "task__title", "department__name")) == [("甲乙共同任务", "区乙局")]
    timeline = office.get(reverse("portal:task", args=[world.task2.pk])).content.decode()
    assert "<b>一键催办</b> · 区乙局" in timeline  # in the task's history
    assert "<b>一键催办</b>" not in office.get(
        reverse("portal:task", args=[world.task1.pk])).content.decode()
