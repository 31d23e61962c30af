"""Plan documents → :class:`ParsedPlan` → one transactional load (see loader.py).

Formats are pure functions ``parse(text) -> ParsedPlan`` with a ``looks_like(text)`` test;
``auto`` takes the first format, in the order of :data:`FORMATS`, that recognises the text.
"""

import re
from pathlib import Path

from django.utils.translation import gettext, gettext_lazy

from common.i18n import join_list

from . import focus_areas, implementation_plan, numbered_areas, task_list, task_table
from .document import SCORE_THRESHOLD, ImportFailed, ParsedPlan, ParseScore
from .reading import EXTENSIONS, document_text

FORMATS = {
    module.NAME: module
    for module in (implementation_plan, task_table, focus_areas, numbered_areas, task_list)
}
FORMAT_LABELS = {
    implementation_plan.NAME: gettext_lazy("实施方案（带文号，〔牵头部门：…〕分工说明）"),
    task_table.NAME: gettext_lazy("任务分工表（任务 | 牵头单位 | 责任单位 | 完成时限）"),
    focus_areas.NAME: gettext_lazy("工作计划：### 重点领域 + **粗体标题**事项"),
    numbered_areas.NAME: gettext_lazy("工作计划：编号工作领域（1 聚焦……）+ 标题事项"),
    task_list.NAME: gettext_lazy("任务清单：一、（一）1. 编号任务 + （责任单位：…）/牵头单位：…"),
}
def read_document(path: Path) -> str:
    """The document's text (see reading.document_text)."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError as error:
        raise ImportFailed(gettext("找不到文件 %(path)s") % {"path": path}) from error
    return document_text(str(path), data)


def parse_document(text: str, fmt: str = "auto") -> ParsedPlan:
    """Parse ``text`` in format ``fmt``, or with ``auto`` in every format and keep the best.

    Each result is scored (:func:`score_of`); the format whose ``looks_like`` recognises the
    text keeps the document unless another reads it clearly better. The chosen plan carries
    its score and the others' (``alternatives``) for the preview.
    """
    if fmt != "auto":
        if fmt not in FORMATS:
            raise ImportFailed(gettext("未知格式 %(format)s（可选：%(formats)s）") % {
                "format": fmt, "formats": join_list(["auto", *FORMATS])})
        plan = FORMATS[fmt].parse(text)
        plan.score = score_of(plan)
        return plan
    results: list[tuple[ParseScore, ParsedPlan | None]] = []
    recognised_error: ImportFailed | None = None
    recognised_name = next((name for name, module in FORMATS.items() if module.looks_like(text)),
                           None)
    for name, module in FORMATS.items():
        try:
            plan = module.parse(text)
        except ImportFailed as error:
            results.append((ParseScore(name, 0, error=error.message), None))
            if name == recognised_name:
                recognised_error = error
        else:
            results.append((score_of(plan), plan))
    parsed = [(score, plan) for score, plan in results if plan is not None and plan.tasks]
    if recognised_error is not None and not (
            recognised_error.line in (None, 1) and _good(parsed)):
        # the document has the format's shape but breaks a rule (an error at line 1 says the
        # format's header is missing: the document is not of that format after all)
        raise _with_alternative(recognised_error, parsed)
    if recognised_error is not None:
        recognised_name = None
    if not parsed:
        try:
            implementation_plan.parse(text)  # names the first line it cannot understand
        except ImportFailed as error:
            raise ImportFailed(gettext("%(error)s；也不符合其他可识别的格式（%(formats)s），"
                                       "请检查文件内容或用 --format 指定格式") % {
                "error": error.message, "formats": join_list(FORMATS)}, error.line) from error
        raise ImportFailed(gettext("未找到任何任务"))
    best = max(parsed, key=lambda item: (item[0].score, item[0].tasks, item[0].rules))
    recognised = next((item for item in parsed if item[0].format == recognised_name), None)
    if recognised is not None and recognised[0].score >= best[0].score - PREFERENCE:
        best = recognised
    score, plan = best
    plan.score = score
    plan.alternatives = sorted((other for other, _ in results if other is not score),
                               key=lambda other: -other.score)
    return plan


def _good(parsed: list) -> bool:
    return any(score.score >= SCORE_THRESHOLD for score, _ in parsed)


def _with_alternative(error: ImportFailed, parsed: list) -> ImportFailed:
    """The recognised format's error, naming a format that reads the document instead."""
    good = [score for score, _ in parsed if score.score >= SCORE_THRESHOLD]
    if not good:
        return error
    best = max(good, key=lambda score: score.score)
    return ImportFailed(gettext("%(error)s（按“%(format)s”格式可读出 %(tasks)s 项任务，得分 "
                                "%(score)s；如确属该格式，请选择该格式导入）") % {
        "error": error.message, "format": best.format, "tasks": best.tasks,
        "score": best.score}, error.line)


PREFERENCE = 10  # points a recognised format may trail by and still keep its document


# a responsibility note or line: (…牵头…) 〔责任部门:…〕 牵头单位:…
UNIT_CUE = re.compile(r"[(（〔【\[][^()（）〔〕【】\[\]]*?(?:牵头|负责|配合|责任单位|责任部门)"
                      r"[^()（）〔〕【】\[\]]*[)）〕】\]]|(?:^|[。；;])\s*(?:牵头|责任|配合|协办)(?:单位|部门)\s*[:：]",
                      re.M)


def score_of(plan: ParsedPlan) -> ParseScore:
    """0–100: 70 for the share of tasks with units (in full when the document names no units
    at all: its tasks wait for the lead office), 30 for the share of lines after the first
    task that were read (tasks, notes) rather than left unrecognised."""
    tasks = plan.tasks
    if not tasks:
        return ParseScore(plan.source_format, 0)
    assigned = sum(1 for task in tasks if task.units)
    names_units = bool(UNIT_CUE.search(plan.source_text)) or assigned > 0
    first = min(task.line for task in tasks)
    unrecognised = sum(1 for line, _ in plan.unparsed if line > first)
    read = len(tasks) / (len(tasks) + unrecognised)
    value = round(70 * (assigned / len(tasks) if names_units else 1) + 30 * read)
    return ParseScore(plan.source_format, value, tasks=len(tasks), assigned=assigned,
                      unrecognised=unrecognised, rules=len(plan.rules))


__all__ = ["EXTENSIONS", "FORMATS", "FORMAT_LABELS", "ImportFailed", "ParseScore", "ParsedPlan",
           "document_text", "parse_document", "read_document", "score_of"]
