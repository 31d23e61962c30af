"""The quarterly 专题研究 (党工委、管委会每季度专题研究重点项目、重点任务和重大事项及发展建设中
突出问题): a meeting rule next to the monthly coordination meeting, with its own pack.

The rule: when the plan's schedule has ``quarterly_review`` on, the review is held in the
last month of each quarter on ``quarterly_review_day`` (moved to the next working day when
it falls on a holiday), from the plan's tracking start on. Its pack goes to the lead office
and the managers ``meeting_pack_days_before`` working days before (the same setting as the
monthly pack); a worker down on that day sends it on the next run up to the meeting day.
The Meeting row (kind 季度专题研究) is created here when missing.

The pack is the quarter at a glance: the plan's tasks by health, the red tasks with the
problems the departments wrote this quarter, the matters flagged for coordination, the
indicators against their path (latest figure of the quarter) and the reports and figures
still missing for the last period due.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext

from common.formatting import cn_date
from notifications.choices import Kind
from notifications.drafts import Draft, draft_render
from notifications.links import page_url
from notifications.models import Notification
from notifications.summaries import summaries_record, summary_histories, trend_text

from ...attainment import is_behind, target_expected
from ...choices import Health, ReportState, TaskStatus
from ...health import with_health
from ...models import Meeting, Plan, ProgressReport, Target, TargetReading, Task
from ...record_dates import quarter_months, quarter_of
from ...workdays import add_working_days, on_or_after
from ..context import CycleContext

TEMPLATE = "quarterly_pack"
HEALTH_ORDER = (Health.RED, Health.YELLOW, Health.GREEN, Health.STALE, Health.UNASSIGNED)


def quarterly_review_day(plan: Plan, year: int, quarter: int) -> datetime.date:
    """The quarter's 专题研究: its last month's ``quarterly_review_day``, on a working day."""
    last = quarter_months(year, quarter)[-1]
    return on_or_after(last.replace(day=plan.schedule.quarterly_review_day))


def quarterly_review_due(plan: Plan, today: datetime.date) -> datetime.date | None:
    """The review whose pack is due today (pack day ≤ today ≤ review day), if any."""
    schedule = plan.schedule
    if not schedule.quarterly_review:
        return None
    held_on = quarterly_review_day(plan, *quarter_of(today))
    pack_day = add_working_days(held_on, -schedule.meeting_pack_days_before)
    if pack_day <= today <= held_on and held_on >= plan.tracking_start:
        return held_on
    return None


@dataclass
class QuarterPack:
    plan: Plan
    meeting: Meeting
    year: int
    quarter: int
    health: list[tuple[str, int]] = field(default_factory=list)
    tasks: int = 0
    completed: int = 0
    red: list[dict] = field(default_factory=list)
    flagged: list[ProgressReport] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)
    missing_reports: list[tuple[str, int]] = field(default_factory=list)
    missing_readings: list[tuple[str, list[str]]] = field(default_factory=list)


def _tasks(ctx: CycleContext, pack: QuarterPack, months: list[datetime.date]) -> None:
    """Counts by health, and the red tasks with this quarter's problems. Two queries."""
    tasks = list(with_health(Task.objects.filter(plan=pack.plan), ctx.now)
                 .exclude(status=TaskStatus.SUSPENDED).order_by("number")
                 .values("id", "number", "title", "due_on", "progress", "status", "health"))
    counts = Counter(task["health"] for task in tasks)
    pack.tasks = len(tasks)
    pack.completed = sum(task["status"] == TaskStatus.COMPLETED for task in tasks)
    pack.health = [(str(Health(h).label), counts[h]) for h in HEALTH_ORDER if counts[h]]
    red = [task for task in tasks if task["health"] == Health.RED]
    problems = defaultdict(list)
    for task_id, name, text in (ProgressReport.objects
                                .filter(period__plan=pack.plan, period__month__in=months,
                                        task_id__in=[t["id"] for t in red])
                                .exclude(problems="").exclude(state=ReportState.DRAFT)
                                .order_by("department__name", "-period__month")
                                .values_list("task_id", "department__name", "problems")):
        line = gettext("%(department)s：%(problem)s") % {"department": name, "problem": text}
        if line not in problems[task_id]:
            problems[task_id].append(line)
    pack.red = [{**task, "due": cn_date(task["due_on"]), "problems": problems[task["id"]]}
                for task in red]


