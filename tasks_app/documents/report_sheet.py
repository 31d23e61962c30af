"""The department's monthly report sheet as .xlsx: download it pre-filled, fill it offline,
upload it back.

The sheet is protected: task number, title and the other facts are locked (grey); the
report cells are open, with a drop-down for 推进情况 and 是/否, and a whole-number check on
进度. A hidden sheet records which plan, month and department the file belongs to, and a
hidden column each report's version, so a file filled from a stale copy is refused rather
than overwriting someone's later change. Reading the upload only turns cells into values;
the rules are the services' (see :mod:`tasks_app.services.report_sheets`).

The sheet is written in the reader's language; an upload is read in any of the site's
languages (a sheet downloaded in Chinese may be uploaded from the English page).
"""

import functools
import io
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.styles import Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from common.formatting import cn_date, cn_period
from security.uploads import UploadRefused, office_zip_check

from ..choices import ReportStatus
from ..models import ReportingPeriod
from ..selectors.portal import SheetRow
from ..services.report_sheets import SheetEntry, SheetProblem, SheetRejected
from .xlsx import (
    BODY_FONT,
    BORDER,
    CENTER,
    HEADER_FILL,
    HEADER_FONT,
    LOCKED_FILL,
    SUBTITLE_FONT,
    TITLE_FONT,
    WRAP,
    Column,
    cell_value,
    new_workbook,
    safe_filename,
    workbook_bytes,
)

SHEET_TITLE = gettext_lazy("进展报送")
META_TITLE = "_duban"
HEADER_ROW, FIRST_ROW = 3, 4
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
YES, NO = gettext_lazy("是"), gettext_lazy("否")
UNREADABLE = gettext_lazy("无法读取该 Excel 文件（文件已损坏或不是 .xlsx 格式）。")


@dataclass(frozen=True)
class SheetColumn(Column):
    field: str = ""
    editable: bool = False


COLUMNS = (
    SheetColumn(gettext_lazy("任务编号"), 9, field="task"),
    SheetColumn(gettext_lazy("任务名称"), 36, wrap=True),
    SheetColumn(gettext_lazy("本部门角色"), 10),
    SheetColumn(gettext_lazy("完成时限"), 15),
    SheetColumn(gettext_lazy("报送状态"), 12),
    SheetColumn(gettext_lazy("推进情况"), 12, field="status", editable=True),
    SheetColumn(gettext_lazy("进度（%）"), 9, field="progress", editable=True),
    SheetColumn(gettext_lazy("本期进展"), 48, wrap=True, field="progress_text", editable=True),
    SheetColumn(gettext_lazy("存在问题"), 32, wrap=True, field="problems", editable=True),
    SheetColumn(gettext_lazy("下步计划"), 32, wrap=True, field="next_steps", editable=True),
    SheetColumn(gettext_lazy("需提请会议协调"), 11, field="needs_coordination",
                editable=True),
    SheetColumn(gettext_lazy("版本（请勿修改）"), 8, field="version"),
)
LETTERS = {column.field: get_column_letter(i) for i, column in enumerate(COLUMNS, 1)
           if column.field}


def in_each_language(text) -> set[str]:
    """A lazily translated text as every language of the site writes it."""
    found = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.add(str(text))
    return found


@functools.cache
def status_by_label() -> dict[str, str]:
    """推进情况 label (in any of the site's languages) → value."""
    return {label: status.value for status in ReportStatus
            for label in in_each_language(status.label)}


def column_of(field: str) -> tuple[str, str]:
    """(column letter, header) where a report field is typed in the sheet."""
    for index, column in enumerate(COLUMNS, 1):
        if column.field == field:
            return get_column_letter(index), str(column.header)
    return "", ""


def _meta(period: ReportingPeriod, department_id: int) -> list[tuple[str, str]]:
    meta = [("plan", period.plan.code), ("month", period.month.isoformat()),
            ("department", str(department_id))]
    if period.is_weekly:  # a week's sheet fits only that week
        meta.append(("week", period.opens_on.isoformat()))
    return meta


# ---------------------------------------------------------------- download


def _row_values(row: SheetRow) -> list:
    values = row.values
    state = (row.report.get_state_display() if row.report else
             (_("按上期预填") if row.prefilled else _("未填写")))
    return [row.task.number, row.task.title, _("牵头") if row.role == "lead" else _("责任"),
            cn_date(row.task.due_on) or "—", state,
            str(ReportStatus(values["status"]).label), values["progress"],
            values["progress_text"], values["problems"], values["next_steps"],
            YES if values["needs_coordination"] else NO, row.version]


def _validations(sheet, last_row: int) -> None:
    labels = ",".join(str(status.label) for status in ReportStatus)
    status = DataValidation(type="list", formula1=f'"{labels}"',
                            allow_blank=False, showErrorMessage=True,
                            errorTitle=_("推进情况"), error=_("请从下拉列表中选择推进情况。"))
    progress = DataValidation(type="whole", operator="between", formula1="0", formula2="100",
                              showErrorMessage=True, errorTitle=_("进度"),
                              error=_("进度必须是 0 到 100 之间的整数。"))
    flag = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True,
                          showErrorMessage=True, error=_("请选择“是”或“否”。"))
    for validation, field in ((status, "status"), (progress, "progress"),
                              (flag, "needs_coordination")):
        letter = LETTERS[field]
        validation.add(f"{letter}{FIRST_ROW}:{letter}{max(last_row, FIRST_ROW)}")
        sheet.add_data_validation(validation)


