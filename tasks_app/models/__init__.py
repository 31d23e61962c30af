"""The domain of Duban, split by sub-domain."""

from .calendar import CalendarDay
from .cycle import Assessment, AssessmentEntry, Bulletin, DepartmentScore, Meeting, MeetingDecision
from .exports import ExportJob
from .imports import ImportDraft
from .lifecycle import (
    CompletionRequest,
    ExtensionRequest,
    InstructionReply,
    LeaderInstruction,
    SlipItem,
    SlipSequence,
    SupervisionSlip,
)
from .plans import Driver, Plan, Schedule
from .reports import Attachment, ProgressReport, ReportingPeriod, TaskSummary
from .targets import Target, TargetAssignment, TargetReading
from .tasks import Assignment, Milestone, Task, TaskEvent

__all__ = [
    "Assessment", "AssessmentEntry", "Assignment", "Attachment", "Bulletin", "CalendarDay",
    "CompletionRequest", "DepartmentScore", "Driver", "ExportJob", "ExtensionRequest",
    "ImportDraft", "InstructionReply",
    "LeaderInstruction",
    "Meeting", "MeetingDecision", "Milestone", "Plan", "ProgressReport", "ReportingPeriod",
    "Schedule", "SlipItem", "SlipSequence", "SupervisionSlip", "Target", "TargetAssignment",
    "TargetReading", "Task", "TaskEvent", "TaskSummary",
]
