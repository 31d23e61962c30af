"""The rules of the annual assessment (年度考核), one function per rule.

A *weighted* rule measures a share (0…1) per department and earns share × its weight in
points; the weights of the weighted rules add up to 100. A weighted rule that does not
apply to a department (no tasks due, no targets…) is left out and the department's points
are scaled back to 100, so nobody loses points for work it was never given. An
*adjustment* rule adds or deducts points directly (returned reports, bonus and deduction
items, and the lifecycle's inputs from :mod:`.assessment_lifecycle`: late
acknowledgements, extensions, refused completions, 督办单 received). To add an input, write a
measure function and append a :class:`Rule` to ``RULES``.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from common.i18n import StrOrPromise, join_list

from ..attainment import attainment
from ..choices import EventKind, PartState, ReportState, TargetKind, TaskStatus
from ..models import (
    Assessment,
    AssessmentEntry,
    Assignment,
    MeetingDecision,
    Plan,
    ReportingPeriod,
    TargetAssignment,
    TargetReading,
    TaskEvent,
)
from ..selectors.reporting import reporting_compliance
from .assessment_lifecycle import (
    measure_extensions,
    measure_late_acknowledgements,
    measure_refused_completions,
    measure_slips,
)

CENT = Decimal("0.01")


@dataclass
class Context:
    """What every rule may read: the assessment, its year, weights and report periods."""

    assessment: Assessment
    plan: Plan
    year: int
    weights: dict[str, Decimal]
    periods: list[ReportingPeriod]
    today: datetime.date


@dataclass
class Measure:
    """A rule's reading for one department. Weighted rules set ``share`` (None: does not
    apply) and ``text`` (e.g. "按时报送率 92.0%"); adjustment rules set ``points`` and
    ``text`` (the whole formula)."""

    inputs: dict
    text: str
    share: float | None = None
    points: Decimal = Decimal(0)


@dataclass(frozen=True)
class Rule:
    key: str
    name: StrOrPromise
    weighted: bool
    measure: Callable[[Context], dict[int, Measure]]
    defaults: dict[str, Decimal] = field(default_factory=dict)
    labels: dict[str, StrOrPromise] = field(default_factory=dict)


def q2(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def measure_timeliness(ctx: Context) -> dict[int, Measure]:
    totals = reporting_compliance(ctx.plan, ctx.periods)
    # Translated once, not per department (as in every measure below).
    expected, on_time, late, missing = _("应报送"), _("按时报送"), _("逾期报送"), _("未报送")
    formula = _("按时报送率 %(on_time)s ÷ %(expected)s = %(rate)s")
    nothing = _("本年度无应报送的进展")
    return {dept: Measure(
        inputs={expected: c.expected, on_time: c.on_time, late: c.late, missing: c.missing},
        share=c.rate,
        text=(formula % {"on_time": c.on_time, "expected": c.expected, "rate": pct(c.rate)}
              if c.rate is not None else nothing),
    ) for dept, c in totals.items()}


def measure_completion(ctx: Context) -> dict[int, Measure]:
    """Tasks due in the year: completed by the due date (full), later (partly), or not.

    One query of the tasks' parts (not transferred or suspended), groups expanded to their
    members; a department counts once per task, through its own part if it has one."""
    parts = (Assignment.objects
             .filter(task__plan=ctx.plan, task__due_on__year=ctx.year)
             .exclude(task__status=TaskStatus.SUSPENDED)
             .exclude(state__in=(PartState.TRANSFERRED, PartState.SUSPENDED))
             .filter(Q(department__isnull=False) | Q(group__members__isnull=False))
             .annotate(dept=Coalesce("department_id", "group__members__id"),
                       done_on=TruncDate("task__closed_at"))
             .order_by()
             .values_list("task_id", "dept", "department_id", "task__status", "done_on",
                          "task__due_on"))
    named: set[tuple[int, int]] = set()
    tasks: dict[int, dict[int, tuple[bool, bool]]] = defaultdict(dict)  # dept → task → flags
    for task_id, dept, direct, status, done_on, due_on in sorted(
            parts, key=lambda row: row[2] is None):  # own parts first
        if direct is not None:
            named.add((task_id, dept))
        elif (task_id, dept) in named:
            continue
        completed = status == TaskStatus.COMPLETED
        tasks[dept][task_id] = (completed,
                                completed and done_on is not None and done_on <= due_on)
    counts = {dept: (len(flags), sum(on_time for _done, on_time in flags.values()),
                     sum(done for done, _on_time in flags.values()))
              for dept, flags in tasks.items()}
    credit = ctx.weights["late_completion_credit"]
    credit_text = _n(credit)
    labels = _("年内到期"), _("按期办结"), _("逾期办结"), _("未办结")
    formula = _("按期完成率 (%(on_time)s + %(late)s × %(credit)s) ÷ %(due)s = %(rate)s")
    nothing = _("本年度无到期任务")
    result: dict[int, Measure] = {}
    for dept, (due, on_time, done) in counts.items():
        late = done - on_time
        share = float((on_time + late * credit) / due) if due else None
        result[dept] = Measure(
            inputs=dict(zip(labels, (due, on_time, late, due - done), strict=True)),
            share=share,
            text=(formula % {"on_time": on_time, "late": late, "credit": credit_text, "due": due,
                             "rate": pct(share)} if share is not None else nothing),
        )
    return result


def _n(value: Decimal) -> str:
    """A weight as written: 30, 0.5."""
    return f"{value.normalize():f}"


def measure_targets(ctx: Context) -> dict[int, Measure]:
    """Targets of the year (or without a year): the year's latest reading ÷ target value.
    A target without any reading in the year counts as 0%. One query: each department on
    a target (directly, or as a member of a group named on it) with the target's figures."""
    latest = (TargetReading.objects.filter(target=OuterRef("target_id"), month__year=ctx.year)
              .order_by("-month").values("value")[:1])
    rows = (TargetAssignment.objects
            .filter(target__plan=ctx.plan, target__value__isnull=False,
                    target__kind__in=TargetKind.values)
            .filter(Q(target__year=ctx.year) | Q(target__year__isnull=True))
            .filter(Q(department__isnull=False) | Q(group__members__isnull=False))
            .annotate(dept=Coalesce("department_id", "group__members__id"),
                      actual=Subquery(latest))
            .order_by("target_id")
            .values_list("target_id", "dept", "target__kind", "target__value", "actual"))
    per_dept: dict[int, dict[int, float]] = defaultdict(dict)  # dept → target → share
    for target_id, dept, kind, value, actual in rows:
        per_dept[dept][target_id] = ((attainment(kind, value, actual) or 0.0)
                                     if actual is not None else 0.0)
    count_label, rate_label = _("考核指标数"), _("平均达成率")
    formulas: dict[int, str] = {}  # by count (the plural form depends on it)
    result = {}
    for dept, by_target in per_dept.items():
        count, share = len(by_target), sum(by_target.values()) / len(by_target)
        if count not in formulas:
            formulas[count] = ngettext("指标平均达成率 %(rate)s（%(count)d 项）",
                                       "指标平均达成率 %(rate)s（%(count)d 项）", count)
        result[dept] = Measure(
            inputs={count_label: count, rate_label: pct(share)}, share=share,
            text=formulas[count] % {"rate": pct(share), "count": count})
    return result


