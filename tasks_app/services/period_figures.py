"""Each period's count of reports past draft and the sum of their progress, kept with every
report write. The progress chart (overview, bulletin page) reads them: summing ten plans'
twelve months of reports took 8 ms of the overview's SQL at city scale, on every view.

A write moves the figures by its report's change (``F() + n``: two departments filing in
one period at once both count); a bulk load recounts them."""

from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from ..choices import ReportState
from ..models import ProgressReport, ReportingPeriod

Share = tuple[int, int]  # (reports, progress) one report adds to its period's figures


def report_share(report: ProgressReport) -> Share:
    """What the report, as it is now, adds to its period's figures."""
    if report.pk is None or report.state == ReportState.DRAFT:
        return 0, 0
    return 1, report.progress or 0


def period_figures_move(period_id: int, before: Share, after: Share) -> None:
    """One report's write: its share before and after, applied to its period."""
    reports, progress = after[0] - before[0], after[1] - before[1]
    if reports or progress:
        ReportingPeriod.objects.filter(pk=period_id).update(
            reports_past_draft=F("reports_past_draft") + reports,
            progress_past_draft=F("progress_past_draft") + progress)


def period_figures_recount(periods: QuerySet[ReportingPeriod]) -> int:
    """The periods' figures counted again from their reports (after reports were written in
    bulk, bypassing the write paths). One UPDATE."""
    past_draft = (ProgressReport.objects.filter(period=OuterRef("pk"))
                  .exclude(state=ReportState.DRAFT).order_by().values("period"))
    return periods.update(
        reports_past_draft=Coalesce(Subquery(past_draft.annotate(n=Count("*")).values("n")),
                                    Value(0)),
        progress_past_draft=Coalesce(
            Subquery(past_draft.annotate(total=Sum("progress")).values("total")), Value(0)))
