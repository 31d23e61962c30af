"""common.bulk.insert_rows: rows as one JSON document on PostgreSQL, bulk_create elsewhere."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.bulk import insert_rows
from tasks_app.models import DepartmentScore

from .factories import DepartmentFactory, MembershipFactory
from .records_factories import AssessmentFactory

pytestmark = pytest.mark.django_db

COMPONENTS = [{"key": "timeliness", "name": "报送及时性", "formula": "按时报送率 10 ÷ 17 = 58.8%",
               "inputs": {"应报送": 17, "说明": "引号\"与反斜杠\\"}, "points": 17.65,
               "weight": None, "applicable": True}]


def test_rows_with_and_without_ids_are_written_as_given_with_defaults_filled_in():
    assessment = AssessmentFactory()
    a, b = DepartmentFactory(), DepartmentFactory()
    user = MembershipFactory(department=a).user
    kept = DepartmentScore.objects.create(assessment=assessment, department=a, computed_total=1,
                                          total=1)
    kept_id = kept.pk
    kept.delete()
    with CaptureQueriesContext(connection) as captured:
        insert_rows(DepartmentScore, [
            {"id": kept_id, "assessment_id": assessment.pk, "department_id": a.pk,
             "components": COMPONENTS, "computed_total": Decimal("85.71"),
             "adjustment": Decimal("-2.50"), "adjustment_reason": "信息报送有误。",
             "total": Decimal("83.21"), "rank": 2, "contest_state": "resolved",
             "contested_by_id": user.pk},
            {"assessment_id": assessment.pk, "department_id": b.pk, "components": [],
             "computed_total": Decimal("90"), "adjustment": Decimal(0), "total": Decimal("90"),
             "rank": 1},
        ])
    assert len([q for q in captured if q["sql"].startswith("INSERT")]) == 2
    first, second = (DepartmentScore.objects.get(pk=kept_id),
                     DepartmentScore.objects.get(department=b))
    assert (first.components, first.computed_total, first.adjustment, first.total,
            first.rank, first.adjustment_reason, first.contest_state, first.contested_by_id) == (
        COMPONENTS, Decimal("85.71"), Decimal("-2.50"), Decimal("83.21"), 2, "信息报送有误。",
        "resolved", user.pk)
    assert (second.components, second.total, second.rank, second.contest_reason,
            second.contested_by_id) == ([], Decimal("90.00"), 1, "", None)
    assert second.pk != kept_id


def test_no_rows_no_query():
    with CaptureQueriesContext(connection) as captured:
        insert_rows(DepartmentScore, [])
    assert not captured.captured_queries
