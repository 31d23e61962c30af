"""Heads and lead departments are told what waits for their review; liaisons see their
returned reports first in 待办."""

import pytest
from django.core import mail
from django.urls import reverse

from tasks_app.services.reports import report_head_review, report_withdraw

pytestmark = pytest.mark.django_db


def test_a_head_is_told_once_a_day_that_reports_wait(world, django_capture_on_commit_callbacks,
                                                     settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    world.head.email = "head@example.gov.cn"
    world.head.save()
    with django_capture_on_commit_callbacks(execute=True):
        report = world.report()
    report_withdraw(report=report, user=world.liaison)
    with django_capture_on_commit_callbacks(execute=True):
        world.report(progress=50)  # filed again the same day: no second message
    to_head = [m for m in mail.outbox if "head@example.gov.cn" in m.to]
    assert len(to_head) == 1
    assert "本部门有报送待您审核" in to_head[0].subject and "/reviews/" in to_head[0].body


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
