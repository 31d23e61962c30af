"""A month of indicator readings (月监测) as .xlsx: download the user's targets pre-filled,
fill the figures offline, upload, preview, confirm.

Like the report sheet (:mod:`tasks_app.documents.report_sheet`): the facts are locked
(grey), the figure, 年内累计 and 说明 are open; a hidden sheet says which month it is for
and a hidden column each reading's version (a stale copy is refused, not overwritten).
Reading the upload only turns cells into values; the rules are the services'.
"""

import datetime
import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.styles import Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from common.formatting import cn_month
from security.uploads import UploadRefused, office_zip_check

from ..selectors.targets import IndicatorRow
from ..services.reading_sheets import ReadingEntry
from ..services.report_sheets import SheetProblem, SheetRejected
from .report_sheet import (
    NO,
    YES,
    SheetColumn,
    _flag,
    _text,
    _whole,
    fillable_sheet,
    in_each_language,
)
from .xlsx import (
    BODY_FONT,
    BORDER,
    CENTER,
    LOCKED_FILL,
    WRAP,
    cell_value,
    safe_filename,
    workbook_bytes,
)

SHEET_TITLE = gettext_lazy("指标月监测")
META_TITLE = "_duban"
HEADER_ROW, FIRST_ROW = 3, 4
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
UNREADABLE = gettext_lazy("无法读取该 Excel 文件（文件已损坏或不是 .xlsx 格式）。")

COLUMNS = (
    SheetColumn(gettext_lazy("指标编号"), 9, field="target"),
    SheetColumn(gettext_lazy("计划"), 20, wrap=True),
    SheetColumn(gettext_lazy("指标"), 30, wrap=True),
    SheetColumn(gettext_lazy("单位"), 8),
    SheetColumn(gettext_lazy("目标值"), 12),
    SheetColumn(gettext_lazy("本月目标进度"), 12),
    SheetColumn(gettext_lazy("上月实际值"), 12),
    SheetColumn(gettext_lazy("审核状态"), 10),
    SheetColumn(gettext_lazy("实际值"), 12, field="value", editable=True),
    SheetColumn(gettext_lazy("年内累计值"), 10, field="is_year_to_date", editable=True),
    SheetColumn(gettext_lazy("说明（低于目标进度须填写）"), 40, wrap=True, field="note",
                editable=True),
    SheetColumn(gettext_lazy("版本（请勿修改）"), 8, field="version"),
)
LETTERS = {c.field: get_column_letter(i) for i, c in enumerate(COLUMNS, 1) if c.field}


def _number(value) -> str | float | None:
    return None if value is None else float(value.normalize())


def _values(row: IndicatorRow) -> list:
    target, reading = row.target, row.reading
    return [target.pk, target.plan.code, target.name, target.unit, _number(target.value),
            None if row.expected is None else round(float(row.expected), 2),
            _number(row.previous.value) if row.previous else None,
            reading.get_state_display() if reading else _("未填报"),
            _number(reading.value) if reading else None,
            YES if (reading.is_year_to_date if reading else True) else NO,
            reading.note if reading else "", reading.version if reading else 0]


