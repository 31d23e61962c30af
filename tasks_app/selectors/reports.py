"""Read paths for progress reports."""

from django.db.models import QuerySet

from departments.access import Access

from ..models import ProgressReport
from ..permissions import visible_reports


def report_list(access: Access) -> QuerySet[ProgressReport]:
    """Reports the user may see, with what a list shows loaded in the same query."""
    return visible_reports(access).select_related(
        "task", "department", "period", "submitted_by", "head_reviewed_by", "reviewed_by",
        "updated_by")