def measure_decisions(ctx: Context) -> dict[int, Measure]:
    """Meeting decisions of the year assigned to the department: share closed (落实)."""
    closed = Q(is_closed=True) | Q(follow_up_task__status=TaskStatus.COMPLETED)
    rows = (MeetingDecision.objects.filter(meeting__plan=ctx.plan,
                                           meeting__held_on__year=ctx.year,
                                           departments__isnull=False)
            .values(dept=F("departments")).order_by()
            .annotate(total=Count("id", distinct=True),
                      closed=Count("id", distinct=True, filter=closed)))
    total, closed_label = _("议定事项"), _("已落实")
    formula = _("会议议定事项落实率 %(closed)s ÷ %(total)s = %(rate)s")
    return {row["dept"]: Measure(
        inputs={total: row["total"], closed_label: row["closed"]},
        share=row["closed"] / row["total"],
        text=formula % {"closed": row["closed"], "total": row["total"],
                        "rate": pct(row["closed"] / row["total"])},
    ) for row in rows}


def measure_returned(ctx: Context) -> dict[int, Measure]:
    """Each time a report of the year was returned (by the head or the reviewer)."""
    per, cap = ctx.weights["returned_per_report"], ctx.weights["returned_max"]
    rows = (TaskEvent.objects.filter(kind=EventKind.REVIEW, field="report_state",
                                     after=ReportState.RETURNED,
                                     report__period__in=ctx.periods)
            .values("department_id").order_by().annotate(n=Count("id")))
    label = _("被退回次数")
    formula = _("被退回 %(count)s 次 × %(per)s 分 = 扣 %(points)s 分（最多扣 %(cap)s 分）")
    result = {}
    for row in rows:
        points = -min(row["n"] * per, cap)
        result[row["department_id"]] = Measure(
            inputs={label: row["n"]}, points=q2(points),
            text=formula % {"count": row["n"], "per": _n(per), "points": _n(q2(-points)),
                            "cap": _n(cap)},
        )
    return result


