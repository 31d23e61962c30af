"""Digests for managers and the lead office: what changed since the last one (new reports,
status changes), red tasks, missing reports and upcoming deadlines, within the subscriber's
scope (plans, drivers, departments; an empty dimension means everything).

Slots: daily at the digest time, weekly on the digest weekday, monthly on the 1st; the time
and weekday come from the schedule of the first active plan. Digests go out on working days
only: a slot on a holiday is sent on the next working day at the digest time. A subscriber
is due when the slot's message does not exist yet (an Exists subquery) and the subscription
was not sent after the slot began; the data is loaded once for every due subscriber.
"""

import datetime
from dataclasses import dataclass

from django.db.models import prefetch_related_objects
from django.utils import timezone

from common.formatting import cn_date
from notifications.choices import DigestContent, DigestFrequency, Kind
from notifications.drafts import Draft, draft_render, person
from notifications.links import page_url
from notifications.models import DigestSubscription, Notification
from notifications.summaries import History, summaries_record, summary_histories, trend_text

from ...models import Schedule
from ...rules.escalation import BLUE, LEVEL_LABELS, LEVELS, RED, YELLOW
from ...services.digest_subscriptions import digest_subscriptions_ensure
from ...workdays import add_months, is_working_day
from ..context import CycleContext
from .digest_data import DigestData, Row, Scope

SHOWN_PER_SECTION = 10  # a summary: the full lists are on the overview and the cockpit
ESCALATION_COLOURS = {RED: "#c62828", YELLOW: "#a66a00", BLUE: "#1f5fa8"}


@dataclass(frozen=True)
class Slot:
    frequency: str
    label: str
    start: datetime.datetime
    previous: datetime.datetime


@dataclass(frozen=True)
class Timing:
    """When a subscriber's digest goes out: their own weekday and time, else the schedule's."""

    digest_time: datetime.time
    digest_weekday: int

    @classmethod
    def of(cls, subscription: DigestSubscription, schedule: Schedule) -> "Timing":
        return cls(subscription.send_time or schedule.digest_time,
                   schedule.digest_weekday if subscription.weekday is None
                   else subscription.weekday)


def _at(day: datetime.date, schedule: Schedule | Timing) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, schedule.digest_time))


def digest_slot(frequency: str, local_now: datetime.datetime,
                schedule: Schedule | Timing) -> Slot:
    """The most recent slot of this frequency that has begun by ``local_now``."""
    today, late_enough = local_now.date(), local_now.time() >= schedule.digest_time
    one_day = datetime.timedelta(days=1)
    if frequency == DigestFrequency.DAILY:
        day = today if late_enough else today - one_day
        return Slot(frequency, day.isoformat(), _at(day, schedule), _at(day - one_day, schedule))
    if frequency == DigestFrequency.WEEKLY:
        day = today - datetime.timedelta(days=(today.weekday() - schedule.digest_weekday) % 7)
        if day == today and not late_enough:
            day -= datetime.timedelta(days=7)
        year, week, _ = day.isocalendar()
        return Slot(frequency, f"{year}-W{week:02d}", _at(day, schedule),
                    _at(day - datetime.timedelta(days=7), schedule))
    day = today.replace(day=1)
    if day == today and not late_enough:
        day = add_months(day, -1)
    return Slot(frequency, f"{day:%Y-%m}", _at(day, schedule), _at(add_months(day, -1), schedule))


def _key(subscription: DigestSubscription, slot: Slot) -> str:
    return f"digest:{slot.frequency}:{slot.label}:user-{subscription.user_id}"


def _due(ctx: CycleContext, schedule: Schedule) -> list[tuple[DigestSubscription, Slot]]:
    """Subscribers whose time has come today and whose current slot has not been sent (two
    queries: the subscriptions, the slots' messages already written)."""
    candidates = []
    for subscription in (DigestSubscription.objects
                         .exclude(frequency=DigestFrequency.OFF)
                         .filter(user__is_active=True).exclude(user__email="")
                         .select_related("user").order_by("pk")):
        timing = Timing.of(subscription, schedule)
        if ctx.local.time() < timing.digest_time:
            continue  # later today (a slot on a holiday waits for a working day's time too)
        slot = digest_slot(subscription.frequency, ctx.local, timing)
        if subscription.last_sent_at is None or subscription.last_sent_at < slot.start:
            candidates.append((subscription, slot))
    keys = [_key(subscription, slot) for subscription, slot in candidates]
    told = set(Notification.objects.filter(dedupe_key__in=keys)
               .values_list("dedupe_key", flat=True)) if keys else set()
    return [(subscription, slot) for subscription, slot in candidates
            if _key(subscription, slot) not in told]


