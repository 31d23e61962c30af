"""The monthly coordination meeting's pack (会议材料), sent ``meeting_pack_days_before``
working days before the meeting to the lead office and the managers: tasks the departments
flagged for coordination, red tasks, missing reports, with the problems as written. The
Meeting row is created here when missing; recording decisions is the records' business.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext

from common.formatting import cn_date, cn_month
from notifications.choices import Kind
from notifications.drafts import Draft, draft_render
from notifications.links import page_url
from notifications.models import Notification
from notifications.summaries import History, summaries_record, summary_histories, trend_text

from ...choices import Health, ReportState
from ...health import with_health
from ...models import Meeting, Plan, ProgressReport, ReportingPeriod, Schedule, Task
from ...rules.escalation import LEVEL_LABELS, escalation_level
from ...workdays import (
    add_months,
    add_working_days,
    last_working_day_of_month,
    month_start,
    on_or_after,
)
from ..context import CycleContext
from .digests import ESCALATION_COLOURS


def meeting_day(schedule: Schedule, month: datetime.date) -> datetime.date:
    """The month's coordination meeting: a fixed day (moved to a working day) or the last
    working day."""
    if schedule.meeting_rule == Schedule.MeetingRule.FIXED_DAY and schedule.meeting_day:
        return on_or_after(month.replace(day=schedule.meeting_day))
    return last_working_day_of_month(month.year, month.month)


def meeting_due(plan: Plan, today: datetime.date) -> datetime.date | None:
    """The meeting whose pack is due today (pack day ≤ today ≤ meeting day), if any."""
    schedule = plan.schedule
    for month in (month_start(today), add_months(month_start(today), 1)):
        held_on = meeting_day(schedule, month)
        pack_day = add_working_days(held_on, -schedule.meeting_pack_days_before)
        if pack_day <= today <= held_on and held_on >= plan.tracking_start:
            return held_on
    return None


@dataclass
class Pack:
    plan: Plan
    meeting: Meeting
    period: ReportingPeriod | None
    flagged: list[ProgressReport] = field(default_factory=list)
    red: list[dict] = field(default_factory=list)
    missing: list[tuple[str, list[str]]] = field(default_factory=list)


def _period_for(ctx: CycleContext, plan: Plan, held_on: datetime.date):
    before = [p for p in ctx.periods.get(plan.pk, []) if p.deadline <= held_on]
    return max(before, key=lambda p: p.deadline, default=None)


def _fill(ctx: CycleContext, packs: list[Pack]) -> None:
    """Three queries for every due plan together."""
    periods = [pack.period for pack in packs if pack.period]
    flagged = defaultdict(list)
    for report in (ProgressReport.objects
                   .filter(period__in=periods, needs_coordination=True)
                   .exclude(state=ReportState.DRAFT).select_related("task", "department")
                   .order_by("task__number", "department__name")):
        flagged[report.period_id].append(report)
    red = list(with_health(Task.objects.filter(plan__in=[p.plan for p in packs]), ctx.now)
               .filter(health=Health.RED).order_by("number")
               .values("id", "plan_id", "number", "title", "due_on", "progress"))
    problems = defaultdict(list)
    for task_id, name, text in (ProgressReport.objects
                                .filter(period__in=periods, task_id__in=[t["id"] for t in red])
                                .exclude(problems="").exclude(state=ReportState.DRAFT)
                                .order_by("department__name")
                                .values_list("task_id", "department__name", "problems")):
        problems[task_id].append(f"{name}：{text}")
    for pack in packs:
        pack.flagged = flagged.get(pack.period.pk, []) if pack.period else []
        pack.red = [{**task, "due": cn_date(task["due_on"]), "problems": problems[task["id"]]}
                    for task in red if task["plan_id"] == pack.plan.pk]
        rows = ctx.missing.get(pack.period.pk, []) if pack.period else []
        by_department = defaultdict(list)
        for row in rows:
            by_department[row.department_name].append(f"{row.task_number}. {row.task_title}")
        pack.missing = sorted(by_department.items())


PACK_SHOWN = 10  # red tasks and departments in the pack's summary; the rest behind a link


def pack_summary(ctx: CycleContext, pack: Pack) -> dict:
    """What the leaders read first: counts, the first red tasks with links, the departments
    behind in their escalation colour (the full lists are on the overview)."""
    level = (escalation_level(pack.period.deadline, pack.plan.schedule, ctx.today)
             if pack.period else None)
    behind = [{"name": name, "reports": len(tasks), "level": level,
               "label": LEVEL_LABELS.get(level, ""),
               "colour": ESCALATION_COLOURS.get(level, "#5b6473")}
              for name, tasks in pack.missing]
    behind.sort(key=lambda d: (-d["reports"], d["name"]))
    return {"red_shown": [{**task, "url": page_url("portal:task", task["id"])}
                          for task in pack.red[:PACK_SHOWN]],
            "red_more": max(len(pack.red) - PACK_SHOWN, 0),
            "behind": behind[:PACK_SHOWN], "behind_more": max(len(behind) - PACK_SHOWN, 0),
            "behind_total": len(behind), "level_label": LEVEL_LABELS.get(level, ""),
            "level_colour": ESCALATION_COLOURS.get(level, "#5b6473"),
            "cockpit_url": page_url("portal:cockpit")}


def _series(plan: Plan) -> str:
    return f"meeting_pack:plan-{plan.pk}"


def pack_changes(context: dict, history: History) -> dict:
    """The pack's counts, their changes since the plan's previous pack and the red trend."""
    pack = context["pack"]
    counts = {"flagged": len(pack.flagged), "red": len(pack.red),
              "missing": context["missing_count"], "behind": context["behind_total"]}
    return {"counts": counts,
            "changes": {name: history.change(name, n) for name, n in counts.items()},
            "red_trend": trend_text(history.trend("red", counts["red"]))}


def meeting_pack_drafts(ctx: CycleContext) -> list[Draft]:
    packs = []
    for plan in ctx.plans:
        held_on = meeting_due(plan, ctx.today) if ctx.sending(plan) else None
        if held_on is None:
            continue
        meeting, _ = Meeting.objects.get_or_create(
            plan=plan, kind=Meeting.Kind.MONTHLY, held_on=held_on,
            defaults={"title": gettext("%(month)s月度专题会议") % {"month": cn_month(held_on)}})
        packs.append(Pack(plan, meeting, _period_for(ctx, plan, held_on)))
    if not packs:
        return []
    _fill(ctx, packs)
    told = set(Notification.objects.filter(
        kind=Kind.MEETING_PACK, created_at__gte=ctx.now - datetime.timedelta(days=40),
    ).values_list("dedupe_key", flat=True))
    keys = {pack.plan.pk: f"meeting_pack:plan-{pack.plan.pk}:{pack.meeting.held_on}"
            for pack in packs}
    histories = summary_histories([_series(pack.plan) for pack in packs],
                                  excluding=list(keys.values()))
    drafts, records = [], []
    for pack in packs:
        key = keys[pack.plan.pk]
        context = {"pack": pack, "held_on": cn_date(pack.meeting.held_on),
                   "period_label": cn_month(pack.period.month) if pack.period else "",
                   "missing_count": sum(len(tasks) for _, tasks in pack.missing),
                   **pack_summary(ctx, pack)}
        context.update(pack_changes(context, histories[_series(pack.plan)]))
        records.append((_series(pack.plan), key, context["counts"]))
        for recipient in ctx.audience.leaders + ctx.audience.manager_hooks:
            if f"{key}:{recipient.tag}" not in told:
                drafts.append(draft_render(kind=Kind.MEETING_PACK, key=key, recipient=recipient,
                                           context=context, url=page_url("portal:overview")))
    summaries_record(records, histories=histories, now=ctx.now)  # with the messages
    return drafts
