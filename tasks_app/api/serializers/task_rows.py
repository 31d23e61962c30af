"""The task list's page without a model instance or a serializer per row.

The same JSON as :class:`TaskSerializer` (tests compare the two): the page's tasks come
from one ``values()`` query (plan code and driver number joined, health computed in SQL),
their live parts from a second; each value is formatted by the serializer's own field, so
dates, times and choices read exactly as on the detail endpoint.
"""

from functools import cache

from django.db.models import QuerySet

from ...permissions import live_parts
from .tasks import PartSerializer, TaskSerializer

JOINED = {"plan_code": "plan__code", "driver_number": "driver__number"}
RAW = {"id", "plan", "driver"}  # primary keys: written as they are
PART_VALUES = ("task_id", "id", "department_id", "department__name", "group_id", "group__name",
               "role", "state", "source_text")


@cache
def _task_fields():
    """The serializer's fields, bound once per process (binding copies them: ≈ 5 ms)."""
    fields = TaskSerializer().fields
    return [(name, JOINED.get(name, name), fields[name]) for name in TaskSerializer.Meta.fields
            if name != "parts"]


@cache
def _part_fields():
    return PartSerializer().fields


class TaskValues:
    """The task list's rows for a paginator: sliced from ``values()`` (plan code and driver
    number joined), counted on the filtered tasks alone (no join to count 10,000 rows)."""

    ordered = True

    def __init__(self, queryset: QuerySet) -> None:
        sources = [source for _name, source, _field in _task_fields()]
        self.counted = queryset
        self.rows = queryset.prefetch_related(None).values(*sources)

    def count(self) -> int:
        return self.counted.count()

    def __getitem__(self, key):
        return self.rows[key]


def task_rows(rows: list[dict]) -> list[dict]:
    """The page's rows (from :class:`TaskValues`) as TaskSerializer would write them."""
    fields = _task_fields()
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
    result = []
    for row in rows:
        item = {}
        for name, source, field in fields:
            value = row[source]
            item[name] = value if value is None or name in RAW else field.to_representation(
                value)
        item["parts"] = parts[row["id"]]
        result.append(_ordered(item))
    return result


def _ordered(item: dict) -> dict:
    return {name: item[name] for name in TaskSerializer.Meta.fields}
