"""common.bulk: inserts that skip stored keys and, on PostgreSQL, say which rows they wrote."""

import datetime

import pytest
from django.db import connection

from common.bulk import insert_new, insert_new_rows
from notifications.choices import Kind
from notifications.models import Notification, NotificationItem

from .factories import UserFactory

pytestmark = pytest.mark.django_db


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
