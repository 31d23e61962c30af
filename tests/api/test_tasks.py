"""Tasks, their parts and history through the API: visibility, filters, ordering, pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks_app.choices import AssignmentRole, EventKind
from tasks_app.services.reports import Filing, report_save
from tests.factories import AssignmentFactory, TaskFactory

from .conftest import GOOD

TASKS = "/api/v1/tasks/"


def numbers(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


def test_a_liaison_lists_the_tasks_of_its_department_directly_and_through_groups(world):
    assert numbers(world.client(world.liaison).get(TASKS)) == [1, 2]


def test_the_lead_office_and_managers_list_every_task(world):
    assert numbers(world.client(world.office).get(TASKS)) == [1, 2, 3, 4]
    assert numbers(world.client(world.manager).get(TASKS)) == [1, 2, 3, 4]


def test_a_user_without_a_department_lists_nothing(world):
    assert numbers(world.client(world.nobody).get(TASKS)) == []


@pytest.mark.parametrize("suffix", ["", "history/"])
def test_a_task_outside_the_scope_answers_404(world, suffix):
    response = world.client(world.liaison).get(f"{TASKS}{world.others.pk}/{suffix}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_task_shows_its_parts_health_and_etag(world):
    response = world.client(world.liaison).get(f"{TASKS}{world.grouped.pk}/")
    task = response.json()
    assert task["health"] == "red"  # due 2026-01-31, today is 2026-03-20
    assert [(p["role"], p["department_name"], p["group_name"]) for p in task["parts"]] == [
        ("lead", "区工信局", None), ("responsible", None, "各相关部门")]
    assert response["ETag"] == f'"task-{world.grouped.pk}-v{task["version"]}"'


@pytest.mark.parametrize(("query", "expected"), [
    ("role=lead", [1, 2, 3]),
    ("department={lead}", [1, 2]),
    ("department={resp}", [1, 2]),
    ("department={resp}&role=lead", []),
    ("department={resp}&role=responsible", [1, 2]),
    ("department={lead}&role=lead", [1, 2]),
    ("unassigned=true", [4]),
    ("unassigned=false", [1, 2, 3]),
    ("health=red", [2]),
    ("health=red&health=green", [1, 2, 3]),
    ("health=unassigned", [4]),  # nobody has a part in it
    ("status=new", [4]),
    ("status=in_progress", [1, 2, 3]),
    ("due_before=2026-06-30", [2]),
    ("due_after=2026-06-30", [1]),
    ("search=营商", [2]),
    ("search=任务原文 开放", [3]),
    ("search=营%00商", [2]),
    ("plan=999999", []),
    ("driver={driver}", [1, 2, 3, 4]),
    ("ordering=-number", [4, 3, 2, 1]),
    ("ordering=health,number", [1, 3, 2, 4]),
])
def test_filters_search_and_ordering(world, query, expected):
    query = query.format(lead=world.lead.pk, resp=world.resp.pk, driver=world.driver.pk)
    assert numbers(world.client(world.office).get(f"{TASKS}?{query}")) == expected


@pytest.mark.parametrize(("query", "field"), [
    ("health=purple", "health"),
    ("unassigned=maybe", "unassigned"),
    ("department=abc", "department"),
    ("department=-1", "department"),
    ("plan=99999999999999999999999", "plan"),
    ("due_before=2026-02-30", "due_before"),
    ("ordering=text", "ordering"),
    ("page_size=0", "page_size"),
    ("page_size=500", "page_size"),
    ("search=" + "长" * 201, "search"),
])
def test_a_filter_value_that_cannot_be_understood_is_a_400_naming_it(world, query, field):
    response = world.client(world.office).get(f"{TASKS}?{query}")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_pages_do_not_overlap(world):
    client = world.client(world.office)
    first = client.get(f"{TASKS}?page_size=2&ordering=health").json()
    second = client.get(first["next"]).json()
    assert first["count"] == 4 and second["next"] is None
    assert len({row["id"] for row in first["results"] + second["results"]}) == 4


def test_history_lists_the_tasks_events_newest_first(world):
    report_save(filing=Filing(world.shared, world.lead.pk, world.period), data=GOOD,
                user=world.lead_liaison, submit=True)
    response = world.client(world.lead_liaison).get(f"{TASKS}{world.shared.pk}/history/")
    events = response.json()["results"]
    assert [e["kind"] for e in events][:2] == [EventKind.PROGRESS, EventKind.REPORT]
    # A co-responsible department sees the task's progress, not the lead's report (#13).
    other = world.client(world.liaison).get(f"{TASKS}{world.shared.pk}/history/").json()
    assert [e["kind"] for e in other["results"]][:2] == [EventKind.PROGRESS, EventKind.STATUS]
    assert events[0]["before"] == "0%" and events[0]["after"] == "40%"
    assert events[1]["department_name"] == "区工信局"
    assert events[1]["actor"] == world.lead_liaison.username


def test_assignments_are_listed_for_visible_tasks_only(world):
    response = world.client(world.liaison).get("/api/v1/assignments/?ordering=task,role")
    rows = response.json()["results"]
    assert {row["task"] for row in rows} == {world.shared.pk, world.grouped.pk}
    lead_only = world.client(world.office).get(
        f"/api/v1/assignments/?role=lead&task={world.others.pk}")
    assert [row["department_name"] for row in lead_only.json()["results"]] == ["区商务局"]


def _grow(world, tasks: int) -> None:
    for _ in range(tasks):
        task = TaskFactory(plan=world.plan, driver=world.driver)
        AssignmentFactory(task=task, department=world.lead, role=AssignmentRole.LEAD)
        AssignmentFactory(task=task, role=AssignmentRole.RESPONSIBLE)
        AssignmentFactory(task=task, department=None, group=world.group,
                          role=AssignmentRole.RESPONSIBLE)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["lead_liaison", "office"])
def test_a_page_of_50_tasks_takes_the_same_queries_whatever_the_number_of_rows(world, who):
    client = world.client(getattr(world, who))
    _grow(world, 55)
    small = _queries(client, f"{TASKS}?page_size=50")
    _grow(world, 120)
    # token+user, memberships, count, the page (with health, plan, driver), the parts with
    # their departments and groups
    assert _queries(client, f"{TASKS}?page_size=50") == small == 5
    assert len(client.get(f"{TASKS}?page_size=50").json()["results"]) == 50


def test_filtersets_keep_each_request_apart():
    """FilterSet copies its filters shallowly and builds its form class once (filter_types):
    FilterSets used at once, in threads, each filter by their own data through their own
    parent, and leave the class's filters untouched."""
    from concurrent.futures import ThreadPoolExecutor

    from django.http import QueryDict

    from tasks_app.filtersets import TaskFilterSet
    from tasks_app.health import with_health
    from tasks_app.models import Task

    def compiled(department: int) -> str:
        data = QueryDict(f"department={department}&role=lead&status=new&health=red")
        filterset = TaskFilterSet(data, queryset=with_health(Task.objects.all()))
        assert filterset.is_valid(), filterset.errors
        assert filterset.filters["department"].parent is filterset
        return str(filterset.qs.query)

    with ThreadPoolExecutor(8) as pool:
        queries = list(pool.map(compiled, range(1000, 1400)))
    for department, sql in zip(range(1000, 1400), queries, strict=True):
        # direct; its groups; of those, where it has no part of its own (its own governs)
        assert sql.count(f"\"department_id\" IN ({department})") == 3
        assert "\"role\" = lead" in sql and "\"status\" = new" in sql
    assert not any(hasattr(f, "parent") for f in TaskFilterSet.base_filters.values())
    assert TaskFilterSet(QueryDict("status=bogus")).is_valid() is False
