"""Quarterly bulletins (季度通报): draft, publish (a frozen snapshot), and publish when due.

Publishing claims the bulletin's row with a conditional UPDATE (state draft → published)
and goes on only when exactly one row changed, so two workers — or the cycle and the lead
office at once — never publish, number or return the same bulletin twice. Publishing also
locks the quarter's reporting periods: after that only the lead office may change a report.
"""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.i18n import site_language
from departments.access import access_for

from ..choices import PeriodState
from ..models import Bulletin, Plan, ReportingPeriod
from ..record_dates import bulletin_quarter_due, quarter_end, quarter_months, sending_time
from ..selectors.bulletins import bulletin_build, bulletin_compute, department_rates
from .exports import pdf_store_later

__all__ = ["bulletin_build", "bulletin_generate", "bulletin_publish", "bulletins_publish_due"]


def _check_lead_office(actor: User | None) -> None:
    if actor is not None and not access_for(actor).is_lead_office:
        raise PermissionDenied(_("只有牵头办公室可以生成和发布季度通报。"))


def _check_quarter(year: int, quarter: int) -> None:
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("季度必须是 1 至 4。")})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("年度不正确。")})


@transaction.atomic
def bulletin_generate(*, plan: Plan, year: int, quarter: int,
                      actor: User | None = None) -> Bulletin:
    """Create or refresh the quarter's draft. A published bulletin is a snapshot: it is
    returned unchanged."""
    _check_lead_office(actor)
    _check_quarter(year, quarter)
    bulletin, _ = Bulletin.objects.get_or_create(plan=plan, year=year, quarter=quarter)
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if bulletin.state == Bulletin.State.PUBLISHED:
        return bulletin
    now = timezone.now()
    with site_language():  # the content is kept as computed, in the site's language
        bulletin.content = bulletin_compute(plan, year, quarter, now=now)
    bulletin.department_rates = department_rates(bulletin.content)
    bulletin.generated_at = now
    bulletin.save(update_fields=["content", "department_rates", "generated_at"])
    return bulletin


def _number(plan: Plan, year: int, quarter: int) -> str:
    """2026年第1期: the bulletin's place among the year's published bulletins."""
    earlier = Bulletin.objects.filter(plan=plan, year=year, quarter__lt=quarter,
                                      state=Bulletin.State.PUBLISHED).count()
    return _("%(year)s年第%(number)s期") % {"year": year, "number": earlier + 1}


def _claim_and_publish(bulletin: Bulletin, now: datetime.datetime,
                       actor: User | None) -> Bulletin | None:
    """Publish if this call wins the claim; None when it was already published."""
    claimed = Bulletin.objects.filter(pk=bulletin.pk, state=Bulletin.State.DRAFT).update(
        state=Bulletin.State.PUBLISHED, published_at=now)
    if claimed != 1:
        return None
    plan = bulletin.plan
    with site_language():  # a published snapshot never changes, whoever reads it
        content = bulletin_compute(plan, bulletin.year, bulletin.quarter, now=now)
        number = _number(plan, bulletin.year, bulletin.quarter)
    content["number"] = number
    content["published_at"] = timezone.localtime(now).isoformat()
    content["published_by"] = actor.get_username() if actor is not None else ""
    Bulletin.objects.filter(pk=bulletin.pk).update(
        content=content, department_rates=department_rates(content), number=number,
        generated_at=now)
    ReportingPeriod.objects.filter(
        plan=plan, month__in=quarter_months(bulletin.year, bulletin.quarter),
    ).exclude(state=PeriodState.LOCKED).update(state=PeriodState.LOCKED, locked_at=now)
    pdf_store_later("bulletin", bulletin.pk)  # rendered once, served from storage
    return Bulletin.objects.select_related("plan").get(pk=bulletin.pk)


@transaction.atomic
def bulletin_publish(bulletin: Bulletin, *, actor: User | None = None) -> Bulletin:
    """Freeze the content as the published snapshot and lock the quarter's periods."""
    _check_lead_office(actor)
    published = _claim_and_publish(bulletin, timezone.now(), actor)
    if published is None:
        raise ValidationError({"state": _("该季度通报已发布，发布后的内容不再改变。")})
    return published


def bulletins_publish_due(now: datetime.datetime) -> list[Bulletin]:
    """Publish every active plan's bulletin that is due at ``now``; return the new ones.

    Due: the latest quarter whose bulletin day (Schedule.bulletin_day of the month after
    the quarter, moved to a working day) has come, if the quarter ends on or after the
    plan's tracking start — published on a working day from the plan's send time, when its
    announcement goes out. Safe to run any number of times, also concurrently.
    """
    today = timezone.localtime(now).date()
    due: dict[int, tuple[Plan, int, int]] = {}
    for plan in Plan.objects.filter(is_active=True, schedule__isnull=False).select_related(
            "schedule"):
        if not sending_time(plan.schedule, now):
            continue
        year, quarter = bulletin_quarter_due(plan.schedule, today)
        if quarter_end(year, quarter) >= plan.tracking_start:
            due[plan.pk] = (plan, year, quarter)
    done = {(plan_id, year, quarter) for plan_id, year, quarter in Bulletin.objects.filter(
        plan_id__in=due, state=Bulletin.State.PUBLISHED).values_list("plan_id", "year",
                                                                      "quarter")}
    published = []
    for plan, year, quarter in due.values():
        if (plan.pk, year, quarter) in done:
            continue
        with transaction.atomic():
            bulletin, _ = Bulletin.objects.get_or_create(plan=plan, year=year, quarter=quarter)
            bulletin.plan = plan
            result = _claim_and_publish(bulletin, now, None)
        if result is not None:
            published.append(result)
    return published
