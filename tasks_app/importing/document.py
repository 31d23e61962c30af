"""The plain data structure every document format parses into, and the import error."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext

SCORE_THRESHOLD = 60


class ImportFailed(Exception):
    """A document that cannot be imported; ``line`` is 1-based (None when not line-bound)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(gettext("第%(line)s行：%(message)s") % {"line": line, "message": message}
                         if line else message)


@dataclass
class ParsedUnit:
    name: str  # exactly as written
    role: str  # AssignmentRole value
    collective: bool = False  # 各街道, 区级相关部门 …: one department group, not a department


@dataclass
class ParsedMilestone:
    title: str
    due_on: datetime.date | None = None


@dataclass
class ParsedTask:
    number: int
    title: str
    text: str
    line: int
    units: list[ParsedUnit] = field(default_factory=list)
    due_on: datetime.date | None = None
    milestones: list[ParsedMilestone] = field(default_factory=list)
    sources: list[tuple[str, list[str]]] = field(default_factory=list)  # note → unit names


@dataclass
class ParseScore:
    """How well a format read a document: the preview shows it, a low one needs a yes."""

    format: str
    score: int  # 0–100
    tasks: int = 0
    assigned: int = 0
    unrecognised: int = 0  # lines after the first task that no rule read
    rules: int = 0
    error: str = ""


@dataclass
class ParsedDriver:
    number: int
    title: str
    line: int
    tasks: list[ParsedTask] = field(default_factory=list)


@dataclass
class ParsedTarget:
    name: str
    value: Decimal | None
    unit: str
    year: int | None
    line: int
    kind: str = "quantity"
    qualifier: str = ""
    source_text: str = ""
    parent: str | None = None  # name of the parent target (其中 …)
    driver_number: int | None = None
    units: list[ParsedUnit] = field(default_factory=list)


@dataclass
class ParsedPlan:
    code: str
    title: str
    source_format: str
    issuer: str = ""
    signed_on: datetime.date | None = None
    published_on: datetime.date | None = None
    period_start: int | None = None
    period_end: int | None = None
    parent_policy: str = ""
    lead_office: str = ""  # unit name as written (resolved through aliases)
    drivers: list[ParsedDriver] = field(default_factory=list)
    targets: list[ParsedTarget] = field(default_factory=list)
    unparsed: list[tuple[int, str]] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)  # document-wide rules applied (verbatim)
    source_text: str = ""
    source_name: str = ""  # the file's name, set by the caller (parsing stays pure)
    score: ParseScore | None = None  # set by parse_document: this format's score
    alternatives: list[ParseScore] = field(default_factory=list)  # the other formats, best first

    @property
    def needs_confirmation(self) -> bool:
        """Below the threshold the import waits for an explicit yes."""
        return self.score is not None and self.score.score < SCORE_THRESHOLD

    @property
    def tasks(self) -> list[ParsedTask]:
        return [task for driver in self.drivers for task in driver.tasks]
