"""The 督办 cycle: ``run_cycle(now)`` works out from the database what is due at ``now``,
stores one Notification per message (a unique dedupe key makes a second run a no-op), then
hands every deliverable message to the senders. Deciding and sending are separate: a
failed send never rolls back the cycle. Each step runs in its own transaction; a step that
fails is logged and the others still run.
"""

import datetime
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from common.i18n import site_language
from notifications.dispatch import Dispatcher, deliverable_ids, enqueue
from notifications.drafts import Draft, drafts_store
from notifications.receipts import unread_escalations

from ..selectors.cycle_records import assessments_final_unannounced
from ..services.assessments import assessments_compute_due
from ..services.bulletins import bulletins_publish_due
from ..workdays import is_working_day
from .context import CycleContext
from .decisions.daily import daily_drafts
from .decisions.digests import digest_drafts
from .decisions.meetings import meeting_pack_drafts
from .decisions.published import assessment_drafts, bulletin_drafts
from .decisions.quarterly import quarterly_pack_drafts
from .decisions.returned import returned_drafts
from .decisions.slips import escalation_slip_drafts

logger = logging.getLogger(__name__)
Step = Callable[[CycleContext], list[Draft]]


def open_periods(ctx: CycleContext) -> list[Draft]:
    """Open this month's reporting period (and next month's, once its reminders are due)."""
    ctx.periods  # noqa: B018 — loading the property opens the periods
    return []


def bulletins_step(ctx: CycleContext) -> list[Draft]:
    """Publish the quarterly bulletins that are due; announce each one (same transaction)."""
    return bulletin_drafts(ctx, bulletins_publish_due(ctx.now))


def assessments_step(ctx: CycleContext) -> list[Draft]:
    """Compute and publish the annual assessments that are due, and announce them; announce
    the final ranking of those the lead office has finalised since."""
    published = assessments_compute_due(ctx.now)
    return assessment_drafts(ctx, published + assessments_final_unannounced())


def unread_escalation_step(ctx: CycleContext) -> list[Draft]:
    """Unread chases climb the channel ladder; the rows are written there (each names its
    own channel), counting working hours on the domain's calendar."""
    unread_escalations(ctx.now, is_working_day=is_working_day)
    return []


# The order matters only for reading the logs.
STEPS: list[tuple[str, Step]] = [
    ("periods", open_periods),
    ("daily", daily_drafts),  # reminder, chase, escalation, due_soon, ack_overdue
    ("slips", escalation_slip_drafts),  # 督办单 when the chase reaches the plan's slip level
    ("returned", returned_drafts),
    ("meeting_pack", meeting_pack_drafts),
    ("quarterly_pack", quarterly_pack_drafts),  # 季度专题研究
    ("bulletin", bulletins_step),
    ("assessment", assessments_step),
    ("digest", digest_drafts),
    ("unread", unread_escalation_step),  # unread chases climb email → IM → SMS
]


@dataclass
class CycleResult:
    now: datetime.datetime
    decided: Counter = field(default_factory=Counter)
    failed_steps: list[str] = field(default_factory=list)
    dispatched: int = 0


def run_cycle(now: datetime.datetime, *, dispatch: Dispatcher | None = None,
              steps: list[tuple[str, Step]] | None = None) -> CycleResult:
    """Decide and store what is due at ``now``; hand deliverable messages to ``dispatch``
    (default: one Celery task each, after commit). Messages are written in the site's
    language (Chinese), whatever language the caller uses."""
    ctx, result = CycleContext(now), CycleResult(now)
    for name, step in steps if steps is not None else STEPS:
        try:
            with transaction.atomic(), site_language():
                result.decided += drafts_store(step(ctx), today=ctx.today)
        except Exception:
            logger.exception("督办周期步骤 %s 失败，其余步骤继续", name)
            result.failed_steps.append(name)
    ids = deliverable_ids(now)
    (dispatch or enqueue)(ids, now)
    result.dispatched = len(ids)
    logger.log(logging.INFO if result.decided or ids else logging.DEBUG,
               "督办周期 %s：新增 %s，交付 %s 条", ctx.local.isoformat(timespec="seconds"),
               {str(kind): n for kind, n in result.decided.items()}, len(ids))
    return result
