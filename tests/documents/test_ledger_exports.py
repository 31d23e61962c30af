"""The ledger from the admin and from ``manage.py export_ledger``."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from tasks_app.models import ExportJob, Task
from tasks_app.services.exports import export_run

from .conftest import ledger_through_job

pytestmark = pytest.mark.django_db


def cells(path_or_bytes, column: int) -> list:
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    sheet = load_workbook(source)["督办台账"]
    return [row[column] for row in sheet.iter_rows(min_row=4, values_only=True)]


def test_export_ledger_writes_the_plans_ledger(world, tmp_path):
    out = tmp_path / "台账.xlsx"
    stdout = io.StringIO()
    call_command("export_ledger", "测试委发〔2026〕1号", "--out", str(out), stdout=stdout)
    assert cells(out, 3) == ["推动产业集聚", "推动产业集聚", "别人的任务"]
    assert "2 项任务，3 行" in stdout.getvalue()


def test_export_ledger_takes_the_task_list_filters(world, tmp_path):
    out = tmp_path / "台账.xlsx"
    call_command("export_ledger", "测试委发〔2026〕1号", "--out", str(out),
                 "--department", "区牵头局", "--role", "lead", "--driver", "1",
                 stdout=io.StringIO())
    assert cells(out, 6) == ["区牵头局"]
    with pytest.raises(CommandError, match="找不到部门"):
        call_command("export_ledger", "测试委发〔2026〕1号", "--out", str(out),
                     "--department", "区不存在局")
    with pytest.raises(CommandError, match="找不到计划"):
        call_command("export_ledger", "无此文号", "--out", str(out))


def test_the_admin_exports_the_selected_tasks(client, world):
    world.lead_office.is_staff = True
    world.lead_office.is_superuser = True
    world.lead_office.save()
    client.force_login(world.lead_office)
    response = client.post(reverse("admin:tasks_app_task_changelist"), {
        "action": "export_ledger", "_selected_action": [world.other_task.pk]})
    job = ExportJob.objects.latest("pk")  # built by a worker, watched on the job's page
    assert response.url == reverse("portal:export", args=[job.pk])
    assert (job.owner, job.params) == (world.lead_office, {"ids": [world.other_task.pk]})
    export_run(job.pk)
    download = client.get(reverse("portal:export_download", args=[job.pk]))
    assert cells(b"".join(download), 3) == ["别人的任务"]


def test_the_plan_page_has_a_ledger_button(client, world):
    world.lead_office.is_staff = world.lead_office.is_superuser = True
    world.lead_office.save()
    client.force_login(world.lead_office)
    plan = world.task.plan
    page = client.get(reverse("admin:tasks_app_plan_change", args=[plan.pk])).content.decode()
    url = reverse("admin:tasks_app_plan_ledger", args=[plan.pk])
    assert url in page
    response = client.get(url)
    assert response.url == reverse("portal:export_ledger") + f"?plan={plan.pk}"
    content = b"".join(ledger_through_job(client, {"plan": plan.pk}))
    assert len(cells(content, 3)) == Task.objects.count() + 1
