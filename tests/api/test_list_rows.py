"""The task and report lists are written from values() (serializers.rows): exactly the JSON
the TaskSerializer and ReportSerializer write for the same rows, in every field and order."""

import json

import pytest
from django.test import RequestFactory
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from departments.access import access_for
from tasks_app.api.serializers.reports import ReportSerializer
from tasks_app.api.serializers.tasks import TaskSerializer
from tasks_app.models import Task
from tasks_app.selectors.reports import report_list, with_report_users
from tasks_app.selectors.tasks import task_list
from tasks_app.services.reports import Filing, report_head_review, report_lead_review, report_save
from tasks_app.services.tasks import task_update

pytestmark = pytest.mark.django_db


def _serializer_json(rows, serializer=TaskSerializer) -> list:
    request = Request(RequestFactory().get("/api/v1/"))
    data = serializer(rows, many=True, context={"request": request}).data
    return json.loads(JSONRenderer().render(data))


@pytest.mark.parametrize("who", ["office", "liaison"])
def test_the_list_reads_exactly_as_the_serializer_writes(world, who):
    user = getattr(world, who)
    # A task with a manual health override, a reason, and a report status: every field set.
    task = Task.objects.order_by("pk").first()
    task_update(task=task, data={"health_override": "red", "health_override_reason": "人工调整"},
                actor=world.office, reason="测试")
    listed = world.client(user).get("/api/v1/tasks/", {"page_size": 200}).json()["results"]
    expected = _serializer_json(task_list(access_for(user)))
    assert listed == expected and [list(row) for row in listed] == [list(row) for row in expected]
    assert any(row["parts"] for row in listed)
    assert any(part["group"] for row in listed for part in row["parts"]) or who == "office"


def test_filters_and_ordering_still_apply(world):
    client = world.client(world.office)
    numbers = [row["number"] for row in client.get(
        "/api/v1/tasks/", {"ordering": "-number"}).json()["results"]]
    assert numbers == sorted(numbers, reverse=True)


@pytest.mark.parametrize("who", ["office", "liaison", "lead_liaison"])
def test_the_report_list_reads_exactly_as_the_serializer_writes(world, who):
    """Reviewed, returned, draft and the lead's own: every field, users named or not."""
    content = {"status": "on_track", "progress": 40, "progress_text": "推进中。",
               "problems": "用地待批。", "next_steps": "四月开工。", "needs_coordination": True}
    reviewed = report_save(filing=Filing(world.shared, world.resp.pk, world.period),
                           data=content, user=world.liaison, submit=True)
    reviewed = report_head_review(report=reviewed, user=world.head, approve=True, comment="同意")
    report_lead_review(report=reviewed, user=world.lead_liaison, accept=False, comment="请补充")
    report_save(filing=Filing(world.shared, world.lead.pk, world.period), data=content,
                user=world.lead_liaison)
    user = getattr(world, who)
    listed = world.client(user).get("/api/v1/reports/", {"page_size": 200}).json()["results"]
    expected = _serializer_json(with_report_users(list(report_list(access_for(user)).order_by(
        "-id"))), ReportSerializer)
    assert listed and listed == expected
    assert [list(row) for row in listed] == [list(row) for row in expected]
    assert any(row["reviewed_by"] for row in listed)
