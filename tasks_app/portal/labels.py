"""The display label of a stored choice value, for the portal's templates (both engines)."""

from django.db.models import TextChoices

from common.i18n import text_cached
from departments.choices import Role

from ..choices import (
    AssignmentRole,
    EventKind,
    Health,
    PartState,
    ReportState,
    ReportStatus,
    SourceType,
    TaskStatus,
    Urgency,
)

CHOICES: dict[str, type[TextChoices]] = {
    "health": Health, "task_status": TaskStatus, "report_state": ReportState,
    "report_status": ReportStatus, "role": AssignmentRole, "event": EventKind,
    "membership": Role, "part_state": PartState, "source_type": SourceType, "urgency": Urgency,
}


def label(value: str | None, kind: str) -> str:
    """``label("red", "health")`` → 滞后; a value outside the choices is shown as it is.

    Cheaper than ``get_FOO_display``, which rebuilds the field's choices on every call."""
    try:
        choice = CHOICES[kind](value or "")
    except ValueError:
        return value or ""
    return text_cached((kind, choice.value), lambda: choice.label)
