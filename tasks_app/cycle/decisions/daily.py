"""The reminder family as one message per person (or robot) per working day.

Every source below returns findings with their recipients. Each (finding, recipient) pair
is told once (the NotificationItem ledger); what is left is grouped per recipient into one
message whose kind is its most urgent finding's kind, listing every finding by kind.
Someone who already got today's message gets new findings tomorrow.
"""

import datetime
from collections import defaultdict

from django.utils.translation import gettext

from common.formatting import cn_date
from notifications.choices import DeliveryState, Kind
from notifications.drafts import Draft, Finding, Recipient, drafts_render
from notifications.models import Notification, NotificationItem

from ...workdays import is_working_day
from ..context import CycleContext
from .deadlines import ack_overdue_findings, due_soon_findings
from .readings import reading_chase_findings, reading_reminder_findings
from .reports import chase_findings, reminder_findings
from .weekly import weekly_chase_findings, weekly_reminder_findings

SOURCES = (reminder_findings, chase_findings, weekly_reminder_findings, weekly_chase_findings,
           due_soon_findings, ack_overdue_findings, reading_reminder_findings,
           reading_chase_findings)
URGENCY = (Kind.ESCALATION, Kind.CHASE, Kind.ACK_OVERDUE, Kind.DUE_SOON, Kind.REMINDER)
# Long enough to cover the longest span during which a finding can be found again.
LEDGER_DAYS = 120


def _already_told(ctx: CycleContext) -> tuple[set[str], set[str]]:
    """Ledger keys of the last LEDGER_DAYS, and the tags of today's recipients (2 queries).

    An item is told once its message is sent or on its way (pending, being sent, retried);
    the items of a message that failed for good are told again."""
    since = ctx.today - datetime.timedelta(days=LEDGER_DAYS)
    told = set(NotificationItem.objects.filter(created_on__gte=since)
               .exclude(notification__state=DeliveryState.FAILED)
               .values_list("key", flat=True))
    prefix = f"daily:{ctx.today.isoformat()}:"
    today = {key.removeprefix(prefix) for key in Notification.objects.filter(
        dedupe_key__startswith=prefix).values_list("dedupe_key", flat=True)}
    return told, today


def _drafts(ctx: CycleContext, recipients: list[Recipient],
            findings: list[Finding]) -> list[Draft]:
    """The day's message for recipients who are to hear of exactly these findings."""
    findings.sort(key=lambda f: URGENCY.index(f.kind))
    # The plain-text lines of each finding, worded here: two {% blocktranslate %} per
    # finding were a third of the rendering of a city's deadline (12,283 findings).
    plan, entry = gettext("计划：%(plan)s"), gettext("办理入口：%(url)s")
    groups = [(Kind(kind).label, [(f, plan % {"plan": f.detail}, entry % {"url": f.url})
                                  for f in findings if f.kind == kind])
              for kind in URGENCY if any(f.kind == kind for f in findings)]
    top = findings[0]
    return drafts_render(
        kind=top.kind, key=f"daily:{ctx.today.isoformat()}", recipients=recipients, url=top.url,
        context={"top": top, "groups": groups, "count": len(findings),
                 "today": cn_date(ctx.today), "kind_label": Kind(top.kind).label},
        items=lambda recipient: tuple((f"{f.key}:{recipient.tag}", f.kind) for f in findings),
    )


def daily_drafts(ctx: CycleContext) -> list[Draft]:
    if not is_working_day(ctx.today):
        return []
    addressed = [pair for source in SOURCES for pair in source(ctx)]
    if not addressed:
        return []
    told, done_today = _already_told(ctx)
    per_recipient: dict[Recipient, list[Finding]] = defaultdict(list)
    for finding, recipients in addressed:
        for recipient in recipients:
            if recipient.tag not in done_today and f"{finding.key}:{recipient.tag}" not in told:
                per_recipient[recipient].append(finding)
    # People who are to hear of the same findings (a department's liaisons) share one rendering.
    same: dict[tuple[str, ...], tuple[list[Finding], list[Recipient]]] = {}
    for recipient, findings in per_recipient.items():
        keys = tuple(sorted(f.key for f in findings))
        same.setdefault(keys, (findings, []))[1].append(recipient)
    return [draft for findings, recipients in same.values()
            for draft in _drafts(ctx, recipients, findings)]
