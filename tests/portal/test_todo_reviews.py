"""Heads and lead departments are told what waits for their review; liaisons see their
returned reports first in 待办."""

import pytest
from django.urls import reverse

from notifications.choices import Kind
from notifications.models import Notification
from tasks_app.choices import PartState
from tasks_app.services.reports import report_head_review, report_save, report_withdraw

from .conftest import GOOD, add_task

pytestmark = pytest.mark.django_db


def test_a_head_is_told_once_a_day_that_reports_wait(world):
    world.head.email = "head@example.gov.cn"
    world.head.save()
    report = world.report()
    report_withdraw(report=report, user=world.liaison)
    world.report(progress=50)  # filed again the same day: no second message
    told = Notification.objects.filter(recipient=world.head, kind=Kind.REVIEW)
    assert told.count() == 1
    message = told.get()
    assert "本部门有报送待您审核" in message.subject and "/reviews/" in message.body_text
    assert not Notification.objects.filter(recipient=world.liaison, kind=Kind.REVIEW).exists()


def test_the_head_sees_the_count_in_the_menu_and_in_todo(world, as_user):
    world.report()
    client = as_user(world.head)
    badge = client.get(reverse("portal:reviews_count")).content.decode()
    assert ">1<" in badge
    todo = client.get(reverse("portal:todo")).content.decode()
    assert "1 份报送待您审核" in todo and reverse("portal:reviews") in todo
    assert client.get(reverse("portal:home")).status_code == 200


def test_nobody_else_sees_a_count(world, as_user):
    world.report()
    badge = as_user(world.outsider).get(reverse("portal:reviews_count"))
    assert badge.status_code == 200 and ">1<" not in badge.content.decode()


def test_a_returned_report_is_first_in_the_liaisons_todo(world, as_user):
    report = world.report()
    report_head_review(report=report, user=world.head, approve=False, comment="请补充数据。")
    todo = as_user(world.liaison).get(reverse("portal:todo")).content.decode()
    assert "报送被退回" in todo and "请补充数据" in todo
    first_item = todo[todo.index("<li>"):todo.index("</li>")]
    assert "报送被退回" in first_item


def test_a_returned_report_comes_first_on_the_home_page(world, as_user):
    plan = world.task.plan
    plan.tracking_start = world.period.month  # February is not asked for
    plan.save()
    later = add_task(plan, world.task.driver, world.department, number=99,
                     title="排在后面的任务")
    later.assignments.update(state=PartState.IN_PROGRESS)
    report = report_save(filing=world.filing(task=later), data=GOOD, user=world.liaison,
                         submit=True)
    home = as_user(world.liaison).get(reverse("portal:home")).content.decode()
    assert home.index("推动产业集聚") < home.index("排在后面的任务")  # by number
    report_head_review(report=report, user=world.head, approve=False, comment="请补充数据。")
    home = as_user(world.liaison).get(reverse("portal:home")).content.decode()
    assert home.index("排在后面的任务") < home.index("推动产业集聚")
