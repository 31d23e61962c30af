"""common.bulk: rows written as given (ids and defaults), and inserts that skip stored keys
and, on PostgreSQL, say which rows they wrote."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.bulk import insert_new, insert_new_rows, insert_rows
from notifications.choices import Kind
from notifications.models import Notification, NotificationItem
from tasks_app.models import DepartmentScore

from .factories import DepartmentFactory, MembershipFactory, UserFactory
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
    # PostgreSQL: a COPY for each kind, past Django's query log; elsewhere two INSERTs.
    inserts = [q for q in captured if q["sql"].startswith("INSERT")]
    assert len(inserts) == (0 if connection.vendor == "postgresql" else 2)
    first, second = (DepartmentScore.objects.get(pk=kept_id),
                     DepartmentScore.objects.get(department=b))
    assert (first.components, first.computed_total, first.adjustment, first.total,
            first.rank, first.adjustment_reason, first.contest_state, first.contested_by_id) == (
        COMPONENTS, Decimal("85.71"), Decimal("-2.50"), Decimal("83.21"), 2, "信息报送有误。",
        "resolved", user.pk)
    assert (second.components, second.total, second.rank, second.contest_reason,
            second.contested_by_id) == ([], Decimal("90.00"), 1, "", None)
    assert second.pk != kept_id


def test_values_django_prepares_and_json_objects_shared_by_rows():
    """Values of other types than a field stores as they are still go through Django (a
    total given as text, a rank as an int-like string); a JSON object several rows share
    (the assessment's component of a rule that measured no one) is written in each."""
    assessment = AssessmentFactory()
    a, b = DepartmentFactory(), DepartmentFactory()
    shared = {"key": "slips", "name": "收到督办单", "formula": "无 = 0 分", "inputs": {},
              "points": 0.0, "weight": None, "applicable": True}
    insert_rows(DepartmentScore, [
        {"assessment_id": assessment.pk, "department_id": a.pk,
         "components": [COMPONENTS[0], shared], "computed_total": 80, "total": "79.5",
         "rank": "2"},
        {"assessment_id": assessment.pk, "department_id": b.pk, "components": [shared, shared],
         "computed_total": Decimal("90"), "total": Decimal("90"), "rank": 1},
    ])
    first, second = (DepartmentScore.objects.get(department=a),
                     DepartmentScore.objects.get(department=b))
    assert (first.components, first.computed_total, first.total, first.rank) == (
        [COMPONENTS[0], shared], Decimal("80.00"), Decimal("79.50"), 2)
    assert (second.components, second.total, second.rank) == ([shared, shared],
                                                              Decimal("90.00"), 1)


def test_no_rows_no_query():
    with CaptureQueriesContext(connection) as captured:
        insert_rows(DepartmentScore, [])
    assert not captured.captured_queries


def _message(key: str, subject: str = "标题") -> Notification:
    user = UserFactory()
    return Notification(kind=Kind.REMINDER, dedupe_key=key, recipient=user, address=user.email,
                        subject=subject, body_text="正文\t含制表符、反斜杠 \\ 和换行\n", url="/")


def test_stored_and_repeated_keys_are_skipped_and_the_new_rows_named():
    stored = _message("k:1", subject="原来的")
    stored.save()
    inserted = insert_new(Notification, [_message("k:1", "新的"), _message("k:2"),
                                         _message("k:2", "重复"), _message("k:3")],
                          key="dedupe_key")
    rows = {n.dedupe_key: n for n in Notification.objects.all()}
    assert set(rows) == {"k:1", "k:2", "k:3"}
    assert rows["k:1"].subject == "原来的" and rows["k:2"].subject == "标题"
    assert rows["k:2"].body_text == "正文\t含制表符、反斜杠 \\ 和换行\n"
    assert rows["k:3"].created_at is not None and rows["k:3"].state == "pending"
    if connection.vendor == "postgresql":
        assert inserted == {"k:2": rows["k:2"].pk, "k:3": rows["k:3"].pk}
    else:
        assert inserted is None  # bulk_create: the database cannot tell


def test_plain_rows_are_inserted_the_same_way():
    message = _message("m:1")
    message.save()
    today = datetime.date(2026, 3, 18)
    fields = ["notification_id", "key", "kind", "created_on"]
    first = insert_new_rows(NotificationItem, fields, [(message.pk, "a", Kind.CHASE, today)],
                            key="key")
    again = insert_new_rows(NotificationItem, fields, [(message.pk, "a", Kind.CHASE, today),
                                                       (message.pk, "b", Kind.DUE_SOON, today)],
                            key="key")
    assert set(NotificationItem.objects.values_list("key", "kind", "created_on")) == {
        ("a", "chase", today), ("b", "due_soon", today)}
    if connection.vendor == "postgresql":
        assert list(first) == ["a"] and list(again) == ["b"]
    assert insert_new(Notification, [], key="dedupe_key") == {}
