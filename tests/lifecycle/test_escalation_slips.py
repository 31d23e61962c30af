"""End to end: the chase reaches red, the cycle proposes ONE 督办单 draft per department still
without its reports, listing all its missing items — unnumbered, unsent, unseen by the
department — until the lead office signs it: then it is numbered, told at once, and its PDF
(downloaded from the portal) lists the items and the signer. Nothing is proposed twice."""

import datetime
import io
from collections import Counter

import pytest
import time_machine
from django.db import connection
from pypdf import PdfReader

from tasks_app.choices import SlipLevel, SlipTrigger
from tasks_app.models import Plan, Schedule, SupervisionSlip

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


def sign_in_portal(client, world, slip, at) -> list:
    """The lead office signs on the slip's page; the message is handed to the workers after
    commit (not run here), so a cycle run later hands it out again and sends it."""
    client.force_login(world.people["leadoffice"])
    with time_machine.travel(at, tick=False):
        response = client.post(f"/slips/{slip.pk}/", {"action": "sign"})
    assert response.status_code == 302, response.content.decode()[:500]
    return cycle_at(at + datetime.timedelta(minutes=15))


def test_the_red_chase_proposes_one_draft_per_department_listing_all_its_items(world, client):
    assert [m for m in cycle_at(moment(3, 31)) if m.kind == "slip"] == []
    sent = cycle_at(moment(4, 1))
    assert [m for m in sent if m.kind == "slip"] == []  # a draft is not sent
    [draft] = SupervisionSlip.objects.all()
    assert (draft.department, draft.state, draft.sequence, draft.level) == (
        world.jia, SupervisionSlip.State.DRAFT, None, SlipLevel.RED)
    assert [i.title for i in draft.items.all()] == ["1. 甲局独立任务", "2. 甲乙共同任务"]
    assert draft.respond_by == datetime.date(2026, 4, 7)  # 3 working days, 清明 4/6
    # The department does not see the draft; the lead office finds it on its desk.
    client.force_login(world.people["jia.liaison"])
    assert client.get(f"/slips/{draft.pk}/").status_code == 404
    assert "区甲局" not in client.get("/slips/").content.decode()
    client.force_login(world.people["manager"])
    assert client.get(f"/slips/{draft.pk}/").status_code == 404
    client.force_login(world.people["leadoffice"])
    assert f"/slips/{draft.pk}/" in client.get("/desk/").content.decode()
    # Signed the next day: numbered, sent once, listing both items; the PDF names the signer.
    told = sign_in_portal(client, world, draft, moment(4, 2, 10))
    draft.refresh_from_db()
    assert (draft.number, draft.state, draft.issued_by) == (
        "哈经开督〔2026〕1号", SupervisionSlip.State.ISSUED, world.people["leadoffice"])
    assert draft.respond_by == datetime.date(2026, 4, 8)  # counted from the signing
    assert Counter(m.user for m in told if m.kind == "slip") == {"jia.liaison": 1, "jia.head": 1}
    message = next(m for m in told if m.kind == "slip")
    assert "哈经开督〔2026〕1号" in message.subject
    assert "1. 甲局独立任务" in message.text and "2. 甲乙共同任务" in message.text
    client.force_login(world.people["jia.liaison"])
    response = client.get(f"/slips/{draft.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    for expected in ("哈经开督〔2026〕1号", "区甲局:", "1. 甲局独立任务", "2. 甲乙共同任务",
                     "反馈时限：2026年4月8日前", "2026年3月", "红色督办", "签发人：leadoffice"):
        assert expected in text, expected
    assert [m for m in cycle_at(moment(4, 2)) if m.kind == "slip"] == []
    assert SupervisionSlip.objects.count() == 1


def test_with_automatic_signing_the_drafts_are_signed_and_told_at_once(world):
    Schedule.objects.filter(plan=world.plan).update(slip_auto_sign=True)
    sent = cycle_at(moment(4, 1))
    [slip] = SupervisionSlip.objects.all()
    assert (slip.number, slip.state, slip.issued_by) == (
        "哈经开督〔2026〕1号", SupervisionSlip.State.ISSUED, None)
    told = Counter((m.user, m.kind) for m in sent if m.kind == "slip")
    assert told == {("jia.liaison", "slip"): 1, ("jia.head", "slip"): 1}


def test_at_the_yellow_level_drafts_come_with_the_heads_escalation(world):
    Schedule.objects.filter(plan=world.plan).update(slip_level=SlipTrigger.YELLOW)
    cycle_at(moment(3, 26))
    assert not SupervisionSlip.objects.exists()
    sent = cycle_at(moment(3, 27))
    assert {(m.user, m.kind) for m in sent} == {("jia.head", "escalation")}
    assert set(SupervisionSlip.objects.values_list("level", "state")) == {
        (SlipLevel.YELLOW, SupervisionSlip.State.DRAFT)}


def test_no_slips_when_the_plan_proposes_none(world):
    Schedule.objects.filter(plan=world.plan).update(slip_level=SlipTrigger.OFF)
    cycle_at(moment(4, 1))
    assert not SupervisionSlip.objects.exists()


def test_the_lead_office_never_gets_a_slip_from_itself(world):
    Plan.objects.filter(pk=world.plan.pk).update(lead_office=world.jia)
    cycle_at(moment(4, 1))
    assert not SupervisionSlip.objects.exists()


def test_a_suspended_task_is_neither_chased_nor_listed_on_a_slip(world):
    from tasks_app.services.lifecycle.suspension import task_suspend

    task_suspend(task=world.task1, actor=world.people["leadoffice"], reason="暂缓实施")
    sent = cycle_at(moment(3, 26)) + cycle_at(moment(4, 1))
    assert all("1. 甲局独立任务" not in m.text for m in sent)
    [slip] = SupervisionSlip.objects.all()
    assert list(slip.items.values_list("task", flat=True)) == [world.task2.pk]


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
            slip_issue(sign=True, task=part.task, department=part.department, reason="进展缓慢",
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
