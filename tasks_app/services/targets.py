"""Monthly monitoring of the plan's numeric targets (月监测): target readings."""

import datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.access import access_for

from ..attainment import is_behind, target_expected
from ..exceptions import StaleVersion
from ..models import Target, TargetAssignment, TargetReading
from ..permissions import enters_readings, target_departments
from ..workdays import month_start


def target_department_ids(target: Target) -> set[int]:
    """Departments responsible for a target, directly or through a group."""
    return target_departments(
        TargetAssignment.objects.filter(target=target).prefetch_related("group__members"))


def readable_targets_q(department_ids) -> Q:
    return Q(assignments__department_id__in=department_ids) | Q(
        assignments__group__members__in=department_ids)


@transaction.atomic
def target_reading_save(
    *, target: Target, month: datetime.date, value, user: User, note: str = "",
    is_year_to_date: bool = True, department_id: int | None = None,
    expected_version: int | None = None,
) -> TargetReading:
    """Record (or correct) the actual value of a target for a month."""
    access = access_for(user)
    units = target_department_ids(target)
    if not enters_readings(access, units):
        raise PermissionDenied(_("只有指标的责任单位或牵头办公室可以报送监测数据。"))
    departments = units & access.department_ids
    errors = {}
    try:
        value = Decimal(str(value))
        if not value.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["value"] = _("实际值必须是数字。")
    month = month_start(month)
    if month > timezone.localdate():
        errors["month"] = _("不能报送未来月份的数据。")
    if errors:
        raise ValidationError(errors)
    reading = TargetReading.objects.select_for_update().filter(target=target, month=month).first()
    if reading is None:
        reading = TargetReading(target=target, month=month, version=0)
    elif expected_version is not None and reading.version != expected_version:
        raise StaleVersion()
    expected = target_expected(target, month, is_year_to_date)
    if expected is not None and is_behind(target.kind, expected, value) and not note.strip():
        raise ValidationError({"note": _(
            "实际值未达到目标进度（本月应达到 %(expected)s%(unit)s），请在说明中写明原因和措施。"
        ) % {"expected": f"{expected.quantize(Decimal('0.01')).normalize():f}",
             "unit": target.unit}})
    reading.value, reading.note, reading.is_year_to_date = value, note.strip(), is_year_to_date
    reading.department_id = department_id or (min(departments) if departments else None)
    reading.reported_by = user
    # The lead office's own figures need no approval; a department's wait for it.
    reading.state = (TargetReading.State.APPROVED if access.is_lead_office
                     else TargetReading.State.SUBMITTED)
    reading.reviewed_by = user if access.is_lead_office else None
    reading.reviewed_at = timezone.now() if access.is_lead_office else None
    reading.review_comment = ""
    reading.version += 1
    reading.full_clean(exclude=["target"])
    reading.save()
    return reading


@transaction.atomic
def target_reading_review(*, reading: TargetReading, user: User, approve: bool,
                          comment: str = "", expected_version: int | None = None
                          ) -> TargetReading:
    """The lead office approves a department's monthly figure or returns it with a reason."""
    if not access_for(user).is_lead_office:
        raise PermissionDenied(_("只有牵头办公室可以审核指标监测数据。"))
    reading = TargetReading.objects.select_for_update().get(pk=reading.pk)
    if expected_version is not None and reading.version != expected_version:
        raise StaleVersion()
    if reading.state != TargetReading.State.SUBMITTED:
        raise ValidationError({"state": _("该监测数据%(state)s，无需审核。")
                               % {"state": reading.get_state_display()}})
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("退回必须填写意见。")})
    reading.state = (TargetReading.State.APPROVED if approve
                     else TargetReading.State.RETURNED)
    reading.reviewed_by, reading.reviewed_at = user, timezone.now()
    reading.review_comment = comment.strip()
    reading.version += 1
    reading.save()
    return reading
