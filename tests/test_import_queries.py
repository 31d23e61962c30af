"""The plan import runs as many queries for a 60-task file as for a 5-task file.

docs/performance.md: bulk paths use bulk operations. The loader reads what exists in a few
queries and writes each table with one bulk insert or update (history rows included); the
admin preview writes nothing and stays within the page budget of 10 queries.

On SQLite Django splits a bulk write into batches of 999 parameters (PostgreSQL, the
deployment's database, is never split); the ``one_batch`` fixture gives Django the limit of
the SQLite library in use, so a bulk write counts as the one statement it is on PostgreSQL.
"""

import sqlite3

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from departments.models import Department, DepartmentGroup
from seeds.demo import demo_accounts_ensure
from tasks_app.importing import parse_document
from tasks_app.importing.loader import plan_load
from tasks_app.models import Assignment, Milestone, Plan, Target, TargetAssignment, Task, TaskEvent
from tasks_app.workdays import is_working_day

from .test_query_budget import BUDGET

SMALL, LARGE = 5, 60
CN = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"


def _unit(n: int) -> str:
    return f"区{CN[n // len(CN) % len(CN)]}{CN[n % len(CN)]}局"


def _task_list(tasks: int, *, edited: bool = False) -> str:
    """A 任务清单: every task with its own lead and partner unit, a group and two 节点."""
    lines = ["测试区2026年重点工作任务", f"测政发〔2026〕{tasks}号", "", "一、重点任务"]
    group = "各街道" if tasks == SMALL else "各社区"  # new in each document
    for n in range(1, tasks + 1):
        extra = f"、{_unit(200 + n)}" if edited else ""
        lines += [f"{n}．推进第{n}项工作{'（修订）' if edited else ''}。",
                  f"（1）2026年6月底前完成方案{n}；",
                  f"（2）2026年{'11' if edited else '12'}月底前完成验收{n}。",
                  f"（{_unit(2 * n)}牵头，{_unit(2 * n + 1)}{extra}、{group}配合）"]
    return "\n".join(lines) + "\n"


def _implementation_plan(tasks: int) -> str:
    """A 实施方案: a target (with a part, 其中) per task, each with its units."""
    lines = ["测试区管委会关于印发测试区重点工作实施方案(2025-2026)的通知",
             f"测管发〔2026〕{tasks}号", "", "一、总体要求", "坚持问题导向。", "二、主要目标"]
    for n in range(1, tasks + 1):
        name = f"{CN[n // len(CN)]}{CN[n % len(CN)]}"
        lines.append(f"(一)指标。到2026年，项目{name}数量达到{n + 5}个，"
                     f"其中新建项目{name}达到{n}个。"
                     f"〔牵头部门:{_unit(2 * n)},责任部门:{_unit(2 * n + 1)}〕")
    lines += ["三、重点任务", "(一)第一战略驱动"]
    lines += [f"{n}.推进第{n}项工作。落实。〔牵头部门:{_unit(2 * n)},责任部门:{_unit(2 * n + 1)}、"
              f"各街道办事处〕" for n in range(1, tasks + 1)]
    lines += ["四、保障措施", "加强领导。"]
    return "\n".join(lines) + "\n"


def _parsed(tasks: int, *, edited: bool = False):
    parsed = parse_document(_task_list(tasks, edited=edited))
    parsed.targets = parse_document(_implementation_plan(tasks)).targets
    assert (len(parsed.tasks), len(parsed.targets)) == (tasks, 2 * tasks)
    assert sum(len(task.milestones) for task in parsed.tasks) == 2 * tasks
    return parsed


@pytest.fixture
def one_batch(monkeypatch):
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        monkeypatch.setattr(connection.features, "max_query_params", limit)


def _queries(action) -> int:
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)


@pytest.mark.django_db
def test_loading_runs_the_same_queries_for_5_and_60_tasks(one_batch):
    is_working_day(timezone.localdate())  # the work calendar is read once, then cached
    counts = {}
    for tasks in (SMALL, LARGE):
        counts[tasks] = [
            _queries(lambda tasks=tasks: plan_load(_parsed(tasks), dry_run=True)),
            _queries(lambda tasks=tasks: plan_load(_parsed(tasks))),
            _queries(lambda tasks=tasks: plan_load(_parsed(tasks))),  # nothing changed
            _queries(lambda tasks=tasks: plan_load(_parsed(tasks, edited=True))),
        ]
    assert counts[SMALL] == counts[LARGE]
    plan = Plan.objects.get(code=f"测政发〔2026〕{LARGE}号")
    assert Task.objects.filter(plan=plan, title__endswith="（修订）").count() == LARGE
    assert Assignment.objects.filter(task__plan=plan).count() == 4 * LARGE
    assert Milestone.objects.filter(task__plan=plan).count() == 3 * LARGE  # 11月 added
    assert (Target.objects.filter(plan=plan, parent__isnull=False).count(),
            TargetAssignment.objects.filter(target__plan=plan).count()) == (LARGE, 4 * LARGE)
    assert TaskEvent.objects.filter(task__plan=plan, field="title").count() == LARGE


@pytest.mark.django_db
def test_a_dry_run_writes_nothing_and_reports_what_a_load_does(one_batch):
    departments, groups = Department.objects.count(), DepartmentGroup.objects.count()
    preview = plan_load(_parsed(SMALL), dry_run=True)
    assert (Plan.objects.count(), Department.objects.count(),
            DepartmentGroup.objects.count()) == (0, departments, groups)
    loaded = plan_load(_parsed(SMALL))
    assert (preview.changes, preview.counts) == (loaded.changes, loaded.counts)
    assert plan_load(_parsed(SMALL, edited=True), dry_run=True).counts == {
        "plans": 1, "tasks": 3 * SMALL, "assignments": SMALL, "milestones": SMALL,
        "departments": SMALL}  # source text; title, text and due date; a unit, a 节点
    assert TaskEvent.objects.filter(field="title").count() == 0


@pytest.fixture
def lead_client(client, primary_plan):
    demo_accounts_ensure("pw-demo-1")
    assert client.login(username="leadoffice", password="pw-demo-1")
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("document", [_task_list, _implementation_plan])
def test_the_admin_preview_stays_within_the_page_budget(lead_client, one_batch, document):
    def count(tasks: int) -> tuple[int, int]:
        upload = lead_client.post(reverse("admin:tasks_app_plan_import"), {
            "document": SimpleUploadedFile("方案.txt", document(tasks).encode()),
            "format": "auto"})
        lead_client.get(upload.url)  # a first visit may fill caches (the work calendar)
        with CaptureQueriesContext(connection) as new_plan:
            page = lead_client.get(upload.url).content.decode()
        assert f"第{tasks}项工作" in page and "已有此计划" not in page
        plan_load(parse_document(document(tasks)))
        with CaptureQueriesContext(connection) as reimport:
            page = lead_client.get(upload.url).content.decode()
        assert "已有此计划" in page
        return len(new_plan), len(reimport)

    small, large = count(SMALL), count(LARGE)
    assert small == large
    # A re-import also reads the plan's drivers, tasks, parts, 节点, targets and their units.
    assert large[0] <= BUDGET and large[1] <= BUDGET + 6, large
