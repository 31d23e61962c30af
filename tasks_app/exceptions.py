from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class StaleVersion(ValidationError):
    """Someone else saved this object since it was read: refuse instead of overwriting."""

    def __init__(self, message: str = _("该记录已被他人修改，请刷新页面后再提交，"
                                        "以免覆盖对方的修改。")):
        super().__init__(message, code="stale_version")
