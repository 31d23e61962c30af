"""Rules for the plan's calendar (督办日程) the lead office edits in the admin."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import Schedule

MAX_REMINDER_OFFSET = 20  # working days: about a month
MAX_DUE_SOON_OFFSET = 60
MAX_OFFSETS = 5
MAX_PACK_DAYS_BEFORE = 10


def _offsets_error(value: object, maximum: int) -> str | None:
    example = _("如 [5, 1]，也可留空 []")
    if not isinstance(value, list):
        return _("请填写工作日天数的列表，%(example)s。") % {"example": example}
    if len(value) > MAX_OFFSETS:
        return _("最多设置 %(count)s 次提醒。") % {"count": MAX_OFFSETS}
    if any(not isinstance(k, int) or isinstance(k, bool) or not 0 <= k <= maximum
           for k in value):
        return _("每个提醒须是 0 到 %(maximum)s 之间的整数（工作日），%(example)s。") % {
            "maximum": maximum, "example": example}
    if len(set(value)) != len(value):
        return _("提醒天数不能重复。")
    return None


def schedule_validate(values: Mapping) -> None:
    """Field-level checks of a schedule's values, in Chinese; raises ValidationError."""
    errors: dict[str, str] = {}
    for name, maximum in (("reminder_offsets", MAX_REMINDER_OFFSET),
                          ("due_soon_offsets", MAX_DUE_SOON_OFFSET)):
        if name in values and (message := _offsets_error(values[name], maximum)):
            errors[name] = message
    head, lead = values.get("chase_head_after"), values.get("chase_lead_office_after")
    if head is not None and head < 1:
        errors["chase_head_after"] = _("升级至部门负责人至少在逾期 1 个工作日后。")
    if head is not None and lead is not None and lead <= head:
        errors["chase_lead_office_after"] = (
            _("升级至牵头办公室和领导（红色）须晚于升级至部门负责人（黄色）。"))
    if (values.get("meeting_rule") == Schedule.MeetingRule.FIXED_DAY
            and not values.get("meeting_day")):
        errors["meeting_day"] = _("选择“每月固定日期”召开会议时，请填写会议日期（1—28 日）。")
    pack = values.get("meeting_pack_days_before")
    if pack is not None and pack > MAX_PACK_DAYS_BEFORE:
        errors["meeting_pack_days_before"] = (
            _("会议材料最早在会前 %(days)s 个工作日发送。") % {"days": MAX_PACK_DAYS_BEFORE})
    if errors:
        raise ValidationError(errors)
