"""End to end: the chase reaches red, the cycle issues 督办单 to the departments still
without their reports, tells them at once, and each slip's PDF (downloaded from the portal)
names the item, the department and the deadlines. Nothing is issued twice."""

import datetime
import io
from collections import Counter

import pytest
import time_machine
from django.db import connection
from pypdf import PdfReader

from tasks_app.choices import SlipLevel, SlipTrigger
from tasks_app.models import Schedule, SupervisionSlip

from ..cycle_support import World, cycle_at, moment

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    with time_machine.travel(moment(1, 5, 9), tick=False):
        world = World()
        world.task1.due_on = datetime.date(2026, 9, 30)
        world.task1.save()
    world.report(world.task2, world.yi, "yi.liaison", moment(3, 10, 10))
    return world


def test_the_red_chase_issues_a_slip_per_missing_item_and_its_pdf_names_them(world, client):
    assert [m for m in cycle_at(moment(3, 31)) if m.kind == "slip"] == []
    sent = cycle_at(moment(4, 1))
    slips = list(SupervisionSlip.objects.order_by("sequence"))
    assert [(s.number, s.department, s.task, s.level) for s in slips] == [
        ("哈经开督〔2026〕1号", world.jia, world.task1, SlipLevel.RED),
        ("哈经开督〔2026〕2号", world.jia, world.task2, SlipLevel.RED)]
    assert slips[0].respond_by == datetime.date(2026, 4, 7)  # 3 working days, 清明 4/6
    told = Counter((m.user, m.kind) for m in sent if m.kind == "slip")
    assert told == {("jia.liaison", "slip"): 1, ("jia.head", "slip"): 1}  # both slips in one
    message = next(m for m in sent if m.kind == "slip")
    assert "区甲局收到 2 份督办单" in message.subject
    assert "哈经开督〔2026〕1号" in message.text and "哈经开督〔2026〕2号" in message.text
    assert f"/slips/{slips[1].pk}/pdf/" in message.text
    client.force_login(world.people["jia.liaison"])
    response = client.get(f"/slips/{slips[0].pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    for expected in ("哈经开督〔2026〕1号", "区甲局:", "1. 甲局独立任务", "完成时限:2026年9月30日",
                     "反馈时限:2026年4月7日前", "2026年3月", "红色督办"):
        assert expected in text, expected
    assert [m for m in cycle_at(moment(4, 2)) if m.kind == "slip"] == []
    assert SupervisionSlip.objects.count() == 2


def test_at_the_yellow_level_slips_come_with_the_heads_escalation(world):
    Schedule.objects.filter(plan=world.plan).update(slip_level=SlipTrigger.YELLOW)
    assert [m for m in cycle_at(moment(3, 26)) if m.kind == "slip"] == []
    sent = cycle_at(moment(3, 27))
    assert {(m.user, m.kind) for m in sent} == {("jia.head", "escalation"),
                                               ("jia.liaison", "slip"), ("jia.head", "slip")}
    assert set(SupervisionSlip.objects.values_list("level", flat=True)) == {SlipLevel.YELLOW}


def test_no_slips_when_the_plan_issues_none_automatically(world):
    Schedule.objects.filter(plan=world.plan).update(slip_level=SlipTrigger.OFF)
    cycle_at(moment(4, 1))
    assert not SupervisionSlip.objects.exists()


def test_a_suspended_task_is_neither_chased_nor_given_a_slip(world):
    from tasks_app.services.lifecycle.suspension import task_suspend

    task_suspend(task=world.task1, actor=world.people["leadoffice"], reason="暂缓实施")
    sent = cycle_at(moment(3, 26)) + cycle_at(moment(4, 1))
    assert all("1. 甲局独立任务" not in m.text for m in sent)
    assert list(SupervisionSlip.objects.values_list("task", flat=True)) == [world.task2.pk]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_slips_get_consecutive_numbers(db):
    import threading

    from departments.choices import Role
    from tasks_app.services.lifecycle.slips import slip_issue

    from ..factories import AssignmentFactory, MembershipFactory, TaskFactory

    lead_office = MembershipFactory(role=Role.LEAD_OFFICE, department=None).user
    parts = [AssignmentFactory(task=TaskFactory()) for _ in range(8)]
    barrier, errors = threading.Barrier(len(parts)), []

    def issue(part):
        try:
            barrier.wait()
            slip_issue(task=part.task, department=part.department, reason="进展缓慢",
                       respond_by=datetime.date(2099, 1, 1), actor=lead_office)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(part,)) for part in parts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(SupervisionSlip.objects.values_list("sequence", flat=True))
    assert numbers == list(range(1, len(parts) + 1))
