"""Annual assessments (年度考核): compute, publish, contest, adjust, finalise; compute when due.

The path of an assessment: 测算中 (draft, the lead office computes and recomputes) →
已公示 (published: every department sees the ranking with formulas and inputs, a
department head may contest the department's score with a reason; the lead office answers
by adjusting the score with a reason) → 已定稿 (final: ranks fixed, no more contests).
The rules and their weights are in :mod:`.assessment_rules`.
"""

import datetime
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.bulk import insert_rows
from common.i18n import join_list, site_language
from departments.access import access_for

from ..models import Assessment, AssessmentEntry, DepartmentScore, Plan
from ..record_dates import assessment_year_due, sending_time
from ..selectors.reporting import tracked_periods
from .assessment_rules import (
    RULES,
    Context,
    Measure,
    Scoring,
    clean_weights,
    default_weights,
    department_score,
    q2,
)
from .exports import pdf_store_later

ADJUSTMENT_LIMIT = Decimal(100)


def _check_lead_office(user: User | None, action: str) -> None:
    if user is not None and not access_for(user).is_lead_office:
        raise PermissionDenied(_("只有牵头办公室可以%(action)s。") % {"action": action})


def _context(assessment: Assessment, now: datetime.datetime) -> Context:
    today = timezone.localtime(now).date()
    months = [datetime.date(assessment.year, month, 1) for month in range(1, 13)]
    periods = [p for p in tracked_periods(assessment.plan, months) if p.deadline < today]
    return Context(assessment=assessment, plan=assessment.plan, year=assessment.year,
                   weights=clean_weights(assessment.weights or {}), periods=periods,
                   today=today)


def _measures(ctx: Context) -> dict[int, dict[str, Measure]]:
    """Department id → rule key → measure, for every department some rule measured."""
    result: dict[int, dict[str, Measure]] = defaultdict(dict)
    for rule in RULES:
        for department_id, measure in rule.measure(ctx).items():
            result[department_id][rule.key] = measure
    return result


def _scored(measures: dict[str, Measure]) -> bool:
    """A department is scored when a weighted rule applies to it or it has adjustments."""
    return any(measure.share is not None or measure.points for measure in measures.values())


def _ranks(totals: list[Decimal]) -> list[int]:
    """Competition ranks (1, 1, 3…) of the totals, in their order: one more than the number
    of greater totals, so ties share a rank (the page lists a tie by department name)."""
    ordered = sorted(totals, reverse=True)
    first: dict[Decimal, int] = {}
    for position, total in enumerate(ordered, start=1):
        first.setdefault(total, position)
    return [first[total] for total in totals]


def _rank_again(scores: list[DepartmentScore], ranks: list[int]) -> None:
    """Set the scores' ranks, updating the rows whose rank changed (one query, if any)."""
    moved = []
    for score, rank in zip(scores, ranks, strict=True):
        if score.rank != rank:
            score.rank = rank
            moved.append(score)
    if moved:
        DepartmentScore.objects.bulk_update(moved, ["rank"])


def _rerank(assessment: Assessment) -> None:
    """Rank the assessment's scores again (after an adjustment). Two queries at most."""
    scores = list(assessment.scores.defer("components"))
    _rank_again(scores, _ranks([s.total for s in scores]))


_KEPT_FIELDS = ("id", "adjustment", "adjustment_reason", "contest_state", "contest_reason",
                "contest_reply", "contested_by_id")


def _compute_scores(assessment: Assessment, now: datetime.datetime, *,
                    created: bool = False) -> None:
    """Write every department's components, totals and rank; keep adjustments and contests.

    The rescored rows are deleted and inserted again with their ids (one DELETE, one or two
    INSERTs of one JSON document, common.bulk — an UPDATE of every row's formulas costs
    Django a CASE per row and field); a row no rule measures any more is kept only while
    it holds an adjustment or a contest.
    A fixed number of queries whatever the number of departments (tests/test_assessments.py).
    """
    ctx = _context(assessment, now)
    existing = {} if created else {  # a row created just now has no scores
        score.department_id: score for score in assessment.scores.defer("components")}
    recomputing = bool(existing)
    rows: list[dict] = []  # the rescored rows, as insert_rows takes them
    scoring = Scoring.current(ctx.weights)
    for department_id, measures in _measures(ctx).items():
        if not _scored(measures):
            continue
        components, computed = department_score(measures, scoring)
        held = existing.pop(department_id, None)
        row = ({name: getattr(held, name) for name in _KEPT_FIELDS} if held
               else {"adjustment": Decimal(0)})
        row.update(assessment_id=assessment.pk, department_id=department_id,
                   components=components, computed_total=computed,
                   total=q2(computed + row["adjustment"]))
        rows.append(row)
    kept = [s for s in existing.values() if s.adjustment or s.contest_state]
    ranks = _ranks([r["total"] for r in rows] + [s.total for s in kept])
    for row, rank in zip(rows, ranks[:len(rows)], strict=True):
        row["rank"] = rank
    if recomputing:
        assessment.scores.exclude(pk__in=[s.pk for s in kept]).delete()
    insert_rows(DepartmentScore, rows)
    _rank_again(kept, ranks[len(rows):])
    if assessment.computed_at != now:  # a row created just now has it
        assessment.computed_at = now
        Assessment.objects.filter(pk=assessment.pk).update(computed_at=now)


