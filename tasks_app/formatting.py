"""Chinese formatting used by pages, emails and exports (dates as 2026年3月31日)."""

import datetime

from django.utils import timezone


def cn_date(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.year}年{value.month}月{value.day}日"


def cn_datetime(value: datetime.datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{cn_date(local)} {local:%H:%M}"


def cn_month(value: datetime.date) -> str:
    return f"{value.year}年{value.month}月"
