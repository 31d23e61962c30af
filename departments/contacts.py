"""How a person is reached: mobile and 钉钉 / 企业微信 user ids, checked the same way by the
roster import and the 人员 page of the admin."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MOBILE = re.compile(r"^1\d{10}$")
# 钉钉 userid and 企业微信 UserID: letters, digits and _ - . @, at most 64 characters.
IM_USERID = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


def mobile_normal(value: str) -> str:
    """The mobile as stored (11 digits, no spaces, dashes or +86); raises when malformed."""
    mobile = re.sub(r"[\s-]", "", value or "")
    if mobile.startswith("+86"):
        mobile = mobile[3:]
    if mobile and not MOBILE.match(mobile):
        raise ValidationError(_("手机号“%(mobile)s”格式不正确（应为 11 位数字）") % {
            "mobile": value}, code="mobile")
    return mobile


def im_userid_check(value: str, label: str) -> str:
    """A 钉钉 or 企业微信 user id, trimmed; raises when it cannot be one."""
    userid = (value or "").strip()
    if userid and not IM_USERID.match(userid):
        raise ValidationError(
            _("%(label)s“%(value)s”格式不正确（只能包含字母、数字和 _ - . @，最多 64 位）") % {
                "label": label, "value": value}, code="userid")
    return userid