def _write_row(sheet, row_number: int, row: SheetRow) -> None:
    for index, (value, column) in enumerate(zip(_row_values(row), COLUMNS), 1):
        cell = sheet.cell(row=row_number, column=index, value=cell_value(value))
        if isinstance(cell.value, str):
            cell.data_type = "s"
        open_cell = column.editable and row.editable
        cell.font, cell.border = BODY_FONT, BORDER
        cell.alignment = WRAP if column.wrap else CENTER
        cell.protection = Protection(locked=not open_cell)
        if not open_cell:
            cell.fill = LOCKED_FILL


def fillable_sheet(title, columns: tuple[SheetColumn, ...], heading: str, subtitle: str):
    """A workbook to fill in and upload again (report, reading and 节点 sheets): its sheet
    with a heading, a subtitle, the column headers from row HEADER_ROW and the hidden
    version column. Returns (workbook, sheet)."""
    workbook = new_workbook(write_only=False)
    sheet = workbook.create_sheet(str(title))
    last = get_column_letter(len(columns))
    sheet["A1"], sheet["A2"] = heading, subtitle
    sheet["A1"].font, sheet["A2"].font = TITLE_FONT, SUBTITLE_FONT
    sheet.merge_cells(f"A1:{last}1")
    sheet.merge_cells(f"A2:{last}2")
    for index, column in enumerate(columns, 1):
        cell = sheet.cell(row=HEADER_ROW, column=index, value=str(column.header))
        cell.font, cell.fill, cell.border, cell.alignment = (
            HEADER_FONT, HEADER_FILL, BORDER, CENTER)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
        if column.field == "version":
            sheet.column_dimensions[get_column_letter(index)].hidden = True
    return workbook, sheet


def sheet_workbook(period: ReportingPeriod, department_name: str, department_id: int,
                   rows: list[SheetRow]) -> bytes:
    """The department's sheet for the period, pre-filled like the portal's batch page."""
    workbook, sheet = fillable_sheet(
        SHEET_TITLE, COLUMNS,
        _("%(department)s %(period)s进展报送表") % {
            "department": department_name, "period": period},
        _("%(plan)s · 报送截止 %(date)s · 灰色单元格不可修改；推进情况从下拉列表选择，"
          "进度填 0–100 的整数；填好后在门户“上传报送表”页面上传。") % {
            "plan": period.plan.code, "date": cn_date(period.deadline)})
    for offset, row in enumerate(rows):
        _write_row(sheet, FIRST_ROW + offset, row)
    _validations(sheet, FIRST_ROW + len(rows) - 1)
    sheet.freeze_panes = "C4"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = sheet.protection.formatRows = False
    meta = workbook.create_sheet(META_TITLE)
    for key, value in _meta(period, department_id):
        meta.append([key, value])
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    workbook.active = 0
    return workbook_bytes(workbook)


def sheet_filename(period: ReportingPeriod, department_name: str) -> str:
    name = _("%(department)s-%(month)s进展报送表") % {
        "department": department_name, "month": cn_period(period)}
    return safe_filename(name) + ".xlsx"


# ---------------------------------------------------------------- upload


def _refuse(message: str, row: int | None = None, field: str = "") -> SheetRejected:
    return SheetRejected([SheetProblem(row, field, message)])


def _open(upload) -> tuple:
    if upload.size > MAX_UPLOAD_BYTES:
        raise _refuse(_("文件超过 %(size)s MB，请上传从系统下载的报送表。")
                      % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)})
    data = upload.read()
    if not data.startswith(b"PK\x03\x04"):
        raise _refuse(_("上传的文件不是 Excel（.xlsx）表格；请上传从系统下载的报送表。"))
    try:
        office_zip_check(data, upload.name)  # zip bombs: refused from the directory alone
    except UploadRefused as error:
        raise _refuse(str(UNREADABLE) if error.broken else error.message) from error
    try:  # streaming: rows are read one at a time, never the whole sheet
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # any malformed part: the file is refused, never a 500
        raise _refuse(str(UNREADABLE)) from error
    titles = [name for name in workbook.sheetnames if name in in_each_language(SHEET_TITLE)]
    if not titles:
        raise _refuse(_("表格中没有“%(sheet)s”工作表；请使用从系统下载的报送表。")
                      % {"sheet": SHEET_TITLE})
    return workbook, workbook[titles[0]]


def _check_meta(workbook, period: ReportingPeriod, department_id: int) -> None:
    if META_TITLE not in workbook.sheetnames:
        raise _refuse(_("表格缺少系统信息；请使用从系统下载的报送表。"))
    found = {str(key): str(value) for key, value, *_rest in
             workbook[META_TITLE].iter_rows(max_col=2, values_only=True) if key}
    if found != dict(_meta(period, department_id)):
        raise _refuse(_("该表格不是本部门 %(period)s 的报送表（计划、月份或部门不符）；"
                        "请在本页重新下载后填写。") % {"period": period})


