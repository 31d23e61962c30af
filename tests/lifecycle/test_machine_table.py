"""Every transition of the lifecycle, legal and illegal, by every role.

For each action and each state it might be tried from, a fresh world is set up and every
role tries it (each try rolled back). The expected outcome is written out below as plain
data, independently of the services' own tables: "ok", "denied" (PermissionDenied: the
role may not) or "refused" (ValidationError: the role may, the state does not allow it).
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tasks_app.choices import PartState
from tasks_app.models import CompletionRequest, ExtensionRequest, SupervisionSlip
from tasks_app.services.lifecycle.completions import (
    completion_request_decide,
    completion_request_file,
)
from tasks_app.services.lifecycle.extensions import (
    extension_request_decide,
    extension_request_endorse,
    extension_request_file,
)
from tasks_app.services.lifecycle.parts import part_acknowledge
from tasks_app.services.lifecycle.slips import (
    slip_answer,
    slip_issue,
    slip_receive,
    slip_sign,
    slip_void,
)
from tasks_app.services.lifecycle.suspension import part_transfer, task_resume, task_suspend

from .conftest import ROLES

pytestmark = pytest.mark.django_db
ALL_PART_STATES = [state for state in PartState.values if state != PartState.TRANSFERRED]
DEPARTMENT = {"liaison", "head"}
WORKING = {"in_progress", "supplementing", "rectifying"}
OPEN = {"pending_ack", "in_progress", "extension_requested", "completion_requested",
        "supplementing", "rectifying"}

# action: (the states it may be taken from, the roles that may take it)
PART_EXPECTED = {
    "acknowledge": ({"pending_ack"}, DEPARTMENT),
    "request_extension": ({"in_progress"}, DEPARTMENT),
    "approve_extension": ({"extension_requested"}, {"lead_office"}),
    "refuse_extension": ({"extension_requested"}, {"lead_office"}),
    "request_completion": (WORKING, {"lead_department"}),
    "approve_completion": ({"completion_requested"}, {"lead_office"}),
    "supplement_completion": ({"completion_requested"}, {"lead_office"}),
    "reject_completion": ({"completion_requested"}, {"lead_office"}),
    "rectify_completion": ({"completion_requested"}, {"lead_office"}),
    "suspend": (OPEN, {"lead_office"}),
    "resume": ({"suspended"}, {"lead_office"}),
    "transfer": ({"pending_ack", "suspended", *WORKING}, {"lead_office"}),
}
EXTENSION_STATES = ExtensionRequest.State.values
EXTENSION_EXPECTED = {
    "endorse": ({"pending_head"}, {"head"}),
    "return": ({"pending_head"}, {"head"}),
    "approve": ({"pending_decision"}, {"lead_office"}),
    "refuse": ({"pending_decision"}, {"lead_office"}),
}
COMPLETION_STATES = CompletionRequest.Decision.values
COMPLETION_EXPECTED = {decision: ({"pending"}, {"lead_office"})
                       for decision in ("approved", "supplement", "rejected", "rectify")}
SLIP_STATES = SupervisionSlip.State.values
SLIP_EXPECTED = {"receive": ({"issued"}, DEPARTMENT), "answer": ({"received"}, DEPARTMENT),
                 "sign": ({"draft"}, {"lead_office"}),
                 "void": ({"draft", "issued", "received", "answered"}, {"lead_office"})}
LATER = datetime.date(2027, 3, 31)


def expected(states: set[str], roles: set[str], state: str) -> dict[str, str]:
    return {role: ("denied" if role not in roles else "ok" if state in states else "refused")
            for role in ROLES}


def outcome(attempt) -> str:
    try:
        with transaction.atomic():
            attempt()
            transaction.set_rollback(True)
    except PermissionDenied:
        return "denied"
    except ValidationError:
        return "refused"
    return "ok"


def tries(world, attempt) -> dict[str, str]:
    return {role: outcome(lambda role=role: attempt(world.actor(role))) for role in ROLES}


def set_state(part, state: str) -> None:
    part.state = state
    part.state_before_suspension = PartState.IN_PROGRESS if state == "suspended" else ""
    part.save()


def extension(world, state="pending_decision") -> ExtensionRequest:
    return ExtensionRequest.objects.create(
        assignment=world.part, current_due_on=world.task.due_on, proposed_due_on=LATER,
        reason="设备到货延迟", state=state, requested_by=world.liaison)


def completion(world, decision="pending") -> CompletionRequest:
    return CompletionRequest.objects.create(task=world.task, department=world.lead_department,
                                            results="已全部完成。", decision=decision,
                                            filed_by=world.lead_liaison)


def decide(world, decision: str):
    return lambda user: completion_request_decide(
        request=completion(world), actor=user, decision=decision, reason="意见",
        rectify_due_on=LATER)


def part_attempt(world, action: str):
    """How ``action`` is tried on the world whose parts are already in the tested state."""
    part, task = world.part, world.task
    attempts = {
        "acknowledge": lambda user: part_acknowledge(part=part, actor=user),
        "request_extension": lambda user: extension_request_file(
            part=part, proposed_due_on=LATER, reason="设备到货延迟", actor=user),
        "approve_extension": lambda user: extension_request_decide(
            request=extension(world), actor=user, approve=True),
        "refuse_extension": lambda user: extension_request_decide(
            request=extension(world), actor=user, approve=False, reason="理由不充分"),
        "request_completion": lambda user: completion_request_file(
            task=task, department=world.lead_department, results="已全部完成。", actor=user),
        "approve_completion": decide(world, "approved"),
        "supplement_completion": decide(world, "supplement"),
        "reject_completion": decide(world, "rejected"),
        "rectify_completion": decide(world, "rectify"),
        "suspend": lambda user: task_suspend(task=task, actor=user, reason="政策调整"),
        "resume": lambda user: task_resume(task=task, actor=user, reason="恢复推进"),
        "transfer": lambda user: part_transfer(part=part, department=world.third, actor=user,
                                               reason="职能调整"),
    }
    return attempts[action]


@pytest.mark.parametrize("state", ALL_PART_STATES)
@pytest.mark.parametrize("action", list(PART_EXPECTED))
def test_part_transitions_by_role_and_state(world, action, state):
    completion_action = "completion" in action
    set_state(world.lead_part if completion_action else world.part, state)
    if action in ("suspend", "resume"):  # a task-level action: every part in the state
        set_state(world.lead_part, state)
    if completion_action and state == "completed":
        set_state(world.part, "completed")
    states, roles = PART_EXPECTED[action]
    assert tries(world, part_attempt(world, action)) == expected(states, roles, state)


@pytest.mark.parametrize("state", EXTENSION_STATES)
@pytest.mark.parametrize("action", list(EXTENSION_EXPECTED))
def test_extension_request_transitions_by_role_and_state(world, action, state):
    set_state(world.part, "extension_requested")
    request = extension(world, state)
    attempt = {
        "endorse": lambda user: extension_request_endorse(request=request, actor=user,
                                                          endorse=True),
        "return": lambda user: extension_request_endorse(request=request, actor=user,
                                                         endorse=False, comment="请补充依据"),
        "approve": lambda user: extension_request_decide(request=request, actor=user,
                                                         approve=True),
        "refuse": lambda user: extension_request_decide(request=request, actor=user,
                                                        approve=False, reason="理由不充分"),
    }[action]
    states, roles = EXTENSION_EXPECTED[action]
    assert tries(world, attempt) == expected(states, roles, state)


@pytest.mark.parametrize("state", COMPLETION_STATES)
@pytest.mark.parametrize("decision", list(COMPLETION_EXPECTED))
def test_completion_request_decisions_by_role_and_state(world, decision, state):
    set_state(world.lead_part, "completion_requested")
    set_state(world.part, "in_progress")
    request = completion(world, state)
    states, roles = COMPLETION_EXPECTED[decision]
    assert tries(world, lambda user: completion_request_decide(
        request=request, actor=user, decision=decision, reason="意见",
        rectify_due_on=LATER)) == expected(states, roles, state)


def slip(world, state: str) -> SupervisionSlip:
    signed = state != "draft"
    return SupervisionSlip.objects.create(
        task=world.task, department=world.department, prefix="测督",
        year=2026 if signed else None, sequence=1 if signed else None,
        issued_at=timezone.now() if signed else None,
        item_title="7. 推动产业集聚", addressee="区责任局", reason="逾期未报送",
        required_response="请反馈", respond_by=datetime.date(2026, 3, 25), state=state)


@pytest.mark.parametrize("state", SLIP_STATES)
@pytest.mark.parametrize("action", list(SLIP_EXPECTED))
def test_slip_transitions_by_role_and_state(world, action, state):
    item = slip(world, state)
    attempt = {"receive": lambda user: slip_receive(slip=item, actor=user),
               "answer": lambda user: slip_answer(slip=item, actor=user, answer="已报送。"),
               "sign": lambda user: slip_sign(slip=item, actor=user),
               "void": lambda user: slip_void(slip=item, actor=user, reason="误发")}
    states, roles = SLIP_EXPECTED[action]
    assert tries(world, attempt[action]) == expected(states, roles, state)


def test_only_the_lead_office_issues_a_slip(world):
    assert tries(world, lambda user: slip_issue(
        task=world.task, department=world.department, reason="进展缓慢", actor=user,
        respond_by=datetime.date(2026, 3, 27))) == expected({None}, {"lead_office"}, None)
