"""The bundled Harbin department list serves Harbin plans only (or when the office chooses it):
another city's 区发改局 is not Harbin's 区发改局."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from departments.models import Department
from tasks_app.models import Assignment, Plan

GUANDU = Path(__file__).parent / "fixtures" / "plans" / "corpus" / "guandu.txt"


@pytest.fixture
def harbin_departments():
    call_command("load_departments", stdout=StringIO())
    return Department.objects.get(name="区发改局")


@pytest.mark.django_db
def test_a_plan_of_another_city_creates_no_link_to_harbin_departments(harbin_departments):
    out = StringIO()
    call_command("import_plan", str(GUANDU), "--dry-run", stdout=out)
    assert "未使用内置哈尔滨部门名录" in out.getvalue()
    assert "区发改局 → 新建 区发改局（" in out.getvalue()
    call_command("import_plan", str(GUANDU), "--create-units", stdout=StringIO())
    assignments = Assignment.objects.filter(task__plan=Plan.objects.get())
    assert assignments.count() == 19
    assert not assignments.filter(department=harbin_departments).exists()
    assert assignments.filter(department__name__startswith="区发改局（").exists()
    assert assignments.filter(group__name="各街道办事处").exists()


@pytest.mark.django_db
def test_the_office_may_choose_the_harbin_list_for_any_plan(harbin_departments):
    call_command("import_plan", str(GUANDU), "--directory", "harbin", "--create-units",
                 stdout=StringIO())
    task = Plan.objects.get().tasks.get(number=4)
    assert task.assignments.get(department=harbin_departments).role == "lead"
