"""The lead office sees every message: sent, failed, retried; failed ones can be resent."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from common.admin_formsets import LoadedSelectionsMixin

from .choices import DeliveryState
from .models import DigestSubscription, Notification, NotificationItem, WebhookEndpoint
from .services import notifications_retry


class RetriedFilter(admin.SimpleListFilter):
    title = _("重试")
    parameter_name = "retried"

    def lookups(self, request, model_admin):
        return [("yes", _("重试过")), ("no", _("一次成功或未发送"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(attempts__gt=1)
        if self.value() == "no":
            return queryset.filter(attempts__lte=1)
        return queryset


class ItemInline(admin.TabularInline):
    model = NotificationItem
    fields = ("kind", "key", "created_on")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "channel", "to", "subject", "state", "attempts",
                    "sent_at", "short_error")
    list_filter = ("state", "kind", "channel", RetriedFilter)
    search_fields = ("subject", "dedupe_key", "address", "recipient__username",
                     "recipient__email")
    list_select_related = ("recipient", "webhook")
    date_hierarchy = "created_at"
    actions = ["retry_failed"]
    inlines = [ItemInline]
    readonly_fields = [field.name for field in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("收件人"))
    def to(self, notification):
        return notification.recipient or notification.webhook or notification.address

    @admin.display(description=_("最近错误"))
    def short_error(self, notification):
        return notification.last_error[:60]

    @admin.action(description=_("重新发送选中的失败通知"))
    def retry_failed(self, request, queryset):
        ids = notifications_retry(notification_ids=list(
            queryset.filter(state=DeliveryState.FAILED).values_list("id", flat=True)))
        level = messages.SUCCESS if ids else messages.WARNING
        self.message_user(request, _("已重新发送 %(n)d 条失败的通知。") % {"n": len(ids)}, level)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("name", "flavor", "department", "for_managers", "is_active", "sent")
    list_filter = ("flavor", "for_managers", "is_active")
    search_fields = ("name", "url", "department__name")
    autocomplete_fields = ("department",)
    list_select_related = ("department",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            sent_count=Count("notifications", distinct=True))

    @admin.display(description=_("消息数"), ordering="sent_count")
    def sent(self, hook):
        return hook.sent_count


@admin.register(DigestSubscription)
class DigestSubscriptionAdmin(LoadedSelectionsMixin, admin.ModelAdmin):
    list_display = ("user", "frequency", "last_sent_at")
    list_filter = ("frequency",)
    search_fields = ("user__username", "user__email")
    autocomplete_fields = ("user", "departments")  # selected values from the prefetch
    filter_horizontal = ("plans", "drivers")
    list_select_related = ("user",)

    def get_queryset(self, request):
        subscriptions = super().get_queryset(request).select_related("user")
        match = request.resolver_match
        if match is not None and match.url_name.endswith("_change"):
            return subscriptions.prefetch_related("plans", "drivers", "departments")
        return subscriptions

from . import admin_people  # noqa: E402,F401 — 人员 and the roster import (above departments: it offers the channels)
