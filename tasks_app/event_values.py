"""What a history row's before/after means: codes for states, shown through their labels.

TaskEvent keeps the code of a state or status (``completed``, not 已办结) so that nothing
depends on a label's wording or on the language of whoever made the change; the label is
rendered when the row is shown (portal timeline, admin, API, digests). Other fields keep
their text as written (titles, dates, percentages, department names). A 督办单's number is
data, kept in its own column (``TaskEvent.number``) and shown before the state's label.
"""

from django.db import models
from django.utils.translation import gettext

from common.i18n import translated

from .choices import Health, PartState, ReportState, TaskStatus


def coded_fields() -> dict[str, type[models.TextChoices]]:
    """Event ``field`` → the choices its before/after codes belong to."""
    from .models import CompletionRequest, ExtensionRequest, SupervisionSlip

    return {"slip": SupervisionSlip.State, "status": TaskStatus,
            "state": PartState, "report_state": ReportState,
            "completion": CompletionRequest.Decision, "extension": ExtensionRequest.State,
            "health_override": Health}


def shown(field: str, value: str) -> str:
    """A stored before/after value as the reader sees it."""
    choices = coded_fields().get(field)
    if choices is None:
        return translated(value)
    if field == "health_override" and not value:
        return gettext("自动")
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:  # a row written as text before codes (see migration 0005)
        return translated(value)
