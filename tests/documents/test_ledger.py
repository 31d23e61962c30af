"""The task ledger (督办台账) .xlsx: content, visibility, filters, queries."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from departments.access import access_for
from tasks_app.documents.ledger import ledger_workbook
from tasks_app.documents.xlsx import clean_text
from tasks_app.models import Task
from tasks_app.selectors.ledger import ledger, ledger_for
from tasks_app.services.reports import Filing, report_save

from ..factories import AssignmentFactory, DepartmentFactory
from ..portal.conftest import GOOD, add_task
from .conftest import ledger_through_job

pytestmark = pytest.mark.django_db


def rows_of(workbook) -> list[dict]:
    sheet = workbook["督办台账"]
    values = list(sheet.iter_rows(values_only=True))
    headers = values[2]
    return [dict(zip(headers, row)) for row in values[3:]]


def test_the_ledger_has_a_title_row_chinese_headers_and_a_frozen_header(as_user, world,
                                                                          open_xlsx):
    response = ledger_through_job(as_user(world.manager), {"plan": world.task.plan_id})
    book = open_xlsx(response)
    sheet = book["督办台账"]
    assert sheet["A1"].value == "测试委发〔2026〕1号 督办台账"
    assert "2026年3月20日" in sheet["A2"].value
    assert [c.value for c in sheet[3]][:5] == ["序号", "战略驱动", "任务编号", "任务名称",
                                              "牵头部门"]
    assert sheet.freeze_panes == "A4"
    assert sheet.column_dimensions["D"].width == 40
    assert "filename*=UTF-8''" in response["Content-Disposition"]


def test_one_row_per_task_and_department_with_its_latest_report(as_user, world, open_xlsx):
    world.report(progress_text="完成方案起草。", problems="用地指标紧张。",
                 status="at_risk", progress=30)
    rows = rows_of(open_xlsx(ledger_through_job(as_user(world.manager))))
    mine = [r for r in rows if r["任务名称"] == "推动产业集聚"]
    assert [r["填报部门"] for r in mine] == ["区牵头局", "区责任局"]
    responsible = mine[1]
    assert responsible["牵头部门"] == "区牵头局"
    assert responsible["责任部门"] == "区责任局、区内各相关国企"
    assert responsible["本期进展"] == "完成方案起草。"
    assert responsible["存在问题"] == "用地指标紧张。"
    assert responsible["推进情况"] == "存在困难" and responsible["部门报送进度（%）"] == 30
    assert responsible["最近报送月份"] == "2026年3月"
    assert responsible["完成时限"] == datetime.datetime(2026, 12, 31)
    assert mine[0]["本期进展"] is None  # the lead has not reported


def test_health_is_a_coloured_cell(as_user, world, open_xlsx):
    Task.objects.filter(pk=world.task.pk).update(due_on=datetime.date(2026, 1, 31))
    sheet = open_xlsx(ledger_through_job(as_user(world.manager)))["督办台账"]
    headers = [c.value for c in sheet[3]]
    column = headers.index("预警")
    cell = sheet.cell(row=4, column=column + 1)
    assert cell.value == "滞后"
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")


def test_a_department_gets_only_its_own_rows(as_user, world, open_xlsx):
    rows = rows_of(open_xlsx(as_user(world.liaison).get(reverse("portal:ledger"))))
    assert {r["填报部门"] for r in rows} == {"区责任局"}
    assert "别人的任务" not in {r["任务名称"] for r in rows}


def test_the_ledger_is_filtered_like_the_task_list(as_user, world, open_xlsx):
    client = as_user(world.manager)
    rows = rows_of(open_xlsx(ledger_through_job(
        client, {"department": world.outsider_department.pk})))
    assert [(r["任务名称"], r["填报部门"]) for r in rows] == [("别人的任务", "区无关局")]
    response = client.get(reverse("portal:ledger"), {"health": "purple"}, follow=True)
    assert response.status_code == 400 and "health" in response.content.decode()


def test_control_characters_and_formulas_in_plan_data_stay_plain_text(world):
    Task.objects.filter(pk=world.task.pk).update(title="=1+1推动\x0b产业\x1f集聚\x07")
    content = ledger_workbook(ledger(Task.objects.filter(pk=world.task.pk)))
    sheet = load_workbook(io.BytesIO(content))["督办台账"]
    assert sheet["D4"].value == "=1+1推动产业集聚"
    assert sheet["D4"].data_type == "s"


def test_text_that_xml_cannot_carry_is_cleaned():
    assert clean_text("a\x00b\ud800c\ufffe") == "ab?c"
    assert len(clean_text("长" * 40000)) == 32767


def test_an_unassigned_task_has_one_row_without_department(world):
    task = add_task(world.task.plan, world.task.driver, title="待分配任务")
    rows = ledger(Task.objects.filter(pk=task.pk)).rows
    assert [(r.task["title"], r.department) for r in rows] == [("待分配任务", "")]


def _grow(world, n: int) -> None:
    for i in range(n):
        department = DepartmentFactory()
        task = add_task(world.task.plan, world.task.driver, department, world.department,
                        title=f"扩展{i}")
        AssignmentFactory(task=task, department=None, group=world.task.assignments.filter(
            group__isnull=False).first().group)
    for task in Task.objects.filter(title__startswith="扩展"):
        report_save(filing=Filing(task, world.department.pk, world.period), data=GOOD,
                    user=world.liaison, submit=True)


def test_the_ledger_runs_a_constant_number_of_queries(world):
    access = access_for(world.manager)

    def measure() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            result = ledger_for(access, {"plan": str(world.task.plan_id)})
            ledger_workbook(result)
        return len(queries), len(result.rows)

    small, small_rows = measure()
    _grow(world, 6)
    large, large_rows = measure()
    assert large_rows > small_rows + 10
    assert small == large <= 4  # tasks with parts, latest reports; who owes what (2: rules)