def _flagged(pack: QuarterPack, months: list[datetime.date]) -> None:
    pack.flagged = list(ProgressReport.objects
                        .filter(period__plan=pack.plan, period__month__in=months,
                                needs_coordination=True)
                        .exclude(state=ReportState.DRAFT).select_related("task", "department")
                        .order_by("task__number", "department__name", "-period__month"))


def _indicators(pack: QuarterPack, months: list[datetime.date]) -> None:
    """Each target's latest figure in the quarter against its path. Two queries."""
    targets = list(Target.objects.filter(plan=pack.plan).select_related("plan")
                   .order_by("position", "id"))
    latest: dict[int, TargetReading] = {}
    for reading in (TargetReading.objects.filter(target__in=targets, month__in=months)
                    .order_by("month")):
        latest[reading.target_id] = reading
    rows = []
    for target in targets:
        reading = latest.get(target.pk)
        expected = (target_expected(target, reading.month, reading.is_year_to_date)
                    if reading else None)
        rows.append({
            "name": target.name, "unit": target.unit, "target": target.value,
            "reading": reading, "expected": expected,
            "behind": bool(reading and is_behind(target.kind, expected, reading.value)),
        })
    pack.indicators = rows


def _missing(ctx: CycleContext, pack: QuarterPack) -> None:
    """Reports and figures still owed for the plan's last period due (no query: the cycle's
    context has them)."""
    period = ctx.chased_period(pack.plan)
    if period is None:
        return
    reports = Counter(row.department_name for row in ctx.missing.get(period.pk, []))
    pack.missing_reports = sorted(reports.items())
    readings = defaultdict(list)
    for row in ctx.missing_readings.get(period.pk, []):
        readings[row.department_name].append(row.target_name)
    pack.missing_readings = sorted(readings.items())


def quarterly_pack_drafts(ctx: CycleContext) -> list[Draft]:
    packs = []
    for plan in ctx.plans:
        held_on = quarterly_review_due(plan, ctx.today) if ctx.sending(plan) else None
        if held_on is None:
            continue
        year, quarter = quarter_of(held_on)
        meeting, _ = Meeting.objects.get_or_create(
            plan=plan, kind=Meeting.Kind.QUARTERLY, held_on=held_on,
            defaults={"title": gettext("%(year)s年第%(quarter)s季度专题研究") % {
                "year": year, "quarter": quarter}})
        packs.append(QuarterPack(plan, meeting, year, quarter))
    if not packs:
        return []
    told = set(Notification.objects.filter(
        kind=Kind.MEETING_PACK, dedupe_key__startswith="quarterly_pack:",
        created_at__gte=ctx.now - datetime.timedelta(days=40),
    ).values_list("dedupe_key", flat=True))
    keys = {pack.plan.pk: f"quarterly_pack:plan-{pack.plan.pk}:{pack.meeting.held_on}"
            for pack in packs}
    histories = summary_histories([f"quarterly_pack:plan-{pack.plan.pk}" for pack in packs],
                                  excluding=list(keys.values()))
    drafts, records = [], []
    for pack in packs:
        key = keys[pack.plan.pk]
        recipients = [r for r in ctx.audience.leaders + ctx.audience.manager_hooks
                      if f"{key}:{r.tag}" not in told]
        if not recipients:
            continue
        months = quarter_months(pack.year, pack.quarter)
        _tasks(ctx, pack, months)
        _flagged(pack, months)
        _indicators(pack, months)
        _missing(ctx, pack)
        context = {"pack": pack, "held_on": cn_date(pack.meeting.held_on),
                   "behind": sum(row["behind"] for row in pack.indicators)}
        # What changed since the plan's previous quarterly pack (notifications.summaries).
        series = f"quarterly_pack:plan-{pack.plan.pk}"
        counts = {"red": len(pack.red), "flagged": len(pack.flagged),
                  "behind": context["behind"]}
        context.update(changes={name: histories[series].change(name, n)
                                for name, n in counts.items()},
                       red_trend=trend_text(histories[series].trend("red", counts["red"])))
        records.append((series, key, counts))
        drafts += [draft_render(kind=Kind.MEETING_PACK, key=key, recipient=recipient,
                                context=context, url=page_url("portal:overview"),
                                template=TEMPLATE)
                   for recipient in recipients]
    summaries_record(records, histories=histories, now=ctx.now)  # with the messages
    return drafts
