"""Write paths for the leaders' digest subscriptions (which plans, drivers and departments
a manager follows); the subscription rows live beside the outbox, in notifications."""

import datetime
import json

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from audit.models import AuditKind
from audit.services import audit_record
from departments.access import access_for
from departments.choices import Role
from departments.models import Department, Membership
from notifications.choices import DigestContent, DigestFrequency, DigestWeekday
from notifications.models import DigestSubscription

from ..models import Driver, Plan


def digest_subscriptions_ensure(*, now: datetime.datetime) -> int:
    """Give every manager without one a weekly digest of everything, counted from ``now``."""
    users = (Membership.objects.filter(role=Role.MANAGER, user__is_active=True,
                                       user__digest_subscription__isnull=True)
             .values_list("user_id", flat=True).distinct())
    created = DigestSubscription.objects.bulk_create(
        [DigestSubscription(user_id=user_id, frequency=DigestFrequency.WEEKLY, last_sent_at=now)
         for user_id in users], ignore_conflicts=True)
    return len(created)


def _check_scope(plans: list[Plan], drivers: list[Driver]) -> None:
    if plans and any(driver.plan_id not in {plan.pk for plan in plans} for driver in drivers):
        raise ValidationError({"drivers": gettext("所选战略驱动不属于所选计划。")})


@transaction.atomic
def digest_subscription_update(
    *, user: User, frequency: str, plans: list[Plan], drivers: list[Driver],
    departments: list[Department], weekday: int | None = None,
    send_time: datetime.time | None = None, contents: list[str] | None = None,
) -> DigestSubscription:
    """A manager or the lead office sets the digest frequency, day, time, contents and scope
    (empty = everything; no day or time = the plan's schedule)."""
    if not access_for(user).reads_everything:
        raise PermissionDenied(gettext("只有领导和牵头办公室可以订阅督办摘要。"))
    if frequency not in DigestFrequency.values:
        raise ValidationError({"frequency": gettext("请选择摘要频率：每日、每周、每月或不接收。")})
    if weekday is not None and weekday not in DigestWeekday.values:
        raise ValidationError({"weekday": gettext("请选择星期一至星期日中的一天。")})
    contents = list(contents or [])
    if any(code not in DigestContent.values for code in contents):
        raise ValidationError({"contents": gettext("摘要内容只能从所列各部分中选择。")})
    _check_scope(plans, drivers)
    subscription, _ = DigestSubscription.objects.select_for_update().get_or_create(
        user=user, defaults={"last_sent_at": timezone.now()})
    subscription.frequency, subscription.weekday = frequency, weekday
    subscription.send_time = send_time
    subscription.contents = [code for code in DigestContent.values if code in contents]
    subscription.save(update_fields=["frequency", "weekday", "send_time", "contents"])
    subscription.plans.set(plans)
    subscription.drivers.set(drivers)
    subscription.departments.set(departments)
    audit_record(AuditKind.SETTINGS, user=user, target=f"督办摘要订阅 {user.get_username()}",
                 detail=json.dumps({
                     "frequency": frequency, "weekday": weekday,
                     "send_time": send_time.isoformat() if send_time else None,
                     "contents": subscription.contents, "plans": sorted(p.code for p in plans),
                     "drivers": sorted(d.pk for d in drivers),
                     "departments": sorted(d.name for d in departments)}, ensure_ascii=False))
    return subscription
