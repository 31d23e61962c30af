"""History stores codes, not words; closing times are columns (migration 0005 converts)."""

import datetime
import importlib

import pytest
import time_machine
from django.apps import apps as django_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone, translation

from departments.choices import Role
from tasks_app.choices import EventKind, PartState, ReportState, TaskStatus
from tasks_app.event_values import coded_fields
from tasks_app.models import Assignment, Task, TaskEvent
from tasks_app.services.assessments import assessment_compute
from tasks_app.services.lifecycle.suspension import task_suspend
from tasks_app.services.reports import report_lead_review

from .factories import MembershipFactory
from .records_factories import ReportFactory
from .test_assessments import ASSESSMENT_DAY, at, published, world  # noqa: F401  (fixtures)

BEFORE, AFTER = ("tasks_app", "0004_calendar_days"), ("tasks_app", "0005_calendar_history_codes")
migration = importlib.import_module("tasks_app.migrations.0005_calendar_history_codes")


def _as_labels(language: str) -> None:
    """Rewrite the history as the code before migration 0005 wrote it: labels in
    ``language``, and no closing columns."""
    with translation.override(language):
        for field, choices in coded_fields().items():
            for choice in choices:
                for column in ("before", "after"):
                    TaskEvent.objects.filter(field=field, **{column: choice.value}).update(
                        **{column: str(choice.label)})
    Task.objects.update(closed_at=None)
    Assignment.objects.update(closed_at=None)


def _closing_days() -> dict:
    def day(value):
        return timezone.localtime(value).date() if value else None
    return ({t.pk: day(t.closed_at) for t in Task.objects.all()},
            {a.pk: day(a.closed_at) for a in Assignment.objects.all()})


def _numbers(assessment) -> dict:
    return {score.department_id: (score.computed_total, [
        (c["key"], c.get("inputs"), c.get("points")) for c in score.components])
        for score in assessment.scores.all()}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_recomputing_a_published_year_after_the_migration_gives_the_same_numbers(
        world, language):  # noqa: F811
    with time_machine.travel(at(2026, 11, 3, 10)):
        task_suspend(task=world.t3, actor=world.lead_office, reason="机构调整")
        report = ReportFactory(task=world.t3, department=world.b, period=world.periods[10])
        report_lead_review(report=report, user=world.lead_office, accept=False, comment="请补充。")
    assert TaskEvent.objects.filter(field="status", after=TaskStatus.COMPLETED).count() == 2
    assert TaskEvent.objects.get(field="state", department=world.b).after == PartState.SUSPENDED
    assert TaskEvent.objects.get(field="report_state").after == ReportState.RETURNED
    with time_machine.travel(ASSESSMENT_DAY):
        published = _numbers(assessment_compute(world.plan, 2026))
    history = list(TaskEvent.objects.order_by("pk").values_list("before", "after"))
    closing = _closing_days()
    assert closing[0][world.t2.pk] == datetime.date(2026, 10, 15)

    _as_labels(language)
    assert TaskEvent.objects.filter(after__in=["已办结", "Completed"]).count() == 2
    migration.forwards(django_apps, None)

    assert list(TaskEvent.objects.order_by("pk").values_list("before", "after")) == history
    assert _closing_days() == closing
    with time_machine.travel(ASSESSMENT_DAY):
        assert _numbers(assessment_compute(world.plan, 2026)) == published


