"""When a month's report is due: the plan's deadline day, moved to the next working day."""

import calendar
import datetime

from django.utils import timezone

from ..models import Schedule
from ..workdays import on_or_after


def deadline_for(schedule: Schedule, month: datetime.date) -> datetime.date:
    """The schedule's deadline day in ``month``, moved to the next working day if needed."""
    last_day = calendar.monthrange(month.year, month.month)[1]
    return on_or_after(month.replace(day=min(schedule.report_deadline_day, last_day)))


def local_day_start(day: datetime.date) -> datetime.datetime:
    """Midnight of ``day`` in the project's time zone (for datetime comparisons in SQL)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
