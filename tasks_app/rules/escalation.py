"""The chase ladder's colour of an overdue report, for screens and summaries: blue from the
first working day after the deadline (the liaison is chased), yellow from ``chase_head_after``
(the head), red from ``chase_lead_office_after`` (the lead office and the leaders). The cycle
sends the messages (tasks_app.cycle.decisions.reports); this says which step a period is on.
"""

import datetime

from django.utils.translation import gettext_lazy as _

from ..models import Schedule
from ..workdays import working_days_between

BLUE, YELLOW, RED = "blue", "yellow", "red"
LEVELS = (RED, YELLOW, BLUE)  # most urgent first
LEVEL_LABELS = {BLUE: _("蓝色催报"), YELLOW: _("黄色督办"), RED: _("红色督办")}


def escalation_level(deadline: datetime.date, schedule: Schedule,
                     today: datetime.date) -> str | None:
    """The ladder step reached ``today`` by a report due on ``deadline`` (None: not late)."""
    late = working_days_between(deadline, today)
    if late >= schedule.chase_lead_office_after:
        return RED
    if late >= schedule.chase_head_after:
        return YELLOW
    return BLUE if late >= 1 else None
