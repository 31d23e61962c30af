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

from django.db.models import CharField, Exists, OuterRef, Q, Value, prefetch_related_objects
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from common.formatting import cn_date
from notifications.choices import DigestFrequency, Kind
from notifications.drafts import Draft, draft_render, person
from notifications.links import page_url
from notifications.models import DigestSubscription, Notification

from ...models import Schedule
from ...services.digest_subscriptions import digest_subscriptions_ensure
from ...workdays import add_months, is_working_day
from ..context import CycleContext
from .digest_data import DigestData, Scope

SHOWN_PER_SECTION = 30


@dataclass(frozen=True)
class Slot:
    frequency: str
    label: str
    start: datetime.datetime
    previous: datetime.datetime


def _at(day: datetime.date, schedule: Schedule) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, schedule.digest_time))


def digest_slot(frequency: str, local_now: datetime.datetime, schedule: Schedule) -> Slot:
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


def _due(ctx: CycleContext, schedule: Schedule) -> list[tuple[DigestSubscription, Slot]]:
    """Subscribers whose current slot has not been sent (one query per frequency)."""
    due = []
    for frequency in (DigestFrequency.DAILY, DigestFrequency.WEEKLY, DigestFrequency.MONTHLY):
        slot = digest_slot(frequency, ctx.local, schedule)
        key = Concat(Value(f"digest:{frequency}:{slot.label}:user-"),
                     Cast(OuterRef("user_id"), CharField()))
        subscriptions = (DigestSubscription.objects
                         .filter(frequency=frequency, user__is_active=True)
                         .exclude(user__email="")
                         .filter(Q(last_sent_at__isnull=True) | Q(last_sent_at__lt=slot.start))
                         .filter(~Exists(Notification.objects.filter(dedupe_key=key)))
                         .select_related("user").order_by("pk"))
        due += [(subscription, slot) for subscription in subscriptions]
    return due


def _context(data: DigestData, subscription: DigestSubscription, slot: Slot) -> dict:
    since = subscription.last_sent_at or slot.previous
    scope, sections = Scope.of(subscription), []
    for title, rows in data.sections(since):
        mine = [row for row in rows if scope.covers(row)]
        sections.append({"title": title, "total": len(mine),
                         "rows": mine[:SHOWN_PER_SECTION],
                         "more": max(len(mine) - SHOWN_PER_SECTION, 0)})
    return {"sections": sections, "since": cn_date(since), "until": cn_date(data.now),
            "frequency": DigestFrequency(slot.frequency).label,
            "scoped": not scope.is_everything}


def digest_drafts(ctx: CycleContext) -> list[Draft]:
    schedule = ctx.plans[0].schedule if ctx.plans else Schedule()
    # Working days only, from the digest time: a slot falling on a holiday goes out on the
    # next working day (its subscribers are still due), covering the days in between.
    if not is_working_day(ctx.today) or ctx.local.time() < schedule.digest_time:
        return []
    digest_subscriptions_ensure(now=ctx.now)
    due = _due(ctx, schedule)
    if not due:
        return []
    subscriptions = [subscription for subscription, _ in due]
    prefetch_related_objects(subscriptions, "plans", "drivers", "departments")
    since = min(s.last_sent_at or slot.previous for s, slot in due)
    data = DigestData.load(ctx, since=since)
    drafts = []
    for subscription, slot in due:
        drafts.append(draft_render(
            kind=Kind.DIGEST, key=f"digest:{slot.frequency}:{slot.label}",
            recipient=person(subscription.user),
            context=_context(data, subscription, slot), url=page_url("portal:overview")))
    DigestSubscription.objects.filter(pk__in=[s.pk for s in subscriptions]).update(
        last_sent_at=ctx.now)
    return drafts