def reading_workbook(month: datetime.date, rows: list[IndicatorRow]) -> bytes:
    """The user's targets for ``month``, pre-filled with what is stored."""
    workbook, sheet = fillable_sheet(
        SHEET_TITLE, COLUMNS, _("%(month)s指标月监测填报表") % {"month": cn_month(month)},
        _("灰色单元格不可修改；填写“实际值”（数字），低于目标进度时须填写说明；"
          "不填实际值的行不会改动。填好后在门户“指标月监测”页面上传。"))
    for offset, row in enumerate(rows):
        for index, (value, column) in enumerate(zip(_values(row), COLUMNS), 1):
            cell = sheet.cell(row=FIRST_ROW + offset, column=index, value=cell_value(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"
            cell.font, cell.border = BODY_FONT, BORDER
            cell.alignment = WRAP if column.wrap else CENTER
            cell.protection = Protection(locked=not column.editable)
            if not column.editable:
                cell.fill = LOCKED_FILL
    last_row = max(FIRST_ROW + len(rows) - 1, FIRST_ROW)
    flag = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True,
                          showErrorMessage=True, error=_("请选择“是”或“否”。"))
    flag.add(f"{LETTERS['is_year_to_date']}{FIRST_ROW}:{LETTERS['is_year_to_date']}{last_row}")
    sheet.add_data_validation(flag)
    sheet.freeze_panes = "D4"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = sheet.protection.formatRows = False
    meta = workbook.create_sheet(META_TITLE)
    meta.append(["month", month.isoformat()])
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    workbook.active = 0
    return workbook_bytes(workbook)


def reading_filename(month: datetime.date) -> str:
    return safe_filename(_("%(month)s指标月监测填报表") % {"month": cn_month(month)}) + ".xlsx"


# ---------------------------------------------------------------- upload


def _refuse(message: str, row: int | None = None, name: str = "") -> SheetRejected:
    return SheetRejected([SheetProblem(row, name, message)])


def _open_sheet(upload, title, columns, header_row: int, meta: dict[str, str],
                wrong_meta: str):
    """The workbook and its sheet ``title``, checked: an .xlsx within limits (no zip bomb),
    the hidden sheet's ``meta`` (whose file it is), the headers. Raises SheetRejected."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise _refuse(_("文件超过 %(size)s MB，请上传从系统下载的填报表。")
                      % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)})
    data = upload.read()
    if not data.startswith(b"PK\x03\x04"):
        raise _refuse(_("上传的文件不是 Excel（.xlsx）表格；请上传从系统下载的填报表。"))
    try:
        office_zip_check(data, upload.name)
    except UploadRefused as error:
        raise _refuse(str(UNREADABLE) if error.broken else error.message) from error
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # any malformed part: refused, never a 500
        raise _refuse(str(UNREADABLE)) from error
    try:
        titles = [name for name in workbook.sheetnames if name in in_each_language(title)]
        if not titles:
            raise _refuse(_("表格中没有“%(sheet)s”工作表；请使用从系统下载的填报表。")
                          % {"sheet": title})
        sheet = workbook[titles[0]]
        if META_TITLE not in workbook.sheetnames:
            raise _refuse(_("表格缺少系统信息；请使用从系统下载的填报表。"))
        found = {str(k): str(v) for k, v, *_rest in
                 workbook[META_TITLE].iter_rows(max_col=2, values_only=True) if k}
        if found != meta:
            raise _refuse(wrong_meta)
        headers = [("" if v is None else str(v).strip()) for v in next(sheet.iter_rows(
            min_row=header_row, max_row=header_row, max_col=len(columns), values_only=True),
            ())]
        headers += [""] * (len(columns) - len(headers))
        for index, column in enumerate(columns):
            if headers[index] not in in_each_language(column.header):
                raise _refuse(_("表头不符：第 %(column)s 列应为“%(expected)s”，实为“%(found)s”。"
                                "请勿增删或移动列。") % {
                    "column": get_column_letter(index + 1), "expected": column.header,
                    "found": headers[index] or _("空")}, header_row)
    except SheetRejected:
        workbook.close()
        raise
    except Exception as error:  # malformed XML surfaces while reading
        workbook.close()
        raise _refuse(str(UNREADABLE)) from error
    return workbook, sheet


def _entries(sheet) -> list[ReadingEntry]:
    entries, problems = [], []
    fields = [column.field for column in COLUMNS]
    for number, values in enumerate(sheet.iter_rows(min_row=FIRST_ROW, max_col=len(COLUMNS),
                                                    values_only=True), FIRST_ROW):
        if number > FIRST_ROW + MAX_ROWS:
            raise _refuse(_("表格超过 %(rows)s 行。") % {"rows": MAX_ROWS})
        cells = dict(zip(fields, values))
        value = _text(cells.get("value")).strip()
        if not value:
            continue  # no figure: the row is left as it is
        target = _whole(cells.get("target"))
        if target is None:
            problems.append(SheetProblem(number, "target",
                                         _("指标编号必须是整数（请勿修改灰色单元格）。")))
            continue
        flag = _flag(cells.get("is_year_to_date"))
        if flag is None:
            problems.append(SheetProblem(number, "is_year_to_date", _("请填写“是”或“否”。")))
            continue
        entries.append(ReadingEntry(number, target, value, flag,
                                    _text(cells.get("note")).strip(),
                                    _whole(cells.get("version"))))
    if problems:
        raise SheetRejected(problems)
    return entries


def reading_entries(upload, month: datetime.date) -> list[ReadingEntry]:
    """The rows with a figure; SheetRejected when the file itself is wrong (not .xlsx,
    a zip bomb, another month's sheet, moved columns, unreadable cells)."""
    workbook, sheet = _open_sheet(
        upload, SHEET_TITLE, COLUMNS, HEADER_ROW, {"month": month.isoformat()},
        _("该表格不是%(month)s的填报表；请在本页重新下载后填写。") % {"month": cn_month(month)})
    try:
        return _entries(sheet)
    except SheetRejected:
        raise
    except Exception as error:  # malformed XML surfaces while streaming
        raise _refuse(str(UNREADABLE)) from error
    finally:
        workbook.close()


def problem_rows_for(problems: list[SheetProblem], columns) -> list[dict]:
    """Problems as the page shows them: 第几行、哪一列、什么问题."""
    letters = {c.field: (get_column_letter(i), str(c.header))
               for i, c in enumerate(columns, 1) if c.field}
    rows = []
    for problem in problems:
        letter, header = letters.get(problem.field, ("", ""))
        rows.append({"row": problem.row, "column": letter, "header": header,
                     "message": problem.message})
    return rows


def reading_problem_rows(problems: list[SheetProblem]) -> list[dict]:
    return problem_rows_for(problems, COLUMNS)
