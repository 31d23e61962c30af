"""The busiest list pages (tasks, reports) without a model instance or a serializer per row.

The same JSON as :class:`TaskSerializer` and :class:`ReportSerializer` (tests compare them):
a page's rows come from one ``values()`` query with the related names joined (and, for
tasks, the health computed in SQL); what each row lists (a task's live parts, the users a
report names) from one more; each value is written as the serializer's own field writes
it (the way chosen once per field, :func:`_writer`), so dates, times and choices read
exactly as on the detail endpoint.
"""

import datetime
from collections.abc import Callable
from functools import cache, partial
from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from ...permissions import live_parts
from ...selectors.reports import REPORT_USERS
from .reports import ReportSerializer
from .tasks import PartSerializer, TaskSerializer

# Serializer field → values() source, where the two differ.
JOINED: dict[type[serializers.ModelSerializer], dict[str, str]] = {
    TaskSerializer: {"plan_code": "plan__code", "driver_number": "driver__number"},
    ReportSerializer: {"task_number": "task__number", "task_title": "task__title",
                       "plan": "task__plan_id", "department_name": "department__name",
                       "month": "period__month",
                       **{name: f"{name}_id" for name in REPORT_USERS}},
}
RAW = {"id", "plan", "driver", "task", "department", "period"}  # primary keys, as they are
PART_VALUES = ("task_id", "id", "department_id", "department__name", "group_id", "group__name",
               "role", "state", "source_text")


# Fields whose to_representation returns a value read from the database as it is (text,
# a number, a flag): str(), int(), bool() of what already is one.
AS_READ = (serializers.CharField, serializers.IntegerField, serializers.BigIntegerField,
           serializers.BooleanField)
Writer = Callable[[Any], object]
Fields = list[tuple[str, str | None, serializers.Field, Writer | None]]


def _local_iso(value: datetime.datetime, zone: datetime.tzinfo | None = None) -> str:
    """DateTimeField.to_representation in ISO 8601 (UTC as Z), in the request's time zone
    (``zone``: the same, looked up once for a page)."""
    written = value.astimezone(zone or timezone.get_current_timezone()).isoformat()
    return written[:-6] + "Z" if written.endswith("+00:00") else written


def _writer(name: str, field: serializers.Field) -> Writer | None:
    """How the field writes a value read by values(): None when as read, else the field's
    own to_representation, or the same steps without its per-value lookups (dates in ISO
    8601; choices whose codes are text are written as read)."""
    kind = type(field)
    if name in RAW or kind in AS_READ:
        return None
    if kind is serializers.ChoiceField and all(
            isinstance(code, str) for code in field.choice_strings_to_values.values()):
        return None
    if kind is serializers.DateField and (
            getattr(field, "format", api_settings.DATE_FORMAT) or "").lower() == ISO_8601:
        return datetime.date.isoformat
    if kind is serializers.DateTimeField and not hasattr(field, "timezone") and (
            getattr(field, "format", api_settings.DATETIME_FORMAT) or "").lower() == ISO_8601:
        return _local_iso
    return field.to_representation


@cache
def _fields(serializer_class: type[serializers.ModelSerializer]) -> Fields:
    """(name, values() source, bound field, writer) of the serializer's fields in its order,
    bound once per process (binding copies them: ≈ 5 ms); a nested list has no source."""
    fields, sources = serializer_class().fields, JOINED[serializer_class]
    return [(name, None if isinstance(fields[name], serializers.ListSerializer)
             else sources.get(name, name), fields[name], _writer(name, fields[name]))
            for name in serializer_class.Meta.fields]


@cache
def _part_fields():
    return PartSerializer().fields


class ValuesPage:
    """A list's rows for a paginator: sliced from ``values()`` (related names joined),
    counted on the filtered rows alone (no join to count 10,000 rows)."""

    ordered = True

    def __init__(self, queryset: QuerySet, sources: list[str]) -> None:
        self.counted = queryset
        self.rows = queryset.prefetch_related(None).values(*sources)

    def count(self) -> int:
        return self.counted.count()

    def __getitem__(self, key):
        return self.rows[key]


def _values(queryset: QuerySet, fields: Fields) -> ValuesPage:
    return ValuesPage(queryset, [source for _name, source, _field, _writer in fields if source])


def task_values(queryset: QuerySet) -> ValuesPage:
    return _values(queryset, _fields(TaskSerializer))


def report_values(queryset: QuerySet) -> ValuesPage:
    return _values(queryset, _fields(ReportSerializer))


def _written(rows: list[dict], fields: Fields, nested: dict[str, dict] | None = None,
             ) -> list[dict]:
    """The rows as the serializer writes them; ``nested``: name → row id → its list."""
    zone = timezone.get_current_timezone()
    writers = [(name, source, partial(_local_iso, zone=zone) if writer is _local_iso else writer)
               for name, source, _field, writer in fields]
    written = []
    for row in rows:
        item = {}
        for name, source, writer in writers:
            if source is None:  # a nested list, written by the caller
                item[name] = (nested or {})[name][row["id"]]
                continue
            value = row[source]
            item[name] = value if writer is None or value is None else writer(value)
        written.append(item)
    return written


def task_rows(rows: list[dict]) -> list[dict]:
    """The page's rows (from :func:`task_values`) as TaskSerializer would write them."""
    parts: dict[int, list[dict]] = {row["id"]: [] for row in rows}
    if parts:
        part_fields = _part_fields()
        for (task_id, pk, department, department_name, group, group_name, role, state,
             source_text) in (live_parts().filter(task_id__in=list(parts))
                              .order_by("role", "position", "id").values_list(*PART_VALUES)):
            parts[task_id].append({
                "id": pk, "department": department, "department_name": department_name,
                "group": group, "group_name": group_name,
                "role": part_fields["role"].to_representation(role),
                "state": part_fields["state"].to_representation(state),
                "source_text": source_text,
            })
    return _written(rows, _fields(TaskSerializer), {"parts": parts})


def report_rows(rows: list[dict]) -> list[dict]:
    """The page's rows (from :func:`report_values`) as ReportSerializer would write them:
    the users they name read in one query."""
    ids = {row[f"{name}_id"] for row in rows for name in REPORT_USERS} - {None}
    usernames = dict(User.objects.filter(pk__in=ids).values_list("id", "username")) if ids else {}
    for row in rows:
        for name in REPORT_USERS:
            row[f"{name}_id"] = usernames.get(row[f"{name}_id"])
    return _written(rows, _fields(ReportSerializer))
