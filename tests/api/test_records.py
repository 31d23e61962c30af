"""Plans, departments and the cycle's records (meetings, bulletins, assessments) as stored."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.models import DepartmentAlias
from tasks_app.models import Assessment, Bulletin, DepartmentScore, Meeting, MeetingDecision


@pytest.fixture
def records(world):
    meeting = Meeting.objects.create(plan=world.plan, held_on=datetime.date(2026, 3, 31),
                                     title="3月月度专题会议")
    for text, department in (("协调用地指标。", world.resp), ("扩大招商。", world.other)):
        decision = MeetingDecision.objects.create(meeting=meeting, text=text)
        decision.departments.add(department)
    Bulletin.objects.create(plan=world.plan, year=2026, quarter=1, state=Bulletin.State.DRAFT)
    Bulletin.objects.create(plan=world.plan, year=2025, quarter=4, number="第4期",
                            state=Bulletin.State.PUBLISHED, content={"red": [1]})
    Assessment.objects.create(plan=world.plan, year=2026)
    published = Assessment.objects.create(plan=world.plan, year=2025,
                                          state=Assessment.State.PUBLISHED)
    for rank, department in enumerate((world.resp, world.lead), start=1):
        DepartmentScore.objects.create(assessment=published, department=department,
                                       computed_total=Decimal(100 - rank), rank=rank,
                                       total=Decimal(100 - rank))


def results(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_a_department_sees_only_the_decisions_addressed_to_it(world, records):
    [meeting] = results(world.client(world.liaison), "/api/v1/meetings/")
    assert [d["text"] for d in meeting["decisions"]] == ["协调用地指标。"]
    [meeting] = results(world.client(world.office), "/api/v1/meetings/")
    assert len(meeting["decisions"]) == 2


def test_draft_bulletins_are_for_the_lead_office_only(world, records):
    assert [b["number"] for b in results(world.client(world.liaison), "/api/v1/bulletins/")] \
        == ["第4期"]
    assert len(results(world.client(world.manager), "/api/v1/bulletins/?year=2026")) == 1


def test_a_published_assessment_shows_every_departments_score(world, records):
    client = world.client(world.liaison)
    [assessment] = results(client, "/api/v1/assessments/")
    assert "scores" not in assessment  # hundreds a city plan: on the assessment's own page
    detail = client.get(f"/api/v1/assessments/{assessment['id']}/").json()
    assert [(s["department_name"], s["rank"]) for s in detail["scores"]] == [
        ("区财政局", 1), ("区工信局", 2)]
    assert len(results(world.client(world.office), "/api/v1/assessments/")) == 2


def test_a_bulletins_content_is_on_its_own_page_not_in_the_list(world, records):
    client = world.client(world.liaison)
    with CaptureQueriesContext(connection) as queries:
        [bulletin] = results(client, "/api/v1/bulletins/")
    assert not {"content", "department_rates"} & set(bulletin)
    assert not any('"content"' in query["sql"] for query in queries.captured_queries)
    detail = client.get(f"/api/v1/bulletins/{bulletin['id']}/").json()
    assert (detail["number"], detail["content"], detail["department_rates"]) == (
        "第4期", {"red": [1]}, [])


def test_departments_are_found_by_alias_and_groups_by_member(world):
    DepartmentAlias.objects.create(alias="财政局", department=world.resp)
    client = world.client(world.liaison)
    assert [d["name"] for d in results(client, "/api/v1/departments/?search=财政局")] == [
        "区财政局"]
    groups = "/api/v1/department-groups/?member="
    assert [g["name"] for g in results(client, f"{groups}{world.resp.pk}")] == ["各相关部门"]
    assert results(client, f"{groups}{world.lead.pk}") == []


def test_plans_drivers_and_periods_are_readable_by_every_user(world):
    client = world.client(world.outsider)
    assert [p["code"] for p in results(client, "/api/v1/plans/?is_active=true")] == [
        world.plan.code]
    assert [d["number"] for d in results(client, f"/api/v1/drivers/?plan={world.plan.pk}")] == [1]
    [period] = results(client, "/api/v1/periods/?state=open")
    assert (period["month"], period["deadline"]) == ("2026-03-01", "2026-03-25")


@pytest.mark.parametrize("url", [
    "/api/v1/plans/", "/api/v1/drivers/", "/api/v1/departments/", "/api/v1/department-groups/",
    "/api/v1/periods/", "/api/v1/meetings/", "/api/v1/bulletins/", "/api/v1/assessments/",
    "/api/v1/targets/", "/api/v1/target-readings/", "/api/v1/assignments/",
])
def test_every_list_is_paginated(world, records, url):
    body = world.client(world.office).get(f"{url}?page_size=1").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert len(body["results"]) <= 1
