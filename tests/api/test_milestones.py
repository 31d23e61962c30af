"""/api/v1/milestones/: read by whoever sees the task, planned by the lead department and
the lead office, validated field by field."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks_app.choices import EventKind
from tasks_app.models import Milestone, TaskEvent

pytestmark = pytest.mark.django_db
URL = "/api/v1/milestones/"


@pytest.fixture
def planned(world):
    return Milestone.objects.create(task=world.shared, title="完成规划编制",
                                    due_on=datetime.date(2026, 6, 30))


def test_the_lead_department_plans_a_milestone(world):
    response = world.client(world.lead_liaison).post(URL, {
        "task": world.shared.pk, "title": "完成选址", "due_on": "2026-05-15",
        "departments": [world.resp.pk]}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["department_names"] == ["区财政局"] and body["due_on"] == "2026-05-15"
    assert TaskEvent.objects.filter(task=world.shared, kind=EventKind.MILESTONE).exists()


def test_a_responsible_department_reads_but_cannot_plan(world, planned):
    client = world.client(world.liaison)
    listed = client.get(URL, {"task": world.shared.pk}).json()
    assert [row["title"] for row in listed["results"]] == ["完成规划编制"]
    response = client.post(URL, {"task": world.shared.pk, "title": "完成选址",
                                 "due_on": "2026-05-15"}, format="json")
    assert response.status_code == 403
    assert client.patch(f"{URL}{planned.pk}/", {"title": "改"}, format="json").status_code == 403
    assert client.delete(f"{URL}{planned.pk}/").status_code == 403
    assert Milestone.objects.get(pk=planned.pk).title == "完成规划编制"


def test_an_outsider_sees_nothing(world, planned):
    client = world.client(world.outsider)
    assert client.get(URL).json()["count"] == 0
    assert client.get(f"{URL}{planned.pk}/").status_code == 404
    response = client.post(URL, {"task": world.shared.pk, "title": "x",
                                 "due_on": "2026-05-15"}, format="json")
    assert response.status_code == 400 and "task" in response.json()["error"]["fields"]


def test_errors_are_field_level(world):
    response = world.client(world.office).post(URL, {
        "task": world.shared.pk, "title": "年底验收", "due_on": "2027-01-15",
        "departments": [world.other.pk]}, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "due_on" in fields and "departments" in fields
    assert not Milestone.objects.exists()


def test_completing_and_deleting(world, planned):
    client = world.client(world.office)
    response = client.patch(f"{URL}{planned.pk}/", {"completed_on": "2026-03-19"},
                            format="json")
    assert response.status_code == 200 and response.json()["completed_on"] == "2026-03-19"
    assert client.get(URL, {"completed": "true"}).json()["count"] == 1
    assert client.get(URL, {"completed": "false"}).json()["count"] == 0
    assert client.delete(f"{URL}{planned.pk}/").status_code == 204
    assert not Milestone.objects.filter(pk=planned.pk).exists()
    assert TaskEvent.objects.filter(task=world.shared, kind=EventKind.MILESTONE,
                                    before="完成规划编制 2026-06-30").exists()


def test_the_list_costs_the_same_for_more_milestones(world, planned):
    client = world.client(world.office)
    planned.departments.add(world.resp)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for n in range(5):
        Milestone.objects.create(task=world.grouped, title=f"节点{n}",
                                 due_on=world.grouped.due_on).departments.add(world.lead)
    with CaptureQueriesContext(connection) as more:
        assert client.get(URL).json()["count"] == 6
    assert len(more) == len(few) <= 10


def test_a_stale_version_is_refused(world, planned):
    client = world.client(world.office)
    etag = client.get(f"{URL}{planned.pk}/")["ETag"]
    assert client.patch(f"{URL}{planned.pk}/", {"title": "完成规划编制并报批"},
                        format="json", HTTP_IF_MATCH=etag).status_code == 200
    stale = client.patch(f"{URL}{planned.pk}/", {"title": "别的改法"}, format="json",
                         HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    conflict = client.patch(f"{URL}{planned.pk}/", {"title": "别的改法", "version": 1},
                            format="json")
    assert conflict.status_code == 409
    assert Milestone.objects.get(pk=planned.pk).title == "完成规划编制并报批"