def measure_entries(ctx: Context) -> dict[int, Measure]:
    """Bonus and deduction items the lead office recorded (加减分项), each side capped."""
    bonus_max, deduction_max = ctx.weights["bonus_max"], ctx.weights["deduction_max"]
    rows = (AssessmentEntry.objects.filter(assessment=ctx.assessment)
            .values("department_id").order_by()
            .annotate(bonus=Sum("points", filter=Q(points__gt=0), default=0),
                      deduction=Sum("points", filter=Q(points__lt=0), default=0),
                      n=Count("id")))
    labels = _("加减分项"), _("加分"), _("扣分")
    formula = _("加分 %(bonus)s 分（最多 %(bonus_max)s 分），扣分 %(deduction)s 分"
                "（最多 %(deduction_max)s 分）")
    result = {}
    for row in rows:
        bonus = min(Decimal(row["bonus"]), bonus_max)
        deduction = max(Decimal(row["deduction"]), -deduction_max)
        result[row["department_id"]] = Measure(
            inputs=dict(zip(labels, (row["n"], _n(q2(row["bonus"])), _n(q2(row["deduction"]))),
                            strict=True)),
            points=q2(bonus + deduction),
            text=formula % {
                "bonus": _n(q2(bonus)), "bonus_max": _n(bonus_max),
                "deduction": _n(q2(-deduction)), "deduction_max": _n(deduction_max)},
        )
    return result


