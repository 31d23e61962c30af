"""The lifecycle's inputs to the annual assessment (年度考核), as deduction rules appended to
``assessment_rules.RULES``: late acknowledgements, approved extensions, refused completions
(不同意办结 or 需要整改) and 督办单 received in the year (signed, not voided). Each deducts
a configurable number of points per occurrence, up to a configurable cap (the assessment's
weights)."""

from collections.abc import Callable

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils.translation import gettext, gettext_lazy

from ..choices import PartState
from ..models import Assignment, CompletionRequest, ExtensionRequest, SupervisionSlip


def _late_acknowledgements(ctx) -> QuerySet:
    """Parts whose acknowledgement deadline fell in the year and that were acknowledged
    after it, or are still waiting past it."""
    parts = Assignment.objects.filter(plan=ctx.plan, department__isnull=False,
                                      ack_due_on__year=ctx.year)
    late = parts.annotate(acknowledged_on=TruncDate("acknowledged_at")).filter(
        Q(acknowledged_on__gt=F("ack_due_on"))
        | Q(acknowledged_at__isnull=True, state=PartState.PENDING_ACK,
            ack_due_on__lt=ctx.today))
    return late.values(dept=F("department_id"))


def _extensions(ctx) -> QuerySet:
    return (ExtensionRequest.objects
            .filter(assignment__task__plan=ctx.plan, state=ExtensionRequest.State.APPROVED,
                    decided_at__year=ctx.year)
            .values(dept=F("assignment__department_id")))


def _refused_completions(ctx) -> QuerySet:
    refused = (CompletionRequest.Decision.REJECTED, CompletionRequest.Decision.RECTIFY)
    return (CompletionRequest.objects
            .filter(task__plan=ctx.plan, decision__in=refused, decided_at__year=ctx.year)
            .values(dept=F("department_id")))


def _slips(ctx) -> QuerySet:
    """Signed slips of the year, not voided (drafts are proposals, not slips)."""
    return (SupervisionSlip.objects.filter(task__plan=ctx.plan, year=ctx.year,
                                           state__in=SupervisionSlip.COUNTED)
            .values(dept=F("department_id")))


def _deduction(rows: Callable, per_key: str, cap_key: str, what) -> Callable:
    """A measure: count per department × points each, capped. One grouped query."""
    def measure(ctx) -> dict:
        from .assessment_rules import Measure, _n, q2

        per, cap = ctx.weights[per_key], ctx.weights[cap_key]
        counts = rows(ctx).order_by().annotate(n=Count("dept")).values_list("dept", "n")
        label = str(what)  # translated once, not per department
        formula = gettext("%(what)s %(count)s 次 × %(per)s 分 = 扣 %(points)s 分"
                          "（最多扣 %(cap)s 分）")
        result = {}
        for dept, n in counts:
            points = -min(n * per, cap)
            result[dept] = Measure(
                inputs={label: n}, points=q2(points),
                text=formula % {"what": label, "count": n, "per": _n(per),
                                "points": _n(q2(-points)), "cap": _n(cap)})
        return result
    measure.__name__ = f"measure_{per_key}"
    return measure


measure_late_acknowledgements = _deduction(_late_acknowledgements, "late_ack_per",
                                           "late_ack_max", gettext_lazy("逾期签收"))
measure_extensions = _deduction(_extensions, "extension_per", "extension_max",
                                gettext_lazy("获批延期"))
measure_refused_completions = _deduction(_refused_completions, "refused_completion_per",
                                         "refused_completion_max", gettext_lazy("办结未通过"))
measure_slips = _deduction(_slips, "slip_per", "slip_max", gettext_lazy("收到督办单"))
