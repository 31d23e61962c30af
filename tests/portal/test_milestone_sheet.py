"""节点 by Excel: the lead department downloads a task's 节点, changes and adds rows,
uploads, previews (row-level Chinese errors, nothing saved) and confirms (all or nothing,
history written); 节点 left out of the sheet or unchanged are untouched."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tasks_app.choices import EventKind
from tasks_app.models import Milestone, TaskEvent
from tasks_app.services.milestones import MilestoneData, milestone_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(world):
    world.task.due_on = datetime.date(2026, 12, 31)
    world.task.save()
    made = [milestone_create(task=world.task, data=MilestoneData(title, due, frozenset(ids)),
                             actor=world.lead_office)
            for title, due, ids in (("完成选址", datetime.date(2026, 5, 15),
                                     {world.department.pk}),
                                    ("开工建设", datetime.date(2026, 8, 31), set()))]
    return made


def _urls(world):
    return (reverse("portal:milestones_sheet", args=[world.task.pk]),
            reverse("portal:milestones_upload", args=[world.task.pk]))


def _workbook(client, world):
    response = client.get(_urls(world)[0])
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def _row(sheet, title: str) -> int:
    return next(n for n in range(4, sheet.max_row + 1) if sheet[f"B{n}"].value == title)


def _blank(sheet) -> int:
    return next(n for n in range(4, sheet.max_row + 1) if not sheet[f"B{n}"].value)


def _upload(client, world, workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return client.post(_urls(world)[1], {"file": SimpleUploadedFile("节点.xlsx",
                                                                     buffer.getvalue())})


def test_change_one_add_one_leave_one_untouched(world, planned, as_user):
    client = as_user(world.lead_liaison)
    workbook = _workbook(client, world)
    sheet = workbook["任务节点"]
    site = _row(sheet, "完成选址")
    assert sheet[f"D{site}"].value == world.department.name
    sheet[f"C{_row(sheet, '开工建设')}"] = "2026年9月30日"  # 开工建设 moves
    new = _blank(sheet)
    sheet[f"B{new}"], sheet[f"C{new}"] = "竣工验收", datetime.date(2026, 12, 20)
    sheet[f"D{new}"] = f"{world.lead_department.name}、{world.department.name}"
    preview = _upload(client, world, workbook)
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "预览：新增 1 个节点，修改 1 个节点" in html and "另有 2 行与现有节点相同" in html
    assert Milestone.objects.filter(task=world.task).count() == 3  # nothing saved yet
    response = client.post(_urls(world)[1], {"confirm": preview.context["payload"]})
    assert response.status_code == 302
    rows = {m.title: m for m in world.task.milestones.prefetch_related("departments")}
    assert rows["开工建设"].due_on == datetime.date(2026, 9, 30)
    assert {d.pk for d in rows["竣工验收"].departments.all()} == {
        world.lead_department.pk, world.department.pk}
    assert (rows["完成选址"].version, rows["完成选址"].due_on) == (1, datetime.date(2026, 5, 15))
    events = TaskEvent.objects.filter(task=world.task, kind=EventKind.MILESTONE,
                                      actor=world.lead_liaison)
    assert events.count() == 2  # one change, one addition, in the task's history


def test_row_errors_in_chinese_and_nothing_saved(world, planned, as_user):
    client = as_user(world.lead_liaison)
    workbook = _workbook(client, world)
    sheet = workbook["任务节点"]
    site, new = _row(sheet, "完成选址"), _blank(sheet)
    sheet[f"C{site}"] = "2027-03-01"  # after the task's 完成时限
    sheet[f"B{new}"], sheet[f"C{new}"], sheet[f"D{new}"] = "新节点", "下个月", "区无关局"
    response = _upload(client, world, workbook)
    assert response.status_code == 422
    html = response.content.decode()
    assert f"第 {new} 行" in html and "区无关局 不是该任务的牵头或责任部门" in html
    assert "日期格式不正确" in html and "C 列（节点时限）" in html
    assert world.task.milestones.get(title="完成选址").due_on == datetime.date(2026, 5, 15)
    assert world.task.milestones.count() == 3
    sheet[f"B{new}"] = sheet[f"C{new}"] = sheet[f"D{new}"] = None  # only the late date left
    response = _upload(client, world, workbook)
    assert response.status_code == 422
    html = response.content.decode()
    assert f"第 {site} 行" in html and "节点时限不能晚于任务完成时限" in html


def test_only_the_planners_may_download_or_upload(world, planned, as_user):
    for user in (world.liaison, world.outsider, world.manager):
        client = as_user(user)
        sheet_url, upload_url = _urls(world)
        assert client.get(sheet_url).status_code == 404
        assert client.get(upload_url).status_code == 404
    assert as_user(world.lead_office).get(_urls(world)[0]).status_code == 200


def test_another_tasks_sheet_is_refused(world, planned, as_user):
    client = as_user(world.lead_office)
    workbook = _workbook(client, world)
    buffer = io.BytesIO()
    workbook.save(buffer)
    other = reverse("portal:milestones_upload", args=[world.other_task.pk])
    response = client.post(other, {"file": SimpleUploadedFile("x.xlsx", buffer.getvalue())})
    assert response.status_code == 422
    assert "不是本任务的节点表" in response.content.decode()
