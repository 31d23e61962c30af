"""The task list is written from values() (serializers.task_rows): exactly the JSON the
TaskSerializer writes for the same tasks, in every field, for every kind of task."""

import json

import pytest
from django.test import RequestFactory
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from departments.access import access_for
from tasks_app.api.serializers.tasks import TaskSerializer
from tasks_app.models import Task
from tasks_app.selectors.tasks import task_list
from tasks_app.services.tasks import task_update

pytestmark = pytest.mark.django_db


def _serializer_json(user, tasks) -> list:
    request = Request(RequestFactory().get("/api/v1/tasks/"))
    data = TaskSerializer(tasks, many=True, context={"request": request}).data
    return json.loads(JSONRenderer().render(data))


@pytest.mark.parametrize("who", ["office", "liaison"])
def test_the_list_reads_exactly_as_the_serializer_writes(world, who):
    user = getattr(world, who)
    # A task with a manual health override, a reason, and a report status: every field set.
    task = Task.objects.order_by("pk").first()
    task_update(task=task, data={"health_override": "red", "health_override_reason": "人工调整"},
                actor=world.office, reason="测试")
    listed = world.client(user).get("/api/v1/tasks/", {"page_size": 200}).json()["results"]
    expected = _serializer_json(user, task_list(access_for(user)))
    assert listed == expected
    assert any(row["parts"] for row in listed)
    assert any(part["group"] for row in listed for part in row["parts"]) or who == "office"


def test_filters_and_ordering_still_apply(world):
    client = world.client(world.office)
    numbers = [row["number"] for row in client.get(
        "/api/v1/tasks/", {"ordering": "-number"}).json()["results"]]
    assert numbers == sorted(numbers, reverse=True)
