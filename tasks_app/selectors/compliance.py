"""Who has not reported for a period: the facts behind reminders, chases, the meeting pack
and the bulletin. The rules live in :mod:`tasks_app.rules.obligations`; this module keeps the
cycle's entry points where the cycle looks for them."""

from ..rules.obligations import (
    MissingReport,
    departments_on_tasks,
    missing_reports,
    missing_reports_for,
    red_day,
)

__all__ = ["MissingReport", "departments_on_tasks", "missing_reports", "missing_reports_for",
           "red_day"]