def _locked(assessment: Assessment) -> Assessment:
    return (Assessment.objects.select_for_update(of=("self",)).select_related("plan")
            .get(pk=assessment.pk))


@transaction.atomic
def assessment_compute(plan: Plan, year: int, *, actor: User | None = None,
                       now: datetime.datetime | None = None) -> Assessment:
    """Compute (or recompute) the year's scores; refused once the assessment is final."""
    _check_lead_office(actor, _("测算年度考核"))
    now = now or timezone.now()
    assessment, created = (  # locked, whether found or created (computed now: atomic)
        Assessment.objects.select_for_update(of=("self",)).select_related("plan")
        .get_or_create(plan=plan, year=year,
                       defaults={"weights": default_weights(), "computed_at": now}))
    if assessment.state == Assessment.State.FINAL:
        raise ValidationError({"state": _("考核结果已定稿，不能重新测算。")})
    if not assessment.weights:
        assessment.weights = default_weights()
        assessment.save(update_fields=["weights"])
    with site_language():  # the formulas are kept as written, in the site's language
        _compute_scores(assessment, now, created=created)
    return assessment


@transaction.atomic
def assessment_entry_save(*, entry: AssessmentEntry, user: User) -> AssessmentEntry:
    """Record (or correct) a bonus or deduction item; counted at the next computation."""
    _check_lead_office(user, _("记录加减分项"))
    if user is None:
        raise PermissionDenied(_("加减分项必须由牵头办公室人员记录。"))
    if _locked(entry.assessment).state == Assessment.State.FINAL:
        raise ValidationError({"points": _("考核结果已定稿，不能再记录加减分项。")})
    entry.reason = (entry.reason or "").strip()
    if entry.created_by_id is None:
        entry.created_by = user
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def assessment_publish(*, assessment: Assessment, user: User | None = None) -> Assessment:
    """Show the computed ranking to every department; contests are open from now on."""
    _check_lead_office(user, _("公示考核结果"))
    now = timezone.now()
    claimed = Assessment.objects.filter(
        pk=assessment.pk, state=Assessment.State.DRAFT, computed_at__isnull=False,
    ).update(state=Assessment.State.PUBLISHED, published_at=now)
    if claimed != 1:
        current = Assessment.objects.get(pk=assessment.pk)
        if current.computed_at is None:
            raise ValidationError({"state": _("请先测算考核得分，再公示。")})
        raise ValidationError({"state": _("考核结果%(state)s，不能再次公示。")
                               % {"state": current.get_state_display()}})
    return Assessment.objects.select_related("plan").get(pk=assessment.pk)


def _locked_score(score: DepartmentScore) -> tuple[DepartmentScore, Assessment]:
    assessment = _locked(score.assessment)
    return DepartmentScore.objects.select_for_update().get(pk=score.pk), assessment


@transaction.atomic
def score_contest(*, score: DepartmentScore, user: User, reason: str) -> DepartmentScore:
    """The department's head contests its score, with a reason, while it is not final."""
    if not access_for(user).heads(score.department_id):
        raise PermissionDenied(_("只有本部门负责人可以对本部门的得分提出申诉。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写申诉理由。")})
    score, assessment = _locked_score(score)
    if assessment.state == Assessment.State.FINAL:
        raise ValidationError({"reason": _("考核结果已定稿，不能再申诉。")})
    if assessment.state != Assessment.State.PUBLISHED:
        raise ValidationError({"reason": _("考核结果尚未公示。")})
    if score.contest_state == DepartmentScore.ContestState.CONTESTED:
        raise ValidationError({"reason": _("已提出申诉，请等待牵头办公室答复。")})
    score.contest_state = DepartmentScore.ContestState.CONTESTED
    score.contest_reason, score.contested_by = reason.strip(), user
    score.contest_reply = ""
    score.save(update_fields=["contest_state", "contest_reason", "contested_by",
                              "contest_reply"])
    return score


