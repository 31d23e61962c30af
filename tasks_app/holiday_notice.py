"""Read the State Council's holiday notice (国务院办公厅关于YYYY年部分节假日安排的通知).

The lead office pastes the notice's text; ``parse_notice`` turns each numbered item
("二、春节：2月15日（周日）至23日（周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。")
into the festival's holidays and make-up working days. Parenthesised remarks (weekdays,
lunar dates, "除夕（2月9日）" suggestions) are dropped first; a sentence with 放假 gives
holidays, one with 上班 gives make-up working days, anything else is ignored. "共N天" is
checked against the range read, so a mistyped day stops the import instead of writing it.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_NUMERALS = "一二三四五六七八九十"
_ITEM = re.compile(rf"(?:^|\s|。|：|:)[{_NUMERALS}]+、\s*([^：:，,。\s]+)\s*[：:]")
_PARENS = re.compile(r"（[^（）]*）|\([^()]*\)")
_DATE = r"(?:(?P<{p}y>\d{{4}})\s*年\s*)?(?:(?P<{p}m>\d{{1,2}})\s*月\s*)?(?P<{p}d>\d{{1,2}})\s*日"
_RANGE = re.compile(_DATE.format(p="a")
                    + r"(?:\s*(?:至|－|—|-|~|～)\s*" + _DATE.format(p="b") + ")?")
_TOTAL = re.compile(r"共\s*(\d+)\s*天")
_YEAR = re.compile(r"关于\s*(\d{4})\s*年")
_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


@dataclass
class Festival:
    """One numbered item of the notice."""

    name: str
    holidays: list[datetime.date] = field(default_factory=list)
    workdays: list[datetime.date] = field(default_factory=list)


def notice_year(text: str) -> int | None:
    """The year in the notice's title (关于2027年部分节假日安排的通知), if pasted."""
    match = _YEAR.search(text.translate(_DIGITS))
    return int(match.group(1)) if match else None


def _day(year: int, month: int | None, day: int, where: str) -> datetime.date:
    if month is None:
        raise ValidationError(_("“%(text)s”中的日期缺少月份。") % {"text": where})
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValidationError(_("“%(text)s”中的日期 %(month)s月%(day)s日 不存在。")
                              % {"text": where, "month": month, "day": day}) from None


def _dates(sentence: str, year: int) -> list[datetime.date]:
    """Every day named in ``sentence``, ``a至b`` ranges expanded."""
    days: list[datetime.date] = []
    month: int | None = None  # "4月27日、28日": a day without its month keeps the last one
    for match in _RANGE.finditer(sentence):
        g = match.groupdict()
        start_year = int(g["ay"]) if g["ay"] else year
        month = int(g["am"]) if g["am"] else month
        start = _day(start_year, month, int(g["ad"]), sentence)
        days.append(start)
        if g["bd"] is None:
            continue
        end_year = int(g["by"]) if g["by"] else start.year
        month = int(g["bm"]) if g["bm"] else start.month
        end = _day(end_year, month, int(g["bd"]), sentence)
        if end < start or (end - start).days > 31:
            raise ValidationError(_("“%(text)s”中的日期范围不正确。") % {"text": sentence})
        days += [start + datetime.timedelta(days=n) for n in range(1, (end - start).days + 1)]
    return days


def _festival(name: str, body: str, year: int) -> Festival:
    festival = Festival(name=name)
    for sentence in _PARENS.sub("", body).split("。"):
        if "放假" in sentence:
            # "1月28日至2月4日放假调休，共8天" — the dates before 放假 are the holidays.
            head = sentence.split("放假", 1)[0]
            days = _dates(head, year)
            total = _TOTAL.search(sentence)
            if total and int(total.group(1)) != len(days):
                raise ValidationError(
                    _("%(name)s：通知写明共%(total)s天，但读到的日期是%(count)s天。")
                    % {"name": name, "total": total.group(1), "count": len(days)})
            festival.holidays += days
        elif "上班" in sentence:
            festival.workdays += _dates(sentence.split("上班", 1)[0], year)
    if not festival.holidays:
        raise ValidationError(_("%(name)s：没有读到放假日期。") % {"name": name})
    return festival


def parse_notice(text: str, year: int) -> list[Festival]:
    """The festivals of ``year``'s notice, in the notice's order; a clear error otherwise."""
    text = (text or "").translate(_DIGITS).replace("\r", "")
    titled = notice_year(text)
    if titled is not None and titled != year:
        raise ValidationError(_("通知标题是%(titled)s年，与所选年份%(year)s年不一致。")
                              % {"titled": titled, "year": year})
    items = list(_ITEM.finditer(text))
    if not items:
        raise ValidationError(_("没有读到节假日安排：请粘贴通知正文，"
                                "每项形如“一、元旦：1月1日放假，共1天。”"))
    festivals = []
    for item, following in zip(items, [*items[1:], None]):
        end = following.start() if following else len(text)
        body = text[item.end():end]
        festivals.append(_festival(item.group(1).strip(), body, year))
    _check(festivals, year)
    return festivals


def _check(festivals: list[Festival], year: int) -> None:
    seen: dict[datetime.date, str] = {}
    for festival in festivals:
        for day in [*festival.holidays, *festival.workdays]:
            if abs(day.year - year) > 1:
                raise ValidationError(_("%(name)s：日期 %(day)s 不在%(year)s年前后。")
                                      % {"name": festival.name, "day": day, "year": year})
            if day in seen:
                raise ValidationError(_("%(day)s 在通知中出现了两次（%(first)s、%(second)s）。")
                                      % {"day": day, "first": seen[day],
                                         "second": festival.name})
            seen[day] = festival.name