D = Decimal
RULES: list[Rule] = [
    Rule("timeliness", gettext_lazy("报送及时性"), True, measure_timeliness,
         {"timeliness": D(30)}, {"timeliness": gettext_lazy("报送及时性（满分）")}),
    Rule("completion", gettext_lazy("任务按期完成"), True, measure_completion,
         {"completion": D(40), "late_completion_credit": D("0.5")},
         {"completion": gettext_lazy("任务按期完成（满分）"),
          "late_completion_credit": gettext_lazy("逾期办结计分比例（0~1）")}),
    Rule("targets", gettext_lazy("目标指标达成"), True, measure_targets, {"targets": D(20)},
         {"targets": gettext_lazy("目标指标达成（满分）")}),
    Rule("decisions", gettext_lazy("会议议定事项落实"), True, measure_decisions,
         {"decisions": D(10)}, {"decisions": gettext_lazy("会议议定事项落实（满分）")}),
    Rule("returned", gettext_lazy("报送被退回"), False, measure_returned,
         {"returned_per_report": D(1), "returned_max": D(10)},
         {"returned_per_report": gettext_lazy("每次退回扣分"),
          "returned_max": gettext_lazy("退回扣分上限")}),
    Rule("late_ack", gettext_lazy("逾期签收"), False, measure_late_acknowledgements,
         {"late_ack_per": D("0.5"), "late_ack_max": D(5)},
         {"late_ack_per": gettext_lazy("每次逾期签收扣分"),
          "late_ack_max": gettext_lazy("逾期签收扣分上限")}),
    Rule("extensions", gettext_lazy("申请延期"), False, measure_extensions,
         {"extension_per": D("0.5"), "extension_max": D(5)},
         {"extension_per": gettext_lazy("每次获批延期扣分"),
          "extension_max": gettext_lazy("延期扣分上限")}),
    Rule("refused_completions", gettext_lazy("办结未通过"), False, measure_refused_completions,
         {"refused_completion_per": D(1), "refused_completion_max": D(5)},
         {"refused_completion_per": gettext_lazy("每次不同意办结或需要整改扣分"),
          "refused_completion_max": gettext_lazy("办结未通过扣分上限")}),
    Rule("slips", gettext_lazy("收到督办单"), False, measure_slips,
         {"slip_per": D(1), "slip_max": D(10)},
         {"slip_per": gettext_lazy("每份督办单扣分"), "slip_max": gettext_lazy("督办单扣分上限")}),
    Rule("entries", gettext_lazy("加减分项"), False, measure_entries,
         {"bonus_max": D(5), "deduction_max": D(10)},
         {"bonus_max": gettext_lazy("加分上限"), "deduction_max": gettext_lazy("扣分上限")}),
]


def default_weights() -> dict[str, float]:
    """The rules' default weights as plain JSON (what the admin starts from)."""
    return {key: float(value) if value % 1 else int(value)
            for rule in RULES for key, value in rule.defaults.items()}


def weight_labels() -> dict[str, str]:
    return {key: str(label) for rule in RULES for key, label in rule.labels.items()}


def clean_weights(raw) -> dict[str, Decimal]:
    """Validated weights, defaults filled in for keys not given. Errors in Chinese."""
    if not isinstance(raw, dict):
        raise ValidationError({"weights": _("评分规则必须是“名称： 分值”的 JSON 对象。")})
    labels = weight_labels()
    unknown = sorted(set(raw) - set(labels))
    if unknown:
        message = _("未知的评分项：%(unknown)s。可用的评分项：%(known)s。")
        raise ValidationError({"weights": message % {
            "unknown": join_list(unknown), "known": join_list(labels)}})
    weights = {key: value for rule in RULES for key, value in rule.defaults.items()}
    for key, value in raw.items():
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            number = Decimal("NaN")
        if isinstance(value, bool) or not number.is_finite() or number < 0:
            raise ValidationError({"weights": _("“%(label)s”必须是不小于 0 的数字。")
                                   % {"label": labels[key]}})
        weights[key] = number
    if weights["late_completion_credit"] > 1:
        raise ValidationError({"weights": _("“逾期办结计分比例”不能大于 1。")})
    full = sum((weights[rule.key] for rule in RULES if rule.weighted), Decimal(0))
    if full != 100:
        parts = " + ".join(f"{rule.name} {_n(weights[rule.key])}" for rule in RULES
                           if rule.weighted)
        raise ValidationError(
            {"weights": _("各计分项满分合计须为 100 分，现为 %(parts)s = %(full)s。") % {
                "parts": parts, "full": _n(full)}})
    return weights


