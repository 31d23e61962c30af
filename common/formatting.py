"""Chinese formatting used by pages, emails and exports (dates as 2026年3月31日).

The patterns are translatable: English shows ISO dates (2026-03-31, 2026-03).
"""

import datetime

from django.utils import timezone

from .i18n import gettext_cached as gettext


def cn_date(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return gettext("%(year)d年%(month)d月%(day)d日") % {
        "year": value.year, "month": value.month, "day": value.day}


def cn_datetime(value: datetime.datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{cn_date(local)} {local:%H:%M}"


def cn_month(value: datetime.date) -> str:
    return gettext("%(year)d年%(month)d月") % {"year": value.year, "month": value.month}


def cn_week(monday: datetime.date) -> str:
    """A weekly reporting period's name: 2026年5月18日当周."""
    return gettext("%(date)s当周") % {"date": cn_date(monday)}


def cn_period(period) -> str:
    """A reporting period's name: its month (2026年5月), or its week (2026年5月18日当周)."""
    return cn_week(period.opens_on) if period.kind == "weekly" else cn_month(period.month)
