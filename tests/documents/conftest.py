"""The portal's named actors (see tests/portal/conftest.py), reused for the documents."""

import datetime
import io
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from departments.choices import Role
from tasks_app.choices import ReportStatus
from tasks_app.importing import parse_document, read_document
from tasks_app.importing.loader import plan_load
from tasks_app.models import ExportJob, Plan, TargetReading, Task
from tasks_app.services.assessments import assessment_compute, assessment_publish
from tasks_app.services.bulletins import bulletin_generate, bulletin_publish
from tasks_app.services.exports import export_run
from tasks_app.services.periods import period_ensure

from ..conftest import PRIMARY_SEED
from ..factories import MembershipFactory
from ..portal.conftest import as_user, travel, world  # noqa: F401
from ..records_factories import ReportFactory


def workbook_of(response):
    """The response's .xlsx opened with openpyxl."""
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return load_workbook(io.BytesIO(b"".join(response) if hasattr(response, "streaming_content")
                                    else response.content))


def ledger_through_job(client, params: dict | None = None):
    """A manager's or the lead office's ledger: /ledger.xlsx leads to the export page, the
    form queues a job, the job runs (as the Celery task would), the file is downloaded."""
    page = client.get(reverse("portal:ledger"), params or {}, follow=True)
    assert page.status_code == 200, page.content[:300]
    started = client.post(reverse("portal:export_ledger"), params or {})
    job = ExportJob.objects.latest("pk")
    assert started.url == reverse("portal:export", args=[job.pk])
    export_run(job.pk)
    return client.get(reverse("portal:export_download", args=[job.pk]))


@pytest.fixture
def open_xlsx():
    return workbook_of


@pytest.fixture
def records(db):
    """哈经开委发〔2023〕1号 tracked from January 2026: the lead departments of the first
    tasks report (some late, some lagging with problems, some not at all), two targets have
    readings; the first quarter's bulletin is published in April, the 2026 assessment is
    published in January 2027."""
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    with time_machine.travel(datetime.datetime(2025, 12, 1, 9, tzinfo=shanghai)):
        primary_plan = plan_load(parse_document(read_document(PRIMARY_SEED))).plan
    Plan.objects.filter(pk=primary_plan.pk).update(tracking_start=datetime.date(2026, 1, 1))
    primary_plan.refresh_from_db()
    periods = [period_ensure(primary_plan, datetime.date(2026, m, 1)) for m in (1, 2, 3)]
    tasks = list(primary_plan.tasks.order_by("number").prefetch_related("assignments"))
    for task in tasks:
        departments = [a.department for a in task.assignments.all() if a.department]
        for number, department in enumerate(departments):
            for index, period in enumerate(periods):
                if (task.number + number + index) % 6 == 0:
                    continue  # not reported: the department is chased, then named
                lagging = task.number % 4 == 0
                ReportFactory(
                    task=task, department=department, period=period,
                    is_late=(task.number + number) % 5 == 0,
                    progress=10 + 10 * index + task.number % 7,
                    status=ReportStatus.DELAYED if lagging else ReportStatus.ON_TRACK,
                    problems="项目用地指标尚未落实,需协调自然资源部门。" if lagging else "",
                    progress_text=f"{period}:完成阶段性工作。", next_steps="加快推进。")
    lagging = [t.number for t in tasks if t.number % 4 == 0]
    Task.objects.filter(plan=primary_plan, number__in=lagging).update(
        last_report_status=ReportStatus.DELAYED, last_report_has_problems=True)
    for target, value in zip(primary_plan.targets.exclude(value=None).order_by("id")[:2],
                             (Decimal("420.5"), Decimal("8.2"))):
        TargetReading.objects.create(target=target, month=datetime.date(2026, 3, 1),
                                     value=value)
    office = MembershipFactory(role=Role.LEAD_OFFICE, department=None).user
    with time_machine.travel(datetime.datetime(2026, 4, 10, 9, tzinfo=shanghai)):
        bulletin = bulletin_publish(bulletin_generate(plan=primary_plan, year=2026, quarter=1))
    with time_machine.travel(datetime.datetime(2027, 1, 20, 9, tzinfo=shanghai)):
        assessment = assessment_publish(assessment=assessment_compute(primary_plan, 2026),
                                        user=office)
    return type("Records", (), {"plan": primary_plan, "bulletin": bulletin,
                                "assessment": assessment, "office": office})