@dataclass(frozen=True)
class Scoring:
    """What :func:`department_score` needs that is the same for every department: the
    translated names and formula templates, the weights as written, and each rule's
    component for a department it did not measure (most departments, for most rules) —
    made once per computation, not for each department and rule."""

    weights: dict[str, Decimal]
    names: dict[str, str]
    weight_texts: dict[str, str]  # the weighted rules' weights as written: 30, 0.5
    full: Decimal  # the weighted rules' weights summed
    unmeasured: dict[str, dict]  # rule key → its component for a department it did not measure
    not_counted: str
    adjusted: str
    counted: str
    scaled: str
    scaled_input: str
    scaled_formula: str

    @classmethod
    def current(cls, weights: dict[str, Decimal]) -> "Scoring":
        """With ``weights``, in the active language."""
        names = {rule.key: str(rule.name) for rule in RULES}
        not_counted = _("%(reason)s，不计分（满分按比例折算）")
        no_data = not_counted % {"reason": _("无相关数据")}
        unmeasured = {rule.key: (
            _component(rule, names[rule.key], None, no_data, None, weights[rule.key])
            if rule.weighted else
            _component(rule, names[rule.key], None, _("无 = 0 分"), Decimal(0)))
            for rule in RULES}
        return cls(weights=weights, names=names,
                   weight_texts={rule.key: _n(weights[rule.key]) for rule in RULES
                                 if rule.weighted},
                   full=sum((weights[rule.key] for rule in RULES if rule.weighted), Decimal(0)),
                   unmeasured=unmeasured, not_counted=not_counted,
                   adjusted=_("%(text)s = %(points)s 分"),
                   counted=_("%(text)s × %(weight)s 分 = %(points)s 分"),
                   scaled=_("折算为百分制"), scaled_input=_("计分项满分合计"),
                   scaled_formula=_("%(summed)s ÷ %(counted)s × %(full)s = %(base)s 分"))


def _component(rule: Rule, name: str, measure: Measure | None, formula: str,
               points: Decimal | None, weight: Decimal | None = None) -> dict:
    return {"key": rule.key, "name": name, "formula": formula,
            "inputs": measure.inputs if measure else {},
            "points": None if points is None else float(points),
            "weight": None if weight is None else float(weight),
            "applicable": points is not None}


def department_score(measures: dict[str, Measure], scoring: Scoring
                     ) -> tuple[list[dict], Decimal]:
    """A department's components (name, formula in Chinese, inputs, points) and total.
    A rule that did not measure the department gives the component made once in
    ``scoring`` (the same object for every such department: they are only written)."""
    weighted: list[dict] = []
    adjustments: list[dict] = []
    earned, counted, adjusted = [], Decimal(0), Decimal(0)
    for rule in RULES:
        measure = measures.get(rule.key)
        if measure is None:
            (weighted if rule.weighted else adjustments).append(scoring.unmeasured[rule.key])
            continue
        name = scoring.names[rule.key]
        if not rule.weighted:
            adjustments.append(_component(
                rule, name, measure,
                scoring.adjusted % {"text": measure.text, "points": _n(measure.points)},
                measure.points))
            adjusted += measure.points
            continue
        weight = scoring.weights[rule.key]
        if measure.share is None:
            weighted.append(_component(rule, name, measure,
                                       scoring.not_counted % {"reason": measure.text}, None,
                                       weight))
            continue
        points = q2(Decimal(str(round(measure.share, 6))) * weight)
        earned.append(points)
        counted += weight
        weighted.append(_component(
            rule, name, measure, scoring.counted % {
                "text": measure.text, "weight": scoring.weight_texts[rule.key],
                "points": _n(points)},
            points, weight))
    full = scoring.full
    base = q2(sum(earned) / counted * full) if counted else Decimal(0)
    if counted and counted != full:
        summed = " + ".join(_n(p) for p in earned)
        summed = f"({summed})" if len(earned) > 1 else summed
        weighted.append({
            "key": "scaled", "name": scoring.scaled,
            "inputs": {scoring.scaled_input: _n(counted)},
            "formula": scoring.scaled_formula % {
                "summed": summed, "counted": _n(counted), "full": _n(full), "base": _n(base)},
            "points": float(base), "weight": float(full), "applicable": True})
    total = q2(base + adjusted)
    return weighted + adjustments, total
