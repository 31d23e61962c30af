"""Excel (.xlsx) 任务分解表 as text the formats read: each row a line ``| cell | cell |``.

Merged cells repeat their value in every cell they cover (a 类别 merged down its rows gives
each row its 类别); a row with one value (a title merged across the sheet) is a plain line;
a cell's lines (Alt+Enter) are joined by ``<br>`` as in Word cells. Sheets follow each other.
"""

import datetime
import io

from django.utils.translation import gettext

from security.uploads import UploadRefused, office_zip_check

from .document import ImportFailed

XLSX_MAX_BYTES = 10 * 1024 * 1024  # inflated size of the whole file
MAX_CELLS = 200_000  # a plan's table has a few thousand


def xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    unreadable = gettext(
        "无法读取 Excel 文件（文件已损坏，或不是 .xlsx 格式；.xls 请先另存为 .xlsx）")
    try:
        office_zip_check(data, max_bytes=XLSX_MAX_BYTES)
        book = load_workbook(io.BytesIO(data), data_only=True)
    except UploadRefused as error:
        raise ImportFailed(unreadable if error.broken else error.message) from error
    except Exception as error:  # any malformed part: refused with a message, never a 500
        raise ImportFailed(unreadable) from error
    cells = sum(sheet.max_row * sheet.max_column for sheet in book.worksheets)
    if cells > MAX_CELLS:
        raise ImportFailed(gettext("Excel 文件单元格过多（%(count)s 个，上限 %(limit)s 个）")
                           % {"count": cells, "limit": MAX_CELLS})
    lines: list[str] = []
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            continue
        lines += _sheet_lines(sheet)
    return "\n".join(lines) + "\n"


def _value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    lines = [line.strip() for line in str(value).replace("\r", "\n").split("\n")]
    return "<br>".join(line for line in lines if line).replace("|", "\\|")


def _sheet_lines(sheet) -> list[str]:
    grid = [[_value(cell.value) for cell in row] for row in sheet.iter_rows()]
    for merged in sheet.merged_cells.ranges:
        top = grid[merged.min_row - 1][merged.min_col - 1]
        for row in range(merged.min_row - 1, min(merged.max_row, len(grid))):
            for column in range(merged.min_col - 1, min(merged.max_col, len(grid[row]))):
                grid[row][column] = top
    width = max((max((i + 1 for i, v in enumerate(row) if v), default=0) for row in grid),
                default=0)
    lines = []
    for row in grid:
        cells = row[:width]
        values = [value for value in cells if value]
        if not values:
            continue
        if len(set(values)) == 1 and (len(values) == 1 or len(values) == len(cells)):
            lines.append(values[0].replace("<br>", ""))  # a title or a section row
        else:
            lines.append("| " + " | ".join(cells) + " |")
    return lines