def _adjustment(value) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if not number.is_finite() or abs(number) > ADJUSTMENT_LIMIT:
        raise ValidationError({"adjustment": _("调整分必须是 -100 到 100 之间的数字。")})
    return q2(number)


@transaction.atomic
def score_adjust(*, score: DepartmentScore, user: User, adjustment, reason: str
                 ) -> DepartmentScore:
    """The lead office sets the score's adjustment, with a reason; this answers a contest."""
    _check_lead_office(user, _("调整考核得分"))
    if user is None:
        raise PermissionDenied(_("调整考核得分必须由牵头办公室人员操作。"))
    adjustment = _adjustment(adjustment)
    if not (reason or "").strip():
        raise ValidationError({"adjustment_reason": _("调整得分必须填写理由。")})
    score, assessment = _locked_score(score)
    if assessment.state == Assessment.State.FINAL:
        raise ValidationError({"adjustment": _("考核结果已定稿，不能再调整。")})
    score.adjustment, score.adjustment_reason = adjustment, reason.strip()
    score.total = q2(score.computed_total + adjustment)
    if score.contest_state == DepartmentScore.ContestState.CONTESTED:
        score.contest_state = DepartmentScore.ContestState.RESOLVED
        score.contest_reply = reason.strip()
    score.save(update_fields=["adjustment", "adjustment_reason", "total", "contest_state",
                              "contest_reply"])
    _rerank(assessment)
    score.refresh_from_db(fields=["rank"])
    return score


@transaction.atomic
def assessment_finalise(*, assessment: Assessment, user: User) -> Assessment:
    """Fix the ranking. Every contest must have been answered; no contest after this."""
    _check_lead_office(user, _("考核定稿"))
    if user is None:
        raise PermissionDenied(_("考核定稿必须由牵头办公室人员操作。"))
    assessment = _locked(assessment)
    if assessment.state != Assessment.State.PUBLISHED:
        message = (_("考核结果已定稿。") if assessment.state == Assessment.State.FINAL
                   else _("请先公示考核结果，听取各部门意见后再定稿。"))
        raise ValidationError({"state": message})
    pending = list(assessment.scores.filter(
        contest_state=DepartmentScore.ContestState.CONTESTED
    ).values_list("department__name", flat=True))
    if pending:
        raise ValidationError({"state": _("以下部门的申诉尚未答复：%(departments)s。")
                               % {"departments": join_list(pending)}})
    _rerank(assessment)
    assessment.state, assessment.finalised_at = Assessment.State.FINAL, timezone.now()
    assessment.save(update_fields=["state", "finalised_at"])
    pdf_store_later("assessment", assessment.pk)  # rendered once, served from storage
    return assessment


def assessments_compute_due(now: datetime.datetime) -> list[Assessment]:
    """Compute and publish every active plan's assessment due at ``now``; return new ones.

    Due: the latest year whose assessment day (Schedule.assessment_month/day of the next
    year, moved to a working day) has come, for years from the plan's tracking start on;
    published on a working day from the plan's send time, when its announcement goes out.
    The row is claimed (draft → published) before computing: safe to run twice or at once.
    """
    today = timezone.localtime(now).date()
    due: dict[int, tuple[Plan, int]] = {}
    for plan in Plan.objects.filter(is_active=True, schedule__isnull=False).select_related(
            "schedule"):
        if not sending_time(plan.schedule, now):
            continue
        year = assessment_year_due(plan.schedule, today)
        if year >= plan.tracking_start.year:
            due[plan.pk] = (plan, year)
    done = set(Assessment.objects.filter(plan_id__in=due).exclude(
        state=Assessment.State.DRAFT).values_list("plan_id", "year"))
    published = []
    for plan, year in due.values():
        if (plan.pk, year) in done:
            continue
        with transaction.atomic():
            assessment, _created = Assessment.objects.get_or_create(
                plan=plan, year=year, defaults={"weights": default_weights()})
            claimed = Assessment.objects.filter(
                pk=assessment.pk, state=Assessment.State.DRAFT,
            ).update(state=Assessment.State.PUBLISHED, published_at=now)
            if claimed != 1:
                continue
            assessment = _locked(assessment)
            _compute_scores(assessment, now)
        published.append(assessment)
    return published
