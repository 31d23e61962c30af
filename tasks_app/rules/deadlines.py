"""When a month's report is due: the plan's deadline day, moved to the next working day."""

import calendar
import datetime

from ..models import Schedule
from ..workdays import on_or_after


def deadline_for(schedule: Schedule, month: datetime.date) -> datetime.date:
    """The schedule's deadline day in ``month``, moved to the next working day if needed."""
    last_day = calendar.monthrange(month.year, month.month)[1]
    return on_or_after(month.replace(day=min(schedule.report_deadline_day, last_day)))
