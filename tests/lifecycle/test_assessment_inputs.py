"""The lifecycle feeds the annual assessment: late acknowledgements, approved extensions,
refused completions and 督办单 received, each a deduction per occurrence with a cap."""

import datetime

import pytest

from tasks_app.models import CompletionRequest
from tasks_app.services.assessments import assessment_compute
from tasks_app.services.lifecycle.completions import (
    completion_request_decide,
    completion_request_file,
)
from tasks_app.services.lifecycle.extensions import (
    extension_request_decide,
    extension_request_file,
)
from tasks_app.services.lifecycle.parts import part_acknowledge
from tasks_app.services.lifecycle.slips import slip_issue, slip_void

pytestmark = pytest.mark.django_db


def moment(year, month, day):
    return datetime.datetime(year, month, day, 2, tzinfo=datetime.UTC)


@pytest.fixture
def year(world, travel):
    """2026: 区责任局 acknowledges two days late, gets an extension and two 督办单; 区牵头局
    has its completion refused, then sent to rectification, and gets one 督办单."""
    travel.move_to(moment(2026, 3, 27))
    part_acknowledge(part=world.part, actor=world.liaison)
    request = extension_request_file(part=world.part, proposed_due_on=datetime.date(2027, 3, 31),
                                     reason="设备到货延迟", actor=world.head)
    extension_request_decide(request=request, actor=world.lead_office, approve=True)
    for department in (world.department, world.department, world.lead_department):
        slip_issue(sign=True, task=world.task, department=department, reason="进展缓慢",
                   respond_by=datetime.date(2026, 4, 3), actor=world.lead_office)
    # Only signed slips that stand count: not a draft, not a voided one.
    slip_issue(task=world.task, department=world.department, reason="进展缓慢",
               respond_by=datetime.date(2026, 4, 3), actor=world.lead_office)
    slip_void(slip=slip_issue(sign=True, task=world.task, department=world.department,
                              reason="进展缓慢", respond_by=datetime.date(2026, 4, 3),
                              actor=world.lead_office), actor=world.lead_office, reason="误发")
    travel.move_to(moment(2026, 6, 10))
    for decision in (CompletionRequest.Decision.REJECTED, CompletionRequest.Decision.RECTIFY):
        request = completion_request_file(task=world.task, department=world.lead_department,
                                          results="已完成", actor=world.lead_liaison)
        completion_request_decide(request=request, actor=world.lead_office, decision=decision,
                                  reason="未达标", rectify_due_on=datetime.date(2026, 9, 30))
    travel.move_to(moment(2027, 1, 20))
    return world


def components(assessment, department) -> dict[str, dict]:
    score = assessment.scores.get(department=department)
    return {c["key"]: c for c in score.components}


def test_each_lifecycle_input_deducts_its_points_with_its_formula(year):
    assessment = assessment_compute(year.task.plan, 2026)
    responsible = components(assessment, year.department)
    assert responsible["late_ack"]["inputs"] == {"逾期签收": 1}
    assert responsible["late_ack"]["points"] == -0.5
    assert responsible["extensions"]["formula"] == (
        "获批延期 1 次 × 0.5 分 = 扣 0.5 分（最多扣 5 分） = -0.5 分")
    assert responsible["slips"]["points"] == -2
    assert responsible["refused_completions"]["points"] == 0
    lead = components(assessment, year.lead_department)
    assert lead["refused_completions"]["inputs"] == {"办结未通过": 2}
    assert lead["refused_completions"]["points"] == -2
    assert (lead["slips"]["points"], lead["late_ack"]["points"]) == (-1, 0)


def test_the_lead_office_sets_the_deductions_and_their_caps(year):
    assessment = assessment_compute(year.task.plan, 2026)
    assessment.weights = {**assessment.weights, "slip_per": 3, "slip_max": 4,
                          "late_ack_per": 2}
    assessment.save()
    assessment = assessment_compute(year.task.plan, 2026)
    responsible = components(assessment, year.department)
    assert responsible["slips"]["points"] == -4  # 2 × 3 = 6, capped at 4
    assert responsible["late_ack"]["points"] == -2


def test_an_acknowledgement_still_waiting_after_its_deadline_counts_as_late(world, travel):
    travel.move_to(moment(2027, 1, 20))
    assessment = assessment_compute(world.task.plan, 2026)
    assert components(assessment, world.department)["late_ack"]["inputs"] == {"逾期签收": 1}
