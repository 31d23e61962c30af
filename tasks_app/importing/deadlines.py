"""Deadlines as plans write them: 2024年底前, 2025年6月, 2024年上半年, 2025年第三季度 ….

A deadline names the *last* day of the period it mentions (2025年6月 → 2025年6月30日).
"""

import calendar
import datetime
import re

from .common import CN_DIGITS

DEADLINE_KEY = r"(?:完成时限|完成时间|时间节点|时限要求|办结时限|时限)"
DEADLINE = re.compile(
    r"(?P<year>\d{4})\s*年\s*"
    r"(?:(?P<half>上半年|下半年)"
    r"|第?(?P<quarter>[一二三四1-4])季度"
    r"|(?P<month>\d{1,2})\s*月\s*(?:(?P<day>\d{1,2})\s*[日号])?(?P<month_end>底|末|下旬)?"
    r"|年?(?P<year_end>底|末))?"
    r"(?P<before>前|以前|之前)?"
)
ONGOING = re.compile(r"^(?:长期|持续|常态化|长效|每年|每月|每季度|逐年|按年度)")


def _date(match: re.Match) -> datetime.date | None:
    year = int(match.group("year"))
    if match.group("day"):
        month, day = int(match.group("month")), int(match.group("day"))
    elif match.group("month"):
        month = int(match.group("month"))
        day = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 0
    elif match.group("half"):
        month, day = (6, 30) if match.group("half") == "上半年" else (12, 31)
    elif match.group("quarter"):
        quarter = match.group("quarter")
        month = 3 * (int(quarter) if quarter.isdigit() else CN_DIGITS[quarter])
        day = calendar.monthrange(year, month)[1]
    else:
        month, day = 12, 31
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def parse_deadline(value: str) -> datetime.date | None:
    """The date of a deadline field (``完成时限:2025年6月``, a table cell), or None."""
    match = DEADLINE.search(value)
    return _date(match) if match else None


def keyed_deadline(text: str) -> datetime.date | None:
    """The date of a ``完成时限：2025年6月`` written inside a task's text."""
    match = re.search(rf"{DEADLINE_KEY}\s*[:：]\s*([^。；;，,)）]+)", text)
    return parse_deadline(match.group(1)) if match else None


def is_ongoing(value: str) -> bool:
    """长期坚持, 持续推进 …: understood, but no due date."""
    return bool(ONGOING.match(value.strip()))


def deadline_in_text(text: str) -> datetime.date | None:
    """The latest deadline a running text states (``2024年底前完成``, ``2025年6月底前``).

    Only phrases that read as deadlines count: ending in 前, or naming 底/末, a half-year or
    a quarter. ``到2026年`` (a goal's horizon) is not a deadline.
    """
    dates = []
    for match in DEADLINE.finditer(text):
        is_deadline = match.group("before") or any(match.group(name) for name in (
            "half", "quarter", "month_end", "year_end"))
        if is_deadline and (date := _date(match)):
            dates.append(date)
    return max(dates, default=None)


# 6月底前, 10月31日, 年底前, 三季度末: a deadline field of an annual plan without its year
NO_YEAR = re.compile(
    r"^(?:(?P<month>\d{1,2})\s*月\s*(?:(?P<day>\d{1,2})\s*[日号])?(?:底|末|下旬|中旬|上旬)?"
    r"|(?P<year_end>年底|年末|年内|全年)"
    r"|第?(?P<quarter>[一二三四1-4])季度(?:末|底)?"
    r"|(?P<half>上半年|下半年))\s*(?:前|以前|之前)?(?:完成|办结)?$")


def deadline_in_year(value: str, year: int | None) -> datetime.date | None:
    """A deadline field without its year (``6月底前``) in the plan's year (None without one)."""
    match = NO_YEAR.match(value.strip())
    if not match or not year:
        return None
    if match.group("month"):
        month = int(match.group("month"))
        if not 1 <= month <= 12:
            return None
        day = int(match.group("day")) if match.group("day") else calendar.monthrange(
            year, month)[1]
    elif match.group("quarter"):
        quarter = match.group("quarter")
        month = 3 * (int(quarter) if quarter.isdigit() else CN_DIGITS[quarter])
        day = calendar.monthrange(year, month)[1]
    elif match.group("half") == "上半年":
        month, day = 6, 30
    else:
        month, day = 12, 31
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None
