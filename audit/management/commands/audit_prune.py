import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent, AuditKind
from audit.services import audit_record


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _("删除超过保存期限（DUBAN_AUDIT_RETENTION_DAYS，不少于 180 天）的审计日志；"
                 "最早保留的一条成为哈希链的起点。")

    def handle(self, *args, **options):
        days = max(180, settings.DUBAN_AUDIT_RETENTION_DAYS)
        before = timezone.now() - datetime.timedelta(days=days)
        deleted, _rows = AuditEvent.objects.filter(at__lt=before)._raw_delete("default"), None
        audit_record(AuditKind.ADMIN_CHANGE, username="manage.py", target="audit_prune",
                     detail=_("删除 %(rows)s 条 %(days)s 天前的审计日志") % {
                         "rows": deleted, "days": days})
        self.stdout.write(_("已删除 %(rows)s 条审计日志。") % {"rows": deleted})
