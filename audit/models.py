"""The audit log: append-only rows, each holding the hash of the one before (a chain)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The Django group of 审计管理员, the only readers of the log (security.roles gives it its
# permissions).
AUDIT_ADMIN_GROUP = "审计管理员"


class AuditKind(models.TextChoices):
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出登录")
    LOCKOUT = "lockout", _("账号锁定")
    SECOND_FACTOR = "second_factor", _("双因素验证")
    PASSWORD = "password", _("密码变更")
    DOWNLOAD = "download", _("导出/下载")
    ROLE = "role", _("账号、角色与权限变更")
    ADMIN_CHANGE = "admin_change", _("后台数据与设置变更")
    CREDENTIAL = "credential", _("接口令牌与日历订阅地址")
    SETTINGS = "settings", _("个人设置变更")


class AuditEvent(models.Model):
    """Who did what, when, from where. Never updated or deleted by Duban (except pruning
    rows past the retention period); ``hash`` covers every field and ``prev_hash``."""

    seq = models.PositiveBigIntegerField(_("序号"), unique=True, editable=False)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", db_constraint=False,
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True, db_index=True)
    kind = models.CharField(_("类别"), max_length=20, choices=AuditKind.choices, db_index=True)
    ip = models.CharField(_("来源地址"), max_length=45, blank=True)
    target = models.CharField(_("对象"), max_length=300, blank=True)
    detail = models.TextField(_("详情"), blank=True)
    prev_hash = models.CharField(_("上一条的哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_kind_display()} {self.username}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("audit rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit rows are append-only")


class AuditHead(models.Model):
    """One row: the chain's last sequence number and hash, locked while a row is appended
    so that concurrent writers line up instead of forking the chain."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("审计日志链头")
        verbose_name_plural = _("审计日志链头")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
