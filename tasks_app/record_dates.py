"""The calendar of the cycle's records: quarters, and when a bulletin or an assessment is due.

Both fall on a day of the plan's schedule and move to the next Chinese working day. A
bulletin locks its quarter's reporting periods, so it waits for the chase ladder of the
quarter's last period to finish (the one rule of the cycle: nothing the ladder sends asks for
a report the system will refuse).
"""

import datetime

from django.utils import timezone

from .choices import SlipTrigger
from .models import Schedule
from .rules.deadlines import deadline_for
from .workdays import add_months, add_working_days, is_working_day, on_or_after


def quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_months(year: int, quarter: int) -> list[datetime.date]:
    """The first day of each month of the quarter."""
    first = datetime.date(year, 3 * quarter - 2, 1)
    return [add_months(first, offset) for offset in range(3)]


def quarter_end(year: int, quarter: int) -> datetime.date:
    return add_months(quarter_months(year, quarter)[-1], 1) - datetime.timedelta(days=1)


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def ladder_end(schedule: Schedule, month: datetime.date) -> datetime.date:
    """The last day the chase ladder of ``month``'s period asks for its report: the red
    step, or the response deadline of the 督办单 the ladder proposes."""
    deadline = deadline_for(schedule, month)
    end = add_working_days(deadline, schedule.chase_lead_office_after)
    after = {SlipTrigger.YELLOW: schedule.chase_head_after,
             SlipTrigger.RED: schedule.chase_lead_office_after}.get(schedule.slip_level)
    if after is not None:
        end = max(end, add_working_days(deadline, after + schedule.slip_response_days))
    return end


def bulletin_due_on(schedule: Schedule, year: int, quarter: int) -> datetime.date:
    """Schedule.bulletin_day of the month after the quarter, on a working day — or, when
    later, the working day after the ladder of the quarter's last period has finished."""
    last = quarter_months(year, quarter)[-1]
    month_after = add_months(last, 1)
    return max(on_or_after(month_after.replace(day=schedule.bulletin_day)),
               add_working_days(ladder_end(schedule, last), 1))


def period_lock_day(schedule: Schedule, month: datetime.date) -> datetime.date:
    """The day the quarter's bulletin locks ``month``'s period (when nobody publishes it
    earlier by hand)."""
    return bulletin_due_on(schedule, *quarter_of(month))


def bulletin_quarter_due(schedule: Schedule, today: datetime.date) -> tuple[int, int]:
    """The latest quarter whose bulletin is due on or before ``today``."""
    year, quarter = previous_quarter(*quarter_of(today))
    if bulletin_due_on(schedule, year, quarter) > today:
        year, quarter = previous_quarter(year, quarter)
    return year, quarter


def assessment_due_on(schedule: Schedule, year: int) -> datetime.date:
    """Schedule.assessment_month/day of the next year, on a working day."""
    return on_or_after(datetime.date(year + 1, schedule.assessment_month,
                                     schedule.assessment_day))


def assessment_year_due(schedule: Schedule, today: datetime.date) -> int:
    """The latest year whose assessment is due on or before ``today``."""
    year = today.year - 1
    return year if assessment_due_on(schedule, year) <= today else year - 1


def sending_time(schedule: Schedule, now: datetime.datetime) -> bool:
    """Whether the plan's messages may go out at ``now``: on a working day, from the
    schedule's send time (every kind of the cycle's messages follows this rule)."""
    local = timezone.localtime(now)
    return is_working_day(local.date()) and local.time() >= schedule.send_time
