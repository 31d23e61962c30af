"""The lifecycle pages run the same number of queries whatever the amount of data: each page
is measured, the lifecycle data grows (parts, requests, slips, instructions and replies),
and the page is measured again. Counts include the request's own three queries (session,
user, memberships)."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.choices import Role
from tasks_app.choices import AssignmentRole, PartState
from tasks_app.models import CompletionRequest, ExtensionRequest, InstructionReply
from tasks_app.services.lifecycle.completions import completion_request_file
from tasks_app.services.lifecycle.instructions import instruction_create
from tasks_app.services.lifecycle.slips import slip_issue

from ..factories import AssignmentFactory, DepartmentFactory, TaskFactory
from .conftest import member

pytestmark = pytest.mark.django_db
counter = itertools.count()


def grow(world, n: int) -> None:
    """n more departments on the task (each with a request, a slip, an instruction and its
    reply) and n more waiting parts, items and suspended tasks elsewhere."""
    for _ in range(n):
        i = next(counter)
        department = DepartmentFactory()
        member(department, Role.LIAISON, f"grow{i}.liaison")
        part = AssignmentFactory(task=world.task, department=department,
                                 state=PartState.EXTENSION_REQUESTED)
        ExtensionRequest.objects.create(assignment=part, proposed_due_on=datetime.date(2027, 1, 1),
                                        reason="延期", requested_by=world.liaison)
        AssignmentFactory(task=world.task, department=DepartmentFactory(),
                          state=PartState.PENDING_ACK, ack_due_on=datetime.date(2026, 3, 1))
        slip_issue(sign=True, task=world.task, department=department, reason="进展缓慢",
                   respond_by=datetime.date(2026, 3, 30), actor=world.lead_office)
        slip_issue(sign=True, task=world.task, department=world.department, reason="进展缓慢",
                   respond_by=datetime.date(2026, 3, 30), actor=world.lead_office)
        instruction = instruction_create(task=world.task, text=f"批示{i}", actor=world.manager)
        InstructionReply.objects.create(instruction=instruction, department=department,
                                        text="已落实")
        item = TaskFactory(plan=world.task.plan, source_type="meeting", title=f"事项{i}",
                           number=100 + 2 * i)
        AssignmentFactory(task=item, department=world.department, state=PartState.PENDING_ACK)
        AssignmentFactory(task=TaskFactory(plan=world.task.plan, status="suspended",
                                           number=101 + 2 * i),
                          department=world.department, state=PartState.SUSPENDED)
        CompletionRequest.objects.create(task=item, department=world.department,
                                         results="已完成", filed_by=world.liaison)


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def constant(client, world, url: str, limit: int) -> None:
    grow(world, 1)
    client.get(url)  # the first visit of the month may open periods
    small = count(client, url)
    grow(world, 4)
    large = count(client, url)
    assert small == large, f"{url}: {small} queries, then {large} with more data"
    assert large <= limit, f"{url}: {large} queries"


@pytest.fixture
def filed(world):
    """A completion request with evidence on the task, so its panel shows."""
    world.lead_part.state = PartState.IN_PROGRESS
    completion_request_file(task=world.task, department=world.lead_department,
                            results="已完成", actor=world.lead_liaison)
    assert world.lead_part.role == AssignmentRole.LEAD
    return world


def test_task_page_for_the_lead_office(client, filed):
    client.force_login(filed.lead_office)
    constant(client, filed, reverse("portal:task", args=[filed.task.pk]), limit=10)


def test_instructions_panel_for_a_manager(client, filed):
    client.force_login(filed.manager)
    url = reverse("portal:task_instructions", args=[filed.task.pk])
    # request (3), task, addressees with their instructions, replies, departments to address
    constant(client, filed, url, limit=7)


def test_requests_panel_for_the_lead_office(client, filed):
    client.force_login(filed.lead_office)
    url = reverse("portal:task_requests", args=[filed.task.pk])
    # request (3), task, lead departments, extensions, completions and their evidence, slips
    constant(client, filed, url, limit=9)


def test_transfer_page(client, world):
    client.force_login(world.lead_office)
    url = reverse("portal:transfer", args=[world.task.pk, world.part.pk])
    constant(client, world, url, limit=6)


def test_todo_panel_for_a_head(client, world):
    client.force_login(world.head)
    # request (3), returned reports, reviews waiting (as lead, as head), parts, slips,
    # endorsements, instructions
    constant(client, world, reverse("portal:todo"), limit=10)


def test_desk(client, world):
    client.force_login(world.lead_office)
    constant(client, world, reverse("portal:desk"), limit=10)


def test_desk_reports(client, world):
    client.force_login(world.lead_office)
    constant(client, world, reverse("portal:desk_reports"), limit=6)


def test_slip_list_for_the_lead_office_and_a_department(client, world):
    client.force_login(world.lead_office)
    constant(client, world, reverse("portal:slips"), limit=5)
    client.force_login(world.liaison)
    constant(client, world, reverse("portal:slips"), limit=5)


def test_slip_page(client, world):
    slip = slip_issue(sign=True, task=world.task, department=world.department, reason="进展缓慢",
                      respond_by=datetime.date(2026, 3, 30), actor=world.lead_office)
    client.force_login(world.head)
    # session, user, access, the slip, its items
    constant(client, world, reverse("portal:slip", args=[slip.pk]), limit=5)


def test_home_for_a_head(client, world):
    client.force_login(world.head)
    constant(client, world, reverse("portal:home"), limit=8)


def test_new_item_form(client, world):
    client.force_login(world.lead_office)
    constant(client, world, reverse("portal:item_new"), limit=5)
