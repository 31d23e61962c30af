"""A month of target readings (月监测) saved at once from the uploaded Excel sheet.

Every changed row goes through :func:`tasks_app.services.targets.target_reading_save` — the
rules of the portal's form and the API (owners only, a number, a note when behind the
path, no stale overwrite) — inside ONE transaction. ``dry_run`` (the preview) runs every
row the same way and rolls back; a confirm saves all rows or, when any row is refused,
nothing. Rows left empty or repeating the stored figure are untouched.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..exceptions import StaleVersion
from ..models import Target, TargetReading
from .report_sheets import SheetProblem, SheetRejected
from .targets import target_reading_save


@dataclass(frozen=True)
class ReadingEntry:
    """One filled row: where it was, which target, the figure, its note."""

    row: int
    target_id: int
    value: str
    is_year_to_date: bool
    note: str
    version: int | None = None


@dataclass(frozen=True)
class ReadingChange:
    row: int
    target: str
    unit: str
    before: Decimal | None
    after: Decimal


@dataclass
class ReadingsResult:
    changed: list[ReadingChange] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)  # rows


class _Rollback(Exception):
    """Leaves the dry run's transaction without keeping anything."""


def _same(reading: TargetReading | None, entry: ReadingEntry) -> bool:
    if reading is None:
        return False
    try:
        value = Decimal(entry.value)
    except (InvalidOperation, ValueError):
        return False
    return (value == reading.value and entry.is_year_to_date == reading.is_year_to_date
            and entry.note.strip() == reading.note)


def _problems(entry: ReadingEntry, error: ValidationError) -> list[SheetProblem]:
    if hasattr(error, "error_dict"):
        return [SheetProblem(entry.row, name if name in ("value", "note") else "",
                             " ".join(messages))
                for name, messages in error.message_dict.items()]
    return [SheetProblem(entry.row, "", " ".join(error.messages))]


def _apply(month: datetime.date, entries: list[ReadingEntry],
           user: User) -> tuple[ReadingsResult, list[SheetProblem]]:
    targets = Target.objects.select_related("plan").in_bulk({e.target_id for e in entries})
    readings = {r.target_id: r for r in TargetReading.objects.filter(
        target_id__in=targets, month=month)}
    result, problems, seen = ReadingsResult(), [], set()
    for entry in entries:
        target = targets.get(entry.target_id)
        if target is None:
            problems.append(SheetProblem(entry.row, "target",
                                         _("没有这个指标（请勿修改灰色单元格）。")))
            continue
        if entry.target_id in seen:
            problems.append(SheetProblem(entry.row, "target", _("该指标在表格中出现了两次。")))
            continue
        seen.add(entry.target_id)
        reading = readings.get(entry.target_id)
        if _same(reading, entry):
            result.unchanged.append(entry.row)
            continue
        try:
            with transaction.atomic():
                saved = target_reading_save(
                    target=target, month=month, value=entry.value, user=user,
                    note=entry.note, is_year_to_date=entry.is_year_to_date,
                    expected_version=entry.version)
        except PermissionDenied:
            problems.append(SheetProblem(entry.row, "target", _("该指标不由本部门填报。")))
        except StaleVersion:
            problems.append(SheetProblem(entry.row, "", _(
                "下载表格后，该指标本月的数据已被修改；请重新下载表格后再填写。")))
        except ValidationError as error:
            problems += _problems(entry, error)
        else:
            result.changed.append(ReadingChange(entry.row, target.name, target.unit,
                                                reading.value if reading else None,
                                                saved.value))
    return result, problems


def readings_save_bulk(*, month: datetime.date, entries: list[ReadingEntry], user: User,
                       dry_run: bool = False) -> ReadingsResult:
    """Save (or, ``dry_run``, only check) the month's filled rows, all or nothing; raises
    SheetRejected with every row's problems when any row is refused."""
    try:
        with transaction.atomic():
            result, problems = _apply(month, entries, user)
            if problems:
                raise SheetRejected(problems)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return result
