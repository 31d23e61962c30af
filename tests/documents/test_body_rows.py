"""xlsx.BodyRows: sheet rows written as SpreadsheetML text read back by openpyxl as the
values and styles an openpyxl cell would have had."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from tasks_app.documents.xlsx import (
    DATE,
    HEADING_ROWS,
    BodyRows,
    Column,
    health_style,
    new_workbook,
    streamed_workbook_bytes,
    write_only_sheet,
)

COLUMNS = [Column("文本", 20), Column("换行", 30, wrap=True), Column("数值", 8),
           Column("日期", 15)]


def _book(rows_of, columns=COLUMNS):
    """A workbook whose body is ``rows_of(body)`` (a list of row strings)."""
    workbook = new_workbook()
    sheet = write_only_sheet(workbook, "表", columns, heading="标题", subtitle="说明")
    body = BodyRows(sheet, columns)
    rows = rows_of(body)
    content = streamed_workbook_bytes(workbook, body, rows)
    return load_workbook(io.BytesIO(content))["表"]


def test_values_keep_their_type_and_texts_stay_plain_text():
    values = [
        ["=1+1推动\x0b产业", " 前后空格 \n", 42, datetime.date(2026, 3, 31)],
        ["a & b <c> \"d\" 'e'", "多行\n第二行", Decimal("12.5"),
         datetime.datetime(2026, 3, 31, 12)],
        [None, "", 0.25, datetime.datetime(2026, 3, 31, 4, tzinfo=datetime.UTC)],
        [True, gettext_lazy("正常"), -7, "文本\ud800"],
    ]

    def rows(body):
        styles = [*body.styles[:3], body.style_id(DATE)]
        return [body.row(HEADING_ROWS + n, row, styles) for n, row in enumerate(values, 1)]

    sheet = _book(rows)
    read = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
    assert read == [
        ["=1+1推动产业", " 前后空格 \n", 42, datetime.datetime(2026, 3, 31)],
        ["a & b <c> \"d\" 'e'", "多行\n第二行", 12.5, datetime.datetime(2026, 3, 31, 12)],
        [None, None, 0.25, datetime.datetime(2026, 3, 31, 12)],  # Asia/Shanghai
        [True, "正常", -7, "文本?"],
    ]
    assert sheet["A4"].data_type == "s"  # never a formula
    assert sheet["D4"].number_format == 'yyyy"年"m"月"d"日"'
    assert [c.value for c in sheet[3]] == ["文本", "换行", "数值", "日期"]  # the heading stays
    assert sheet["A1"].value == "标题" and sheet.freeze_panes == "A4"


def test_cells_get_the_named_styles_of_their_column_or_row():
    def rows(body):
        red = [*body.styles[:2], body.style_id(health_style("red")), body.styles[3]]
        return [body.row(4, ["甲", "乙", "滞后", None], red),
                body.row(5, ["丙", "丁", "正常", None])]

    sheet = _book(rows)
    assert sheet["A4"].style == "duban-body" and sheet["A4"].border.left.style == "thin"
    assert sheet["B4"].alignment.wrap_text and sheet["B4"].style == "duban-wrap"
    assert sheet["C4"].fill.fgColor.rgb.endswith("FFC7CE") and sheet["C4"].font.b
    assert sheet["C5"].style == "duban-body"
    assert sheet["D4"].border.left.style == "thin"  # an empty cell keeps its border


def test_a_text_longer_than_a_cell_holds_is_cut():
    sheet = _book(lambda body: [body.row(4, ["长" * 40000])])
    assert len(sheet["A4"].value) == 32767


def test_rows_are_read_while_the_file_is_written():
    seen = []

    def rows(body):
        for number in range(4, 1204):
            seen.append(number)
            yield body.row(number, [f"第{number}行", "", number, None])

    sheet = _book(rows)
    assert len(seen) == 1200 and sheet.max_row == 1203
    assert sheet["A1203"].value == "第1203行" and sheet["C1203"].value == 1203


def test_a_style_first_asked_for_after_the_styles_were_written_is_refused():
    def rows(body):
        yield body.row(4, ["甲"])
        yield body.row(5, ["乙"], [body.style_id(health_style("green"))])

    with pytest.raises(RuntimeError):
        _book(rows)
