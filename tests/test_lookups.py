"""common.lookups.InReadFirst: the rows of ``IN (subquery)``, written for PostgreSQL to read the
subquery first."""

import pytest
from django.db import connection
from django.db.models import F, Q

from common.lookups import InReadFirst
from tasks_app.models import Task

from .factories import AssignmentFactory, DepartmentFactory, TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks():
    department = DepartmentFactory()
    mine = [AssignmentFactory(department=department).task for _ in range(3)]
    others = [TaskFactory(plan=mine[0].plan) for _ in range(2)]
    return department, mine, others


def _ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def test_the_same_rows_as_in(tasks):
    department, mine, _others = tasks
    ids = Task.objects.filter(assignments__department=department).values("pk")
    read_first = Task.objects.filter(InReadFirst(F("pk"), ids))
    assert _ids(read_first) == _ids(Task.objects.filter(pk__in=ids)) == {t.pk for t in mine}
    # Combined with other conditions and negated, as any lookup.
    assert _ids(Task.objects.filter(InReadFirst(F("pk"), ids), number=mine[0].number)) == {
        t.pk for t in mine if t.number == mine[0].number}
    assert _ids(Task.objects.exclude(InReadFirst(F("pk"), ids))) == _ids(
        Task.objects.exclude(pk__in=ids))


def test_an_empty_subquery_keeps_no_row(tasks):
    assert not Task.objects.filter(InReadFirst(F("pk"), Task.objects.none().values("pk")))
    assert not Task.objects.filter(InReadFirst(F("pk"), Task.objects.filter(
        Q(pk__lt=0)).values("pk"))).exists()


def test_postgresql_reads_the_subquery_as_an_array(tasks):
    department, mine, _others = tasks
    ids = Task.objects.filter(assignments__department=department).values("pk")
    sql = str(Task.objects.filter(InReadFirst(F("pk"), ids)).query)
    listed = str(Task.objects.filter(InReadFirst(F("pk"), [t.pk for t in mine])).query)
    if connection.vendor == "postgresql":
        assert '"tasks_app_task"."id" = ANY(ARRAY(SELECT' in sql
    else:
        assert '"tasks_app_task"."id" IN (SELECT' in sql
    assert "ANY" not in listed  # a list of values is written as IN, as it is
    assert _ids(Task.objects.filter(InReadFirst(F("pk"), [t.pk for t in mine]))) == {
        t.pk for t in mine}
