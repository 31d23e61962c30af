"""延期申请: asked before the due date, endorsed by the head, decided by the lead office."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tasks_app.choices import EventKind, PartState
from tasks_app.models import ExtensionRequest, Schedule, TaskEvent
from tasks_app.services.lifecycle.extensions import (
    extension_request_decide,
    extension_request_endorse,
    extension_request_file,
)
from tasks_app.services.lifecycle.parts import part_acknowledge

pytestmark = pytest.mark.django_db
LATER = datetime.date(2027, 3, 31)
State = ExtensionRequest.State


@pytest.fixture
def acknowledged(world):
    part_acknowledge(part=world.part, actor=world.liaison)
    return world.refresh()


def ask(world, user=None, on=LATER, reason="设备到货延迟"):
    return extension_request_file(part=world.part, proposed_due_on=on, reason=reason,
                                  actor=user or world.liaison)


def test_an_approved_extension_moves_the_due_date_and_keeps_the_original(acknowledged,
                                                                         delivered):
    world = acknowledged
    request = ask(world)
    assert request.state == State.PENDING_HEAD and request.current_due_on == world.task.due_on
    world.refresh()
    assert world.part.state == PartState.EXTENSION_REQUESTED
    extension_request_endorse(request=request, actor=world.head, endorse=True)
    _, sent = delivered(lambda: extension_request_decide(
        request=request, actor=world.lead_office, approve=True,
        due_on=datetime.date(2027, 2, 28), reason="同意,但须按月报送"))
    world.refresh()
    request.refresh_from_db()
    assert request.state == State.APPROVED and request.approved_due_on == datetime.date(2027, 2,
                                                                                       28)
    assert world.task.due_on == datetime.date(2027, 2, 28)
    assert world.task.original_due_on == datetime.date(2026, 12, 31)
    assert world.part.state == PartState.IN_PROGRESS
    due = TaskEvent.objects.get(task=world.task, kind=EventKind.DUE_DATE)
    assert (due.before, due.after) == ("2026-12-31", "2027-02-28")
    assert "延期申请获批" in due.reason
    steps = list(TaskEvent.objects.filter(task=world.task, kind=EventKind.EXTENSION)
                 .order_by("at", "id").values_list("before", "after"))
    assert steps == [("", "pending_head"), ("pending_head", "pending_decision"),
                     ("pending_decision", "approved")]
    assert sorted(m.to[0] for m in sent) == ["resp.head@duban.example",
                                             "resp.liaison@duban.example"]
    assert "延期申请：批准延至2027年2月28日" in sent[0].subject


def test_a_request_filed_by_the_head_goes_straight_to_the_lead_office(acknowledged):
    request = ask(acknowledged, user=acknowledged.head)
    assert request.state == State.PENDING_DECISION and request.endorsed_by == acknowledged.head


def test_the_head_may_return_a_request_with_a_comment(acknowledged):
    world = acknowledged
    request = ask(world)
    with pytest.raises(ValidationError, match="退回延期申请时请填写意见"):
        extension_request_endorse(request=request, actor=world.head, endorse=False)
    extension_request_endorse(request=request, actor=world.head, endorse=False,
                              comment="理由不充分,请补充依据")
    world.refresh()
    request.refresh_from_db()
    assert request.state == State.RETURNED and world.part.state == PartState.IN_PROGRESS
    assert world.task.due_on == datetime.date(2026, 12, 31)


def test_a_refusal_needs_a_reason_and_leaves_the_due_date(acknowledged):
    world = acknowledged
    request = ask(world, user=world.head)
    with pytest.raises(ValidationError, match="不同意延期时请填写理由"):
        extension_request_decide(request=request, actor=world.lead_office, approve=False)
    extension_request_decide(request=request, actor=world.lead_office, approve=False,
                             reason="年底前必须完成")
    world.refresh()
    assert world.task.due_on == datetime.date(2026, 12, 31)
    assert world.part.state == PartState.IN_PROGRESS


def test_the_new_date_must_be_later_than_the_due_date(acknowledged):
    with pytest.raises(ValidationError, match="须晚于现完成时限2026年12月31日"):
        ask(acknowledged, on=datetime.date(2026, 12, 31))


def test_a_request_after_the_due_date_is_refused_unless_late_requests_are_allowed(world,
                                                                                  travel):
    part_acknowledge(part=world.part, actor=world.liaison)
    travel.move_to(datetime.datetime(2027, 1, 5, 10, tzinfo=datetime.UTC))
    with pytest.raises(ValidationError, match="逾期后不受理延期申请"):
        ask(world)
    Schedule.objects.filter(plan=world.task.plan).update(allow_late_extension=True)
    request = ask(world)
    assert request.late


def test_a_waiting_part_must_acknowledge_before_asking(world):
    with pytest.raises(ValidationError, match="当前为“待签收”，不能申请延期"):
        ask(world)
