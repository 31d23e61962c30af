"""Import fidelity on a corpus of real plans with hand-written truth (``manage.py import_score``).

A truth file ``<name>.truth.json`` lists, per task in document order, its exact title, its lead
units, its responsible units and which of them are collective; ``files`` names the documents
(the same plan as text, Word, PDF …) it is the truth for. Each file is imported with ``auto``
(parsing only: nothing is written) and compared task by task, in order.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from departments.units import looks_like_group

from ..choices import AssignmentRole
from . import ImportFailed, parse_document, read_document
from .checks import plan_warnings
from .document import ParsedTask


@dataclass
class DocumentScore:
    file: str
    expected: int
    found: int = 0
    titles: int = 0
    units: int = 0
    dues_expected: int = 0  # tasks whose truth gives a deadline field ("due", null for none)
    dues: int = 0
    flagged: bool = False  # the preview warns (low score, units not read, lines not understood)
    format: str = ""
    score: int | None = None
    error: str = ""
    misses: tuple[str, ...] = ()


def is_collective(unit) -> bool:
    return unit.collective or looks_like_group(unit.name)


def _units(task: ParsedTask) -> tuple[set, set, set]:
    lead = {u.name for u in task.units if u.role == AssignmentRole.LEAD}
    responsible = {u.name for u in task.units if u.role != AssignmentRole.LEAD}
    return lead, responsible, {u.name for u in task.units if is_collective(u)}


def score_file(path: Path, truth: dict) -> DocumentScore:
    expected = truth["tasks"]
    result = DocumentScore(path.name, len(expected))
    try:
        plan = parse_document(read_document(path))
    except ImportFailed as error:
        result.error = str(error)
        return result
    result.found, result.format = len(plan.tasks), plan.source_format
    result.score = plan.score.score if plan.score else None
    result.flagged = bool(plan_warnings(plan))
    misses = []
    for index, want in enumerate(expected):
        task = plan.tasks[index] if index < len(plan.tasks) else None
        if task is not None and task.title == want["title"]:
            result.titles += 1
        else:
            misses.append(f"{index + 1} 标题 {task.title if task else '—'!r} ≠ {want['title']!r}")
        got = _units(task) if task is not None else (set(), set(), set())
        wanted = (set(want["lead"]), set(want["responsible"]), set(want["collective"]))
        if task is not None and got == wanted:
            result.units += 1
        else:
            misses.append(f"{index + 1} 单位 {got} ≠ {wanted}")
        if "due" in want:
            result.dues_expected += 1
            due = task.due_on.isoformat() if task is not None and task.due_on else None
            if task is not None and due == want["due"]:
                result.dues += 1
            else:
                misses.append(f"{index + 1} 时限 {due} ≠ {want['due']}")
    result.misses = tuple(misses)
    return result


def is_exact(score: DocumentScore) -> bool:
    return not score.error and score.found == score.expected == score.titles == score.units


def score_corpus(directory: Path) -> list[DocumentScore]:
    scores = []
    for truth_path in sorted(Path(directory).glob("*.truth.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        for name in truth["files"]:
            scores.append(score_file(truth_path.parent / name, truth))
    return scores
