"""What every .xlsx export shares: safe cell values, Chinese header styles, a title row,
column widths, a frozen header, and the HTTP response.

Plan data and report texts are verbatim user input: control characters that XML cannot
carry are dropped, lone surrogates replaced, and a text that starts with ``=`` stays text
(never a formula).
"""

import datetime
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_CELL_CHARS = 32767
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")

FONT_NAME = "宋体"
TITLE_FONT = Font(name=FONT_NAME, size=14, bold=True)
SUBTITLE_FONT = Font(name=FONT_NAME, size=10, color="555555")
HEADER_FONT = Font(name=FONT_NAME, size=11, bold=True)
BODY_FONT = Font(name=FONT_NAME, size=10)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)

# Health colours: the portal's palette, readable on print.
HEALTH_FILLS = {
    "green": PatternFill("solid", fgColor="C6EFCE"),
    "yellow": PatternFill("solid", fgColor="FFEB9C"),
    "red": PatternFill("solid", fgColor="FFC7CE"),
    "stale": PatternFill("solid", fgColor="D9D9D9"),
    "unassigned": PatternFill("solid", fgColor="DDE1F5"),
}
HEALTH_FONTS = {
    "green": Font(name=FONT_NAME, size=10, color="006100"),
    "yellow": Font(name=FONT_NAME, size=10, color="9C5700"),
    "red": Font(name=FONT_NAME, size=10, color="9C0006", bold=True),
    "stale": Font(name=FONT_NAME, size=10, color="404040"),
    "unassigned": Font(name=FONT_NAME, size=10, color="283593"),
}


def clean_text(value: str) -> str:
    """A string openpyxl can always write: no XML-illegal characters, valid UTF-8, capped."""
    value = _ILLEGAL.sub("", str(value))
    value = value.encode("utf-8", "replace").decode("utf-8")
    return value[:MAX_CELL_CHARS]


def cell_value(value):
    """Numbers and dates as they are; everything else as clean text."""
    if value is None or isinstance(value, bool | int | float | Decimal | datetime.date):
        return value
    return clean_text(str(value))


def text_cell(sheet, value, **style) -> WriteOnlyCell:
    """A write-only cell; a text never becomes a formula."""
    cell = WriteOnlyCell(sheet, value=cell_value(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    wrap: bool = False


def write_only_sheet(workbook: Workbook, title: str, columns: Sequence[Column], *,
                     heading: str, subtitle: str = ""):
    """A write-only sheet with a title row, a subtitle row, and a styled, frozen header."""
    sheet = workbook.create_sheet(clean_text(title)[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    last = get_column_letter(len(columns))
    sheet.merged_cells.ranges.add(f"A1:{last}1")
    sheet.merged_cells.ranges.add(f"A2:{last}2")
    sheet.append([text_cell(sheet, heading, font=TITLE_FONT)])
    sheet.append([text_cell(sheet, subtitle, font=SUBTITLE_FONT)])
    sheet.append([text_cell(sheet, column.header, font=HEADER_FONT, fill=HEADER_FILL,
                            border=BORDER, alignment=CENTER) for column in columns])
    return sheet


BODY, WRAPPED, DATE = "duban-body", "duban-wrap", "duban-date"


def date_format() -> str:
    """Excel's number format for dates: 2026年3月31日 (2026-03-31 in English)."""
    return gettext('yyyy"年"m"月"d"日"')


def _named_styles() -> list[NamedStyle]:
    """Body cells share named styles: much faster to write than a style per cell."""
    styles = [NamedStyle(BODY, font=BODY_FONT, border=BORDER),
              NamedStyle(WRAPPED, font=BODY_FONT, border=BORDER, alignment=WRAP),
              NamedStyle(DATE, font=BODY_FONT, border=BORDER, alignment=CENTER,
                         number_format=date_format())]
    styles += [NamedStyle(health_style(health), fill=fill, font=HEALTH_FONTS[health],
                          border=BORDER, alignment=CENTER)
               for health, fill in HEALTH_FILLS.items()]
    return styles


def body_row(sheet, values: Iterable, columns: Sequence[Column],
             overrides: dict[int, str] | None = None) -> list:
    """One data row; ``overrides`` maps a column index to another named style."""
    overrides = overrides or {}
    cells = []
    for index, (value, column) in enumerate(zip(values, columns)):
        cell = text_cell(sheet, value)
        cell.style = overrides.get(index) or (WRAPPED if column.wrap else BODY)
        cells.append(cell)
    return cells


def health_style(health: str) -> str:
    """The named style of a health cell (its colour)."""
    return f"duban-health-{health}" if health in HEALTH_FILLS else BODY


def new_workbook(write_only: bool = True) -> Workbook:
    workbook = Workbook(write_only=write_only)
    if not write_only:
        workbook.remove(workbook.active)
    for style in _named_styles():
        workbook.add_named_style(style)
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(content: bytes, filename: str, content_type: str = XLSX_TYPE) -> HttpResponse:
    """An attachment response with a UTF-8 file name (RFC 6266) and an ASCII fallback."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = attachment_disposition(filename)
    response["Cache-Control"] = "private, no-store"
    return response


def attachment_disposition(filename: str) -> str:
    """Content-Disposition for a download: UTF-8 file name (RFC 6266), ASCII fallback."""
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", filename).strip("_") or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def safe_filename(text: str) -> str:
    """A file name from plan data: no path separators or characters Windows refuses."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", text).strip(" ._") or "duban"
