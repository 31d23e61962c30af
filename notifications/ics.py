"""A small iCalendar (RFC 5545) writer: text escaping, 75-octet line folding, CRLF.

Only what the calendar feed needs: all-day events in a calendar that declares
Asia/Shanghai (China has kept UTC+8 without daylight saving since 1991).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

PRODID = "-//Duban//督办//ZH"
MAX_OCTETS = 75
VTIMEZONE = ("BEGIN:VTIMEZONE", "TZID:Asia/Shanghai", "BEGIN:STANDARD",
             "DTSTART:19910915T020000", "TZOFFSETFROM:+0900", "TZOFFSETTO:+0800", "TZNAME:CST",
             "END:STANDARD", "END:VTIMEZONE")


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    day: datetime.date
    summary: str
    description: str = ""
    url: str = ""
    categories: str = ""


def escape(text: str) -> str:
    """TEXT value escaping: backslash, semicolon, comma and newlines."""
    text = "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 32 and ord(ch) != 127)
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n"))


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets, never inside a character."""
    parts, current, size, limit = [], [], 0, MAX_OCTETS
    for ch in line:
        octets = len(ch.encode("utf-8"))
        if size + octets > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, MAX_OCTETS - 1  # continuation lines start with " "
        current.append(ch)
        size += octets
    parts.append("".join(current))
    return "\r\n ".join(parts)


def _event(event: CalendarEvent, stamp: str) -> list[str]:
    lines = ["BEGIN:VEVENT", f"UID:{escape(event.uid)}", f"DTSTAMP:{stamp}",
             f"DTSTART;VALUE=DATE:{event.day:%Y%m%d}",
             f"DTEND;VALUE=DATE:{event.day + datetime.timedelta(days=1):%Y%m%d}",
             f"SUMMARY:{escape(event.summary)}", "TRANSP:TRANSPARENT"]
    if event.description:
        lines.append(f"DESCRIPTION:{escape(event.description)}")
    if event.categories:
        lines.append(f"CATEGORIES:{escape(event.categories)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    return [*lines, "END:VEVENT"]


def ics_calendar(events: Iterable[CalendarEvent], *, name: str,
                 now: datetime.datetime) -> str:
    """The whole calendar as text (CRLF line endings)."""
    stamp = now.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape(name)}", "X-WR-TIMEZONE:Asia/Shanghai",
             *VTIMEZONE]
    for event in events:
        lines.extend(_event(event, stamp))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
