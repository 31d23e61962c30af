"""The department's monthly sheet: download pre-filled, fill offline, upload all or nothing."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from departments.choices import Role
from tasks_app.choices import ReportState
from tasks_app.models import ProgressReport
from tasks_app.services.reports import report_save

from ..factories import MembershipFactory
from ..portal.conftest import GOOD, add_task

pytestmark = pytest.mark.django_db


def _url(world, name: str) -> str:
    return reverse(f"portal:{name}", args=[world.period.pk])


def download(client, world, department=None):
    response = client.get(_url(world, "sheet_download"),
                          {"department": (department or world.department).pk})
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def upload(client, world, book, action="save", name="报送表.xlsx"):
    buffer = io.BytesIO()
    book.save(buffer)
    return send(client, world, buffer.getvalue(), action, name)


def send(client, world, content: bytes, action="save", name="报送表.xlsx"):
    return client.post(
        _url(world, "sheet_upload") + f"?department={world.department.pk}",
        {"file": SimpleUploadedFile(name, content), "action": action})


def fill(book, row=4, **values):
    sheet = book["进展报送"]
    columns = {c.value: c.column for c in sheet[3]}
    for header, value in values.items():
        sheet.cell(row=row, column=columns[header], value=value)
    return book


FILLED = {"推进情况": "正常推进", "进度（%）": 45, "本期进展": "完成招商方案。",
          "下步计划": "组织签约。"}


def test_the_sheet_is_prefilled_from_last_month_with_task_cells_locked(as_user, world, travel):
    travel.move_to(datetime.datetime(2026, 2, 20, 1, tzinfo=datetime.UTC))
    report_save(filing=world.filing(period=world.february), user=world.liaison, submit=True,
                data=GOOD | {"progress_text": "二月进展。", "progress": 20})
    travel.move_to(datetime.datetime(2026, 3, 20, 1, tzinfo=datetime.UTC))
    sheet = download(as_user(world.liaison), world)["进展报送"]
    assert sheet["A1"].value == "区责任局 2026年3月进展报送表"
    assert [c.value for c in sheet[3]][:7] == ["任务编号", "任务名称", "本部门角色", "完成时限",
                                               "报送状态", "推进情况", "进度（%）"]
    assert [sheet["A4"].value, sheet["B4"].value] == [world.task.number, "推动产业集聚"]
    assert sheet["H4"].value == "二月进展。" and sheet["G4"].value == 20
    assert sheet["E4"].value == "按上期预填"
    assert sheet.protection.sheet
    assert sheet["A4"].protection.locked and sheet["B4"].protection.locked
    assert not sheet["H4"].protection.locked
    assert sheet.column_dimensions["L"].hidden
    assert sheet.max_row == 4  # the other department's task is not in it


def test_a_filled_sheet_is_saved_as_drafts(as_user, world):
    client = as_user(world.liaison)
    response = upload(client, world, fill(download(client, world), **FILLED))
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert (report.state, report.progress, report.progress_text) == (
        ReportState.DRAFT, 45, "完成招商方案。")
    page = client.get(response["Location"]).content.decode()
    assert "保存草稿 1 项" in page


def test_a_filled_sheet_can_be_submitted_at_once(as_user, world):
    client = as_user(world.liaison)
    second = add_task(world.task.plan, world.task.driver, world.department, title="第二项")
    book = fill(fill(download(client, world), **FILLED), row=5, **FILLED)
    assert book["进展报送"]["A5"].value == second.number
    assert upload(client, world, book, action="submit").status_code == 302
    assert set(ProgressReport.objects.values_list("state", flat=True)) == {ReportState.SUBMITTED}
    assert ProgressReport.objects.count() == 2


def test_untouched_rows_are_left_untouched(as_user, world, travel):
    travel.move_to(datetime.datetime(2026, 2, 20, 1, tzinfo=datetime.UTC))
    report_save(filing=world.filing(period=world.february), user=world.liaison, submit=True,
                data=GOOD | {"progress_text": "二月进展。", "progress": 20})
    travel.move_to(datetime.datetime(2026, 3, 20, 1, tzinfo=datetime.UTC))
    client = as_user(world.liaison)
    second = add_task(world.task.plan, world.task.driver, world.department, title="第二项")
    book = fill(download(client, world), row=5, **FILLED)  # row 4: prefilled, not touched
    assert book["进展报送"]["A5"].value == second.number
    for action in ("save", "submit"):
        assert upload(client, world, book, action=action).status_code == 302
        march = ProgressReport.objects.filter(period=world.period)
        assert list(march.values_list("task", flat=True)) == [second.pk], action
        ProgressReport.objects.filter(period=world.period).delete()


def refused(response, *texts) -> str:
    assert response.status_code == 422
    html = response.content.decode()
    for text in texts:
        assert text in html, text
    assert not ProgressReport.objects.exists()
    return html


def test_text_in_the_progress_column_is_refused_by_row_and_column(as_user, world):
    client = as_user(world.liaison)
    second = add_task(world.task.plan, world.task.driver, world.department, title="第二项")
    book = fill(fill(download(client, world), **FILLED), row=5, **FILLED | {"进度（%）": "四十"})
    assert book["进展报送"]["A5"].value == second.number
    refused(upload(client, world, book), "第 5 行", "G 列", "进度（%）",
            "进度必须是 0 到 100 之间的整数")


def test_every_bad_row_is_listed_and_nothing_is_saved(as_user, world):
    client = as_user(world.liaison)
    add_task(world.task.plan, world.task.driver, world.department, title="第二项")
    book = fill(fill(download(client, world), **FILLED | {"进度（%）": 120}), row=5,
                **FILLED | {"推进情况": "进度滞后", "存在问题": None})
    refused(upload(client, world, book, action="submit"), "第 4 行", "进度必须在 0 到 100 之间",
            "第 5 行", "I 列", "请填写存在问题")


def test_a_row_for_a_task_the_department_does_not_work_on_is_refused(as_user, world):
    client = as_user(world.liaison)
    book = fill(download(client, world), **FILLED)
    fill(book, row=5, **{"任务编号": world.other_task.number, **FILLED})
    refused(upload(client, world, book), "第 5 行", "A 列",
            f"任务编号 {world.other_task.number} 不是本部门")


def test_wrong_columns_are_refused(as_user, world):
    client = as_user(world.liaison)
    book = fill(download(client, world), **FILLED)
    book["进展报送"].delete_cols(3)
    refused(upload(client, world, book), "表头不符", "请勿增删或移动列")


def test_a_file_that_is_not_xlsx_is_refused(as_user, world):
    client = as_user(world.liaison)
    refused(send(client, world, b"%PDF-1.4 not a sheet", name="报送表.xlsx"),
            "不是 Excel（.xlsx）表格")
    refused(send(client, world, b"PK\x03\x04 broken zip"), "无法读取该 Excel 文件")


def test_another_departments_sheet_is_refused(as_user, world):
    both = world.lead_liaison
    MembershipFactory(user=both, department=world.department, role=Role.LIAISON)
    client = as_user(both)
    book = fill(download(client, world, department=world.lead_department), **FILLED)
    refused(upload(client, world, book), "不是本部门 2026年3月 的报送表")


def test_a_sheet_filled_from_a_stale_copy_is_refused(as_user, world):
    client = as_user(world.liaison)
    book = fill(download(client, world), **FILLED)
    # someone saves a draft meanwhile
    upload(client, world, fill(download(client, world), **{"本期进展": "另一位同事填写。"}))
    before = ProgressReport.objects.get()
    response = upload(client, world, book)
    assert response.status_code == 422 and "已被修改" in response.content.decode()
    assert ProgressReport.objects.get().version == before.version


def test_a_submitted_row_is_kept_unless_changed(as_user, world):
    world.report()
    client = as_user(world.liaison)
    book = download(client, world)
    assert book["进展报送"]["H4"].protection.locked
    assert upload(client, world, book).status_code == 302
    fill(book, **{"本期进展": "改过了"})
    response = upload(client, world, book)
    assert response.status_code == 422 and "不能修改" in response.content.decode()
    assert ProgressReport.objects.get().progress_text == GOOD["progress_text"]


def test_the_sheet_belongs_to_the_users_own_departments(as_user, world):
    client = as_user(world.liaison)
    url = _url(world, "sheet_download")
    assert client.get(url, {"department": world.lead_department.pk}).status_code == 404
    assert client.get(_url(world, "sheet_upload")).status_code == 200
    assert as_user(world.manager).get(url).status_code == 404  # no department


def test_the_batch_page_links_to_the_excel_sheet(as_user, world):
    html = as_user(world.liaison).get(reverse("portal:batch_report", args=[world.period.pk]))
    assert _url(world, "sheet_upload") in html.content.decode()