def _check_headers(sheet) -> None:
    found = [("" if v is None else str(v).strip()) for v in next(sheet.iter_rows(
        min_row=HEADER_ROW, max_row=HEADER_ROW, max_col=len(COLUMNS) + 3, values_only=True),
        ())]
    found += [""] * (len(COLUMNS) + 3 - len(found))
    for index, column in enumerate(COLUMNS):
        if found[index] not in in_each_language(column.header):
            raise _refuse(_("表头不符：第 %(column)s 列应为“%(expected)s”，实为“%(found)s”。"
                            "请勿增删或移动列。") % {
                "column": get_column_letter(index + 1), "expected": column.header,
                "found": found[index] or _("空")}, HEADER_ROW)
    extra = [value for value in found[len(COLUMNS):] if value]
    if extra:
        raise _refuse(_("表头不符：多出了列“%(column)s”。请勿增删或移动列。")
                      % {"column": extra[0]}, HEADER_ROW)


def _progress(value):
    """Whole numbers as int; anything else as text, for the service to refuse."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return "" if value is None else str(value).strip()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _whole(value) -> int | None:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _flag(value) -> bool | None:
    text = "" if value is None else str(value).strip()
    return _flag_answers().get(text.upper())


@functools.cache
def _flag_answers() -> dict[str, bool]:
    """是/否 (in any of the site's languages) and a few spellings spreadsheets use."""
    answers = {"": False, "FALSE": False, "0": False, "TRUE": True, "1": True}
    answers |= dict.fromkeys((word.upper() for word in in_each_language(NO)), False)
    answers |= dict.fromkeys((word.upper() for word in in_each_language(YES)), True)
    return answers


def _entry(number: int, cells: dict, problems: list[SheetProblem]) -> SheetEntry | None:
    task_number = _whole(cells["task"])
    if task_number is None:
        problems.append(SheetProblem(number, "task", _("任务编号必须是整数（请勿修改灰色单元格）。")))  # noqa: E501
        return None
    flag = _flag(cells["needs_coordination"])
    if flag is None:
        problems.append(SheetProblem(number, "needs_coordination", _("请填写“是”或“否”。")))
        return None
    status = _text(cells["status"]).strip()
    data = {"status": status_by_label().get(status, status),
            "progress": _progress(cells["progress"]),
            "progress_text": _text(cells["progress_text"]), "problems": _text(cells["problems"]),
            "next_steps": _text(cells["next_steps"]), "needs_coordination": flag}
    return SheetEntry(number, task_number, data, _whole(cells["version"]))


def sheet_entries(upload, period: ReportingPeriod, department_id: int) -> list[SheetEntry]:
    """The filled rows of an uploaded sheet; SheetRejected when the file itself is wrong
    (not .xlsx, a zip bomb, malformed, another department's or month's sheet, moved
    columns, too many rows, unreadable cells)."""
    workbook, sheet = _open(upload)
    try:
        return _entries(workbook, sheet, period, department_id)
    except SheetRejected:
        raise
    except Exception as error:  # malformed XML surfaces while streaming: refuse, never 500
        raise _refuse(str(UNREADABLE)) from error
    finally:
        workbook.close()


def _entries(workbook, sheet, period: ReportingPeriod, department_id: int) -> list[SheetEntry]:
    _check_meta(workbook, period, department_id)
    _check_headers(sheet)
    if (sheet.max_row or 0) > FIRST_ROW + MAX_ROWS:  # the sheet's own <dimension>, if any
        raise _refuse(_("表格超过 %(rows)s 行。") % {"rows": MAX_ROWS})
    entries, problems = [], []
    fields = [column.field for column in COLUMNS]
    for number, values in enumerate(sheet.iter_rows(min_row=FIRST_ROW, max_col=len(COLUMNS),
                                                    values_only=True), FIRST_ROW):
        if number > FIRST_ROW + MAX_ROWS:  # empty rows count too: bounded time
            raise _refuse(_("表格超过 %(rows)s 行。") % {"rows": MAX_ROWS})
        if all(value is None or str(value).strip() == "" for value in values):
            continue
        if len(entries) + len(problems) >= MAX_ROWS:
            raise _refuse(_("表格超过 %(rows)s 行。") % {"rows": MAX_ROWS})
        cells = dict(zip(fields, values))
        entry = _entry(number, {f: cells.get(f) for f in fields if f}, problems)
        if entry is not None:
            entries.append(entry)
    if problems:
        raise SheetRejected(problems)
    return entries


def problem_rows(problems: list[SheetProblem]) -> list[dict]:
    """Problems as the page shows them: 第几行、哪一列、什么问题."""
    rows = []
    for problem in problems:
        letter, header = column_of(problem.field) if problem.field else ("", "")
        rows.append({"row": problem.row, "column": letter, "header": header,
                     "message": problem.message})
    return rows


