"""What the audit log hears from Django and its libraries: logins, failed logins, logouts,
lockouts (django-axes) and every change made through the admin (its LogEntry rows).

These are hooks of the frameworks that do the work, so the audit cannot be bypassed by a
view that forgets to call it."""

import json

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry, LogEntryManager
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.utils import translation

from .models import AuditKind
from .services import audit_record

ROLE_MODELS = {("auth", "user"), ("auth", "group"), ("auth", "permission"),
               ("departments", "membership"), ("otp_totp", "totpdevice"),
               ("axes", "accessattempt"), ("authtoken", "token"), ("authtoken", "tokenproxy")}
_ACTIONS = {ADDITION: "新增", CHANGE: "修改", DELETION: "删除"}


def _logged_in(sender, request, user, **kwargs) -> None:
    audit_record(AuditKind.LOGIN, request=request, user=user)


def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(AuditKind.LOGOUT, request=request, user=user)


def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit_record(AuditKind.LOGIN_FAILED, request=getattr(request, "_request", request),
                 username=username)


def _locked_out(sender, request, username, ip_address, **kwargs) -> None:
    audit_record(AuditKind.LOCKOUT, request=getattr(request, "_request", request),
                 username=str(username or "")[:150], target=ip_address or "",
                 detail="登录失败次数达到上限，已锁定账号和来源地址")


def audit_log_entries(entries: list[LogEntry]) -> None:
    """One audit row per admin log entry, in the admin's own transaction."""
    with translation.override(settings.LANGUAGE_CODE):
        for entry in entries:
            model = (entry.content_type.app_label, entry.content_type.model)
            kind = AuditKind.ROLE if model in ROLE_MODELS else AuditKind.ADMIN_CHANGE
            audit_record(kind, user=entry.user, target=(
                f"{entry.content_type.app_label}.{entry.content_type.model}"
                f" #{entry.object_id} {entry.object_repr}"),
                detail=json.dumps({"action": _ACTIONS.get(entry.action_flag, ""),
                                   "change": entry.get_change_message()}, ensure_ascii=False))


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="audit.login")
    user_logged_out.connect(_logged_out, dispatch_uid="audit.logout")
    user_login_failed.connect(_login_failed, dispatch_uid="audit.login_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="audit.locked_out")
    original = LogEntryManager.log_actions
    if getattr(original, "_audited", False):
        return

    def log_actions(self, user_id, queryset, action_flag, change_message="", *,
                    single_object=False):
        result = original(self, user_id, queryset, action_flag, change_message,
                          single_object=single_object)
        audit_log_entries([result] if single_object else list(result))
        return result

    log_actions._audited = True
    LogEntryManager.log_actions = log_actions
