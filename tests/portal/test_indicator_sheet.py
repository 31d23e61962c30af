"""月监测 by Excel: download the month's sheet of one's own targets, fill the figures,
upload, preview (every row checked, nothing saved, row-level Chinese errors), confirm
(all or nothing). Rows without a figure or repeating the stored one are untouched."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tasks_app.choices import AssignmentRole
from tasks_app.models import Target, TargetAssignment, TargetReading

pytestmark = pytest.mark.django_db
SHEET = reverse("portal:indicators_sheet")
UPLOAD = reverse("portal:indicators_upload")
MONTH = {"month": "2026-02"}
VALUE, NOTE = "I", "K"  # columns of 实际值 and 说明


@pytest.fixture
def targets(world):
    plan = world.task.plan
    plan.period_start = 2023
    plan.save()

    def target(name, department, **fields):
        made = Target.objects.create(plan=plan, name=name, unit="亿元", year=2026, **fields)
        TargetAssignment.objects.create(target=made, department=department,
                                        role=AssignmentRole.LEAD)
        return made

    return {
        "gdp": target("地区生产总值", world.department, value=Decimal("1500"),
                      baseline=Decimal("900")),
        "revenue": target("营业收入", world.department, value=Decimal("120")),
        "fdi": target("实际利用外资", world.outsider_department, value=Decimal("12")),
    }


def _sheet(client):
    response = client.get(SHEET, MONTH)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def _rows(workbook) -> dict[str, int]:
    sheet = workbook["指标月监测"]
    return {sheet[f"C{n}"].value: n for n in range(4, sheet.max_row + 1) if sheet[f"C{n}"].value}


def _upload(client, workbook, **data):
    buffer = io.BytesIO()
    workbook.save(buffer)
    file = SimpleUploadedFile("指标.xlsx", buffer.getvalue())
    return client.post(f"{UPLOAD}?month=2026-02", {"file": file, **data})


def _confirm(client, preview):
    return client.post(f"{UPLOAD}?month=2026-02", {"confirm": preview.context["payload"]})


def test_a_department_gets_only_its_own_targets(world, targets, as_user):
    rows = _rows(_sheet(as_user(world.liaison)))
    assert set(rows) == {"地区生产总值", "营业收入"}
    assert "实际利用外资" in _rows(_sheet(as_user(world.lead_office)))


def test_preview_then_confirm_saves_the_filled_rows_only(world, targets, as_user):
    client = as_user(world.liaison)
    TargetReading.objects.create(target=targets["revenue"], month="2026-02-01",
                                 value=Decimal("30"), department=world.department)
    workbook = _sheet(client)
    sheet, rows = workbook["指标月监测"], _rows(workbook)
    sheet[f"{VALUE}{rows['地区生产总值']}"] = 260
    preview = _upload(client, workbook)
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "预览：将更新 1 项指标" in html and "另有 1 行与已填数据相同" in html
    assert not TargetReading.objects.filter(target=targets["gdp"]).exists()  # not yet
    response = _confirm(client, preview)
    assert response.status_code == 302
    reading = TargetReading.objects.get(target=targets["gdp"])
    assert reading.value == 260 and reading.state == TargetReading.State.SUBMITTED
    untouched = TargetReading.objects.get(target=targets["revenue"])
    assert (untouched.value, untouched.version) == (30, 1)


def test_row_level_errors_and_nothing_saved(world, targets, as_user):
    client = as_user(world.liaison)
    workbook = _sheet(client)
    sheet, rows = workbook["指标月监测"], _rows(workbook)
    sheet[f"{VALUE}{rows['地区生产总值']}"] = 200  # behind its path (250), no note
    sheet[f"{VALUE}{rows['营业收入']}"] = "三十"
    response = _upload(client, workbook)
    assert response.status_code == 422
    html = response.content.decode()
    assert f"第 {rows['地区生产总值']} 行" in html and "请在说明中写明原因和措施" in html
    assert f"第 {rows['营业收入']} 行" in html and "实际值必须是数字" in html
    assert "I 列（实际值）" in html
    assert not TargetReading.objects.exists()


def test_a_department_cannot_file_another_departments_target(world, targets, as_user):
    workbook = _sheet(as_user(world.lead_office))
    sheet, rows = workbook["指标月监测"], _rows(workbook)
    sheet[f"{VALUE}{rows['实际利用外资']}"] = 3
    response = _upload(as_user(world.liaison), workbook)
    assert response.status_code == 422
    assert "该指标不由本部门填报" in response.content.decode()
    assert not TargetReading.objects.exists()


def test_confirm_is_all_or_nothing_when_data_changed_since_the_preview(world, targets,
                                                                       as_user):
    client = as_user(world.liaison)
    workbook = _sheet(client)
    sheet, rows = workbook["指标月监测"], _rows(workbook)
    sheet[f"{VALUE}{rows['地区生产总值']}"] = 260
    sheet[f"{VALUE}{rows['营业收入']}"] = 40
    preview = _upload(client, workbook)
    TargetReading.objects.create(target=targets["revenue"], month="2026-02-01",
                                 value=Decimal("35"))  # someone else, meanwhile
    response = _confirm(client, preview)
    assert response.status_code == 422
    assert "已被修改" in response.content.decode()
    assert not TargetReading.objects.filter(target=targets["gdp"]).exists()


def test_another_months_sheet_or_a_forged_confirm_is_refused(world, targets, as_user):
    client = as_user(world.liaison)
    workbook = _sheet(client)
    response = client.post(f"{UPLOAD}?month=2026-01", {"file": SimpleUploadedFile(
        "x.xlsx", _bytes(workbook))})
    assert response.status_code == 422 and "不是2026年1月的填报表" in response.content.decode()
    response = client.post(f"{UPLOAD}?month=2026-02", {"confirm": "forged"})
    assert response.status_code == 302 and not TargetReading.objects.exists()


def _bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
