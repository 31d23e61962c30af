"""The audit admin's screen: read, filter and export the audit log; nobody changes it."""

import csv

from django.contrib import admin
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AUDIT_ADMIN_GROUP, AuditEvent


def _is_audit_admin(request) -> bool:
    """Only 审计管理员 read the log (三员分立: not the operator, not the security admin)."""
    user = request.user
    return user.is_active and user.is_staff and user.groups.filter(
        name=AUDIT_ADMIN_GROUP).exists()


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("seq", "at", "kind", "username", "ip", "target")
    list_filter = ("kind", ("at", admin.DateFieldListFilter))
    search_fields = ("username", "ip", "target", "detail")
    date_hierarchy = "at"
    ordering = ("-seq",)
    actions = ["export_csv"]
    show_full_result_count = False

    def has_module_permission(self, request) -> bool:
        return _is_audit_admin(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _is_audit_admin(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("导出选中的审计日志（CSV）"), permissions=["view"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 CSV with a BOM correctly
        writer = csv.writer(response)
        writer.writerow([_("序号"), _("时间"), _("类别"), _("用户名"), _("来源地址"),
                         _("对象"), _("详情"), _("上一条的哈希"), _("哈希")])
        for event in queryset.order_by("seq").iterator(chunk_size=2000):
            writer.writerow([event.seq, timezone.localtime(event.at).isoformat(),
                             event.get_kind_display(), event.username, event.ip,
                             _csv_safe(event.target), _csv_safe(event.detail),
                             event.prev_hash, event.hash])
        return response


def _csv_safe(text: str) -> str:
    """No formula injection when the CSV is opened in a spreadsheet."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
