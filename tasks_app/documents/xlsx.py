"""What every .xlsx export shares: safe cell values, Chinese header styles, a title row,
column widths, a frozen header, and the HTTP response.

Plan data and report texts are verbatim user input: control characters that XML cannot
carry are dropped, lone surrogates replaced, and a text that starts with ``=`` stays text
(never a formula).
"""

import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
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


HEADING_ROWS = 3  # a write_only_sheet's title, subtitle and header: its body starts below
_EXCEL_EPOCH = datetime.datetime(1899, 12, 30)  # day 0 of Excel's serial dates
_EXCEL_ORDINAL = _EXCEL_EPOCH.toordinal()
_CHUNK_ROWS = 500  # rows encoded and compressed together
# zlib's level for the streamed sheet: 3 compresses a city's 44 MB of XML in 0.2 s to
# 4.1 MB (the default 6: 0.46 s, 3.4 MB; 1: 0.16 s, 4.7 MB).
COMPRESS_LEVEL = 3


_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_KEPT_TEXTS = 64  # texts up to this length are escaped once (names, labels), longer each time


def _text_element(text: str) -> str:
    """A cell's text as ``<t>`` with ``clean_text``'s rules (a lone surrogate becomes "?"
    when the sheet is encoded, as there), escaped, spaces at either end kept."""
    if len(text) > MAX_CELL_CHARS or _SPECIAL.search(text):
        text = _ILLEGAL.sub("", text)[:MAX_CELL_CHARS]
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if text and (text[0].isspace() or text[-1].isspace()):
        return f'<t xml:space="preserve">{text}</t>'
    return f"<t>{text}</t>"


def _cell_xml(ref: str, style: int, value) -> str:
    """A cell of any value (``BodyRows.row`` writes the common ones itself)."""
    value = cell_value(value)
    if value is None or value == "":
        return f'<c r="{ref}" s="{style}"/>'
    if isinstance(value, bool):
        return f'<c r="{ref}" s="{style}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        return f'<c r="{ref}" s="{style}"><v>{value!s}</v></c>'
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):  # Excel has no time zones: the site's local time
            value = timezone.localtime(value).replace(tzinfo=None)
        serial = (value - _EXCEL_EPOCH).total_seconds() / 86400
        return f'<c r="{ref}" s="{style}"><v>{serial!r}</v></c>'
    if isinstance(value, datetime.date):
        return f'<c r="{ref}" s="{style}"><v>{value.toordinal() - _EXCEL_ORDINAL}</v></c>'
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is>{_text_element(value)}</is></c>'


class BodyRows:
    """The body of a write-only sheet written as SpreadsheetML text, one string per row.

    openpyxl builds, styles and serialises a cell object per value (≈ 40 µs: a city's
    ledger of 700,000 cells took 25 s of CPU); here a cell is one formatted string. The
    workbook, its named styles and the sheet's heading still come from openpyxl;
    ``streamed_workbook_bytes`` puts these rows into the sheet when the file is written.
    Texts are inline strings, as openpyxl's write-only sheets write them.
    """

    def __init__(self, sheet, columns: Sequence[Column]) -> None:
        self.sheet = sheet
        self.saved = False  # the workbook's styles are written: no new style from here on
        self._style_ids: dict[str, int] = {}
        self._texts: dict[str, str] = {}  # short text → its <t> element
        self.letters = [get_column_letter(index) for index in range(1, len(columns) + 1)]
        self.styles = [self.style_id(WRAPPED if column.wrap else BODY) for column in columns]

    def style_id(self, name: str) -> int:
        """The index of a named style among the workbook's cell formats (``s=``); every
        style the rows use must be asked for before the file is written."""
        if name not in self._style_ids:
            if self.saved:
                raise RuntimeError(f"style {name} asked for after the styles were written")
            cell = WriteOnlyCell(self.sheet)
            cell.style = name
            self._style_ids[name] = cell.style_id
        return self._style_ids[name]

    def row(self, number: int, values: Sequence, styles: Sequence[int] | None = None) -> str:
        """Row ``number`` (1-based, below the heading: > HEADING_ROWS) as XML; ``styles``
        are style ids per column (default: ``self.styles``)."""
        cells = []
        append = cells.append
        texts = self._texts
        for letter, style, value in zip(self.letters, styles or self.styles, values):
            kind = value.__class__
            if kind is str:
                if not value:
                    append(f'<c r="{letter}{number}" s="{style}"/>')
                    continue
                text = texts.get(value)
                if text is None:
                    text = _text_element(value)
                    if len(value) <= _KEPT_TEXTS:
                        texts[value] = text
                append(f'<c r="{letter}{number}" s="{style}" t="inlineStr"><is>{text}</is></c>')
            elif value is None:
                append(f'<c r="{letter}{number}" s="{style}"/>')
            elif kind is int:
                append(f'<c r="{letter}{number}" s="{style}"><v>{value}</v></c>')
            elif kind is datetime.date:
                append(f'<c r="{letter}{number}" s="{style}"><v>'
                       f'{value.toordinal() - _EXCEL_ORDINAL}</v></c>')
            else:
                append(_cell_xml(f"{letter}{number}", style, value))
        return f'<row r="{number}">{"".join(cells)}</row>'


def streamed_workbook_bytes(workbook: Workbook, body: BodyRows, rows: Iterable[str]) -> bytes:
    """The workbook's file with ``rows`` (``body.row`` strings, in order) added to the
    body's sheet after the rows openpyxl wrote; the rows are consumed as the file is
    written, so a generator may report progress."""
    body.saved = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    name = body.sheet.path.lstrip("/")
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True,
                            compresslevel=COMPRESS_LEVEL) as target:
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item, source.read(item))
                continue
            xml = source.read(item).decode("utf-8")
            if "</sheetData>" in xml:
                head, tail = xml.rsplit("</sheetData>", 1)
            else:  # no rows yet: <sheetData/>
                head, tail = xml.replace("<sheetData/>", "<sheetData>", 1).split(
                    "<sheetData>", 1)
                head += "<sheetData>"
            with target.open(item.filename, "w", force_zip64=True) as stream:
                stream.write(head.encode("utf-8"))
                for chunk in _chunks(rows):
                    stream.write(chunk.encode("utf-8", "replace"))
                stream.write(("</sheetData>" + tail).encode("utf-8"))
    return out.getvalue()


def _chunks(rows: Iterable[str]) -> Iterator[str]:
    batch: list[str] = []
    for row in rows:
        batch.append(row)
        if len(batch) == _CHUNK_ROWS:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


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
