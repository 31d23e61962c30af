"""The quarterly bulletin lists and counts the quarter's 督办单, and counts a task as
completed only once the lead office verified its completion."""

import datetime

import pytest

from tasks_app.models import CompletionRequest
from tasks_app.selectors.bulletins import bulletin_compute
from tasks_app.services.lifecycle.completions import (
    completion_request_decide,
    completion_request_file,
)
from tasks_app.services.lifecycle.slips import slip_issue, slip_void

pytestmark = pytest.mark.django_db


def test_the_bulletin_lists_and_counts_the_quarters_slips(world, travel):
    for department in (world.department, world.department, world.lead_department):
        slip_issue(sign=True, task=world.task, department=department, reason="进展缓慢",
                   respond_by=datetime.date(2026, 3, 27), actor=world.lead_office)
    travel.move_to(datetime.datetime(2026, 4, 2, 2, tzinfo=datetime.UTC))
    slip_issue(sign=True, task=world.task, department=world.department, reason="进展缓慢",
               respond_by=datetime.date(2026, 4, 8), actor=world.lead_office)
    travel.move_to(datetime.datetime(2026, 3, 30, 2, tzinfo=datetime.UTC))
    # Neither a draft nor a voided slip counts.
    slip_issue(task=world.task, department=world.department, reason="进展缓慢",
               respond_by=datetime.date(2026, 4, 8), actor=world.lead_office)
    slip_void(slip=slip_issue(sign=True, task=world.task, department=world.department,
                              reason="进展缓慢", respond_by=datetime.date(2026, 4, 8),
                              actor=world.lead_office),
              actor=world.lead_office, reason="误发")
    content = bulletin_compute(world.task.plan, 2026, 1)
    slips = content["slips"]
    assert slips["total"] == 3
    assert slips["departments"] == [{"name": "区责任局", "slips": 2, "answered": 0},
                                    {"name": "区牵头局", "slips": 1, "answered": 0}]
    first = slips["rows"][0]
    assert (first["number"], first["department"], first["item"], first["overdue"]) == (
        "测督〔2026〕1号", "区责任局", "7. 推动产业集聚", True)


def test_only_a_verified_completion_counts_as_completed(world):
    request = completion_request_file(task=world.task, department=world.lead_department,
                                      results="已完成", actor=world.lead_liaison)
    content = bulletin_compute(world.task.plan, 2026, 1)
    assert content["totals"]["status"]["completed"] == 0
    assert content["totals"]["status"]["completion_requested"] == 1
    completion_request_decide(request=request, actor=world.lead_office,
                              decision=CompletionRequest.Decision.APPROVED)
    content = bulletin_compute(world.task.plan, 2026, 1)
    assert content["totals"]["status"]["completed"] == 1


def test_the_bulletin_pdf_lists_the_slips(world):
    import io

    from pypdf import PdfReader

    from tasks_app.documents.bulletin import bulletin_pdf
    from tasks_app.models import Bulletin

    slip_issue(sign=True, task=world.task, department=world.department, reason="进展缓慢",
               respond_by=datetime.date(2026, 3, 27), actor=world.lead_office)
    bulletin = Bulletin.objects.create(plan=world.task.plan, year=2026, quarter=1,
                                       content=bulletin_compute(world.task.plan, 2026, 1))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(bulletin_pdf(bulletin))).pages)
    text = "".join(text.split())  # table cells wrap
    assert "七、督办单" in text and "本季度共签发督办单1件" in text and "测督〔2026〕1号" in text