@pytest.mark.django_db
def test_the_history_is_shown_with_labels_in_the_readers_language(world, client):  # noqa: F811
    event = TaskEvent.objects.filter(task=world.t1, kind=EventKind.STATUS).latest("at")
    assert (event.before, event.after) == (TaskStatus.IN_PROGRESS, TaskStatus.COMPLETED)
    assert (event.before_shown, event.after_shown) == ("办理中", "已办结")
    with translation.override("en"):
        assert event.after_shown == "Completed"
    legacy = TaskEvent.objects.create(task=world.t1, kind=EventKind.FIELD, field="status",
                                      before="旧文字", after="已办结")
    assert legacy.after_shown == "已办结" and legacy.before_shown == "旧文字"
    client.force_login(MembershipFactory(role=Role.LEAD_OFFICE, department=None).user)
    html = client.get(reverse("portal:task", args=[world.t1.pk])).content.decode()
    assert "办理中 → 已办结" in html
    api = client.get(reverse("api:task-history", args=[world.t1.pk])).json()
    rows = api["results"] if isinstance(api, dict) else api
    status = next(row for row in rows if row["kind"] == EventKind.STATUS)
    assert (status["after"], status["after_label"]) == ("completed", "已办结")


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_labels_of_both_languages_into_codes_and_fills_the_columns():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    try:
        old = executor.loader.project_state([BEFORE]).apps
        plan = old.get_model("tasks_app", "Plan").objects.create(
            code="测试发〔2026〕1号", title="测试方案", tracking_start=datetime.date(2026, 1, 1))
        department = old.get_model("departments", "Department").objects.create(
            name="区测试局", code="t1", kind="district_bureau")
        tasks = old.get_model("tasks_app", "Task").objects
        done = tasks.create(plan=plan, number=1, title="甲", status="completed")
        open_ = tasks.create(plan=plan, number=2, title="乙", status="in_progress")
        part = old.get_model("tasks_app", "Assignment").objects.create(
            task=done, department=department, role="lead", state="suspended")
        events = old.get_model("tasks_app", "TaskEvent").objects
        when = datetime.datetime(2026, 5, 6, 2, tzinfo=datetime.UTC)
        events.create(task=done, kind="status", field="status", before="办理中", after="已办结",
                      at=when - datetime.timedelta(days=9))
        events.create(task=done, kind="status", field="status", before="Completed",
                      after="In progress", at=when - datetime.timedelta(days=5))
        events.create(task=done, kind="status", field="status", before="办理中",
                      after="Completed", at=when)
        events.create(task=done, kind="part", field="state", department=department,
                      before="In progress", after="已中止", at=when)
        events.create(task=open_, kind="review", field="report_state", before="已报送",
                      after="Returned", at=when)
        events.create(task=open_, kind="health_override", field="health_override",
                      before="自动", after="滞后", at=when)
        events.create(task=open_, kind="field", field="title", before="已办结", after="新标题",
                      at=when)

        executor = MigrationExecutor(connection)
        executor.migrate([AFTER])
        pairs = list(TaskEvent.objects.order_by("pk").values_list("field", "before", "after"))
        assert pairs == [
            ("status", "in_progress", "completed"), ("status", "completed", "in_progress"),
            ("status", "in_progress", "completed"), ("state", "in_progress", "suspended"),
            ("report_state", "submitted", "returned"), ("health_override", "", "red"),
            ("title", "已办结", "新标题"),  # free text stays as written
        ]
        assert Task.objects.get(pk=done.pk).closed_at == when
        assert Task.objects.get(pk=open_.pk).closed_at is None
        parts = executor.loader.project_state([AFTER]).apps.get_model("tasks_app", "Assignment")
        assert parts.objects.get(pk=part.pk).closed_at == when
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_the_lifecycle_keeps_the_closing_time_and_clears_it_on_reopening(world):  # noqa: F811
    from tasks_app.services.lifecycle.suspension import task_resume

    with time_machine.travel(at(2026, 11, 3, 10)):
        task_suspend(task=world.t3, actor=world.lead_office, reason="机构调整")
    part = Assignment.objects.get(task=world.t3, department=world.b)
    world.t3.refresh_from_db()
    assert timezone.localtime(part.closed_at).date() == datetime.date(2026, 11, 3)
    assert timezone.localtime(world.t3.closed_at).date() == datetime.date(2026, 11, 3)
    with time_machine.travel(at(2026, 11, 20, 10)):
        task_resume(task=world.t3, actor=world.lead_office, reason="恢复")
    part.refresh_from_db()
    world.t3.refresh_from_db()
    assert part.closed_at is None and world.t3.closed_at is None