def behind_departments(rows: list[Row]) -> list[dict]:
    """Missing reports by department, worst escalation colour first, then most reports."""
    rank = {level: i for i, level in enumerate(LEVELS)}
    departments: dict[str, dict] = {}
    for row in rows:
        item = departments.setdefault(row.department, {"name": row.department, "reports": 0,
                                                       "level": row.level})
        item["reports"] += 1
        if row.level and (item["level"] is None or rank[row.level] < rank[item["level"]]):
            item["level"] = row.level
    for item in departments.values():
        item["label"] = LEVEL_LABELS.get(item["level"], "")
        item["colour"] = ESCALATION_COLOURS.get(item["level"], "#5b6473")
    return sorted(departments.values(),
                  key=lambda d: (rank.get(d["level"], len(LEVELS)), -d["reports"], d["name"]))


def _series(subscription: DigestSubscription) -> str:
    return f"digest:user-{subscription.user_id}"


def _context(data: DigestData, subscription: DigestSubscription, slot: Slot,
             history: History) -> dict:
    since = subscription.last_sent_at or slot.previous
    scope, sections = Scope.of(subscription), []
    chosen = set(subscription.contents or DigestContent.values)
    for code, (title, rows) in zip(DigestContent.values, data.sections(since), strict=True):
        mine = [row for row in rows if scope.covers(row)]
        sections.append({"code": code, "title": title, "total": len(mine),
                         "change": history.change(code, len(mine)), "shown": code in chosen,
                         "rows": mine[:SHOWN_PER_SECTION] if code in chosen else [],
                         "more": max(len(mine) - SHOWN_PER_SECTION, 0) if code in chosen
                         else 0})
    behind = behind_departments([row for row in data.missing if scope.covers(row)])
    levels = [{"label": LEVEL_LABELS[level], "colour": ESCALATION_COLOURS[level],
               "departments": sum(1 for d in behind if d["level"] == level)}
              for level in LEVELS]
    red_trend = history.trend(DigestContent.RED, sections[2]["total"])
    return {"sections": sections, "since": cn_date(since), "until": cn_date(data.now),
            "counts": {section["code"]: section["total"] for section in sections},
            "red_trend": trend_text(red_trend), "red_bars": _bars(red_trend),
            "frequency": DigestFrequency(slot.frequency).label,
            "scoped": not scope.is_everything,
            "new_reports": sections[0], "changes": sections[1], "red": sections[2],
            "missing": sections[3], "upcoming": sections[4],
            "behind": behind[:SHOWN_PER_SECTION],
            "behind_more": max(len(behind) - SHOWN_PER_SECTION, 0), "levels": levels,
            "cockpit_url": page_url("portal:cockpit")}


def _bars(values: list[int]) -> list[dict]:
    """The red trend as bar heights (px) for the HTML email, the current one last."""
    if len(values) < 2:
        return []
    top = max(max(values), 1)
    return [{"value": v, "height": 4 + round(32 * v / top), "current": i == len(values) - 1}
            for i, v in enumerate(values)]


def digest_drafts(ctx: CycleContext) -> list[Draft]:
    schedule = ctx.plans[0].schedule if ctx.plans else Schedule()
    # Working days only, from the digest time: a slot falling on a holiday goes out on the
    # next working day (its subscribers are still due), covering the days in between.
    if not is_working_day(ctx.today):
        return []
    digest_subscriptions_ensure(now=ctx.now)
    due = _due(ctx, schedule)
    if not due:
        return []
    subscriptions = [subscription for subscription, _ in due]
    prefetch_related_objects(subscriptions, "plans", "drivers", "departments")
    since = min(s.last_sent_at or slot.previous for s, slot in due)
    data = DigestData.load(ctx, since=since)
    histories = summary_histories([_series(s) for s in subscriptions],
                                  excluding=[_key(s, slot) for s, slot in due])
    drafts, records = [], []
    for subscription, slot in due:
        context = _context(data, subscription, slot, histories[_series(subscription)])
        drafts.append(draft_render(
            kind=Kind.DIGEST, key=f"digest:{slot.frequency}:{slot.label}",
            recipient=person(subscription.user), context=context,
            url=page_url("portal:overview")))
        records.append((_series(subscription), _key(subscription, slot), context["counts"]))
    # In the step's transaction, with the messages: the next digest compares with these.
    summaries_record(records, histories=histories, now=ctx.now)
    DigestSubscription.objects.filter(pk__in=[s.pk for s in subscriptions]).update(
        last_sent_at=ctx.now)
    return drafts
