"""The lifecycle in the lead office's admin: extension and completion requests, 督办单 and
leaders' instructions, with actions that run the lifecycle services (the same rules and
history as the portal and the API). Records are created by those services, never typed in.
"""

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .admin_records import _run
from .models import (
    CompletionRequest,
    ExtensionRequest,
    LeaderInstruction,
    SlipItem,
    SupervisionSlip,
    Task,
)
from .services.lifecycle.completions import completion_request_decide
from .services.lifecycle.extensions import extension_request_decide
from .services.lifecycle.slips import slip_sign, slip_void
from .services.lifecycle.suspension import task_resume, task_suspend


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因/意见"), widget=forms.Textarea(attrs={"rows": 3}))


def _with_reason(model_admin, request, queryset, action: str, title, service, done):
    """Ask for a reason, then apply ``service(obj, reason)`` to each selected object."""
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    if not form.is_valid():
        return TemplateResponse(request, "admin/tasks_app/records_action.html", {
            **model_admin.admin_site.each_context(request), "opts": model_admin.model._meta,
            "form": form, "objects": queryset, "action": action, "title": title,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })
    reason = form.cleaned_data["reason"]
    _run(model_admin, request, queryset, lambda obj: service(obj, reason), str(done))
    return None


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _task_link(task: Task):
    return format_html('<a href="{}">{}. {}</a>', reverse("portal:task", args=[task.pk]),
                       task.number, task.title[:30])


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyAdmin):
    list_display = ("task", "assignment__department", "current_due_on", "proposed_due_on",
                    "state", "late", "requested_at", "approved_due_on")
    list_filter = ("state", "late", "assignment__task__plan")
    list_select_related = ("assignment__task", "assignment__department")
    search_fields = ("assignment__task__title", "assignment__department__name", "reason")
    actions = ["approve", "refuse"]

    @admin.display(description=_("任务"))
    def task(self, obj):
        return _task_link(obj.assignment.task)

    @admin.action(description=_("同意延期（延至申请的日期）"))
    def approve(self, request, queryset):
        _run(self, request, queryset, lambda obj: extension_request_decide(
            request=obj, actor=request.user, approve=True), str(_("已同意 %(n)d 项延期申请。")))

    @admin.action(description=_("不同意延期（填写理由）"))
    def refuse(self, request, queryset):
        return _with_reason(self, request, queryset, "refuse", _("不同意延期"),
                            lambda obj, reason: extension_request_decide(
                                request=obj, actor=request.user, approve=False, reason=reason),
                            _("已不同意 %(n)d 项延期申请。"))


@admin.register(CompletionRequest)
class CompletionRequestAdmin(ReadOnlyAdmin):
    list_display = ("task_link", "department", "decision", "filed_at", "decided_at",
                    "rectify_due_on")
    list_filter = ("decision", "task__plan")
    list_select_related = ("task", "department")
    search_fields = ("task__title", "department__name", "results")
    actions = ["approve", "reject"]

    @admin.display(description=_("任务"))
    def task_link(self, obj):
        return _task_link(obj.task)

    @admin.action(description=_("同意办结（销号）"))
    def approve(self, request, queryset):
        _run(self, request, queryset, lambda obj: completion_request_decide(
            request=obj, actor=request.user, decision=CompletionRequest.Decision.APPROVED),
            str(_("已同意 %(n)d 项办结申请。")))

    @admin.action(description=_("不同意办结（填写意见）"))
    def reject(self, request, queryset):
        return _with_reason(self, request, queryset, "reject", _("不同意办结"),
                            lambda obj, reason: completion_request_decide(
                                request=obj, actor=request.user, reason=reason,
                                decision=CompletionRequest.Decision.REJECTED),
                            _("已退回 %(n)d 项办结申请。"))


class SlipItemInline(admin.TabularInline):
    model = SlipItem
    fields = ("position", "title", "due_on")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SupervisionSlip)
class SupervisionSlipAdmin(ReadOnlyAdmin):
    """The register of 督办单: drafts to review and sign, signed slips, voided ones (their
    numbers stay, marked 已作废)."""

    list_display = ("number_link", "addressee", "item_title", "level", "state", "respond_by",
                    "issued_by", "issued_at", "pdf")
    list_filter = ("state", "year", "level", "task__plan")
    search_fields = ("item_title", "addressee", "reason", "answer", "void_reason")
    list_select_related = ("task", "issued_by")
    inlines = [SlipItemInline]
    actions = ["sign", "void"]

    @admin.display(description=_("编号"), ordering="sequence")
    def number_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("portal:slip", args=[obj.pk]),
                           obj.number)

    @admin.display(description="PDF")
    def pdf(self, obj):
        return format_html('<a href="{}">PDF</a>', reverse("portal:slip_pdf", args=[obj.pk]))

    @admin.action(description=_("审核签发选中的督办单草稿（编号并通知主送部门）"))
    def sign(self, request, queryset):
        _run(self, request, queryset.order_by("drafted_at", "pk"),
             lambda obj: slip_sign(slip=obj, actor=request.user),
             str(_("已签发 %(n)d 份督办单。")))

    @admin.action(description=_("作废选中的督办单（填写原因）"))
    def void(self, request, queryset):
        return _with_reason(self, request, queryset, "void", _("作废督办单"),
                            lambda obj, reason: slip_void(slip=obj, actor=request.user,
                                                          reason=reason),
                            _("已作废 %(n)d 份督办单。"))


@admin.register(LeaderInstruction)
class LeaderInstructionAdmin(ReadOnlyAdmin):
    list_display = ("task_link", "short_text", "author", "created_at")
    list_filter = ("task__plan",)
    list_select_related = ("task", "author")
    search_fields = ("text", "task__title")

    @admin.display(description=_("任务"))
    def task_link(self, obj):
        return _task_link(obj.task)

    @admin.display(description=_("批示内容"))
    def short_text(self, obj):
        return obj.text[:60]


@admin.action(description=_("中止选中的任务（填写原因）"))
def suspend_tasks(model_admin, request, queryset):
    return _with_reason(model_admin, request, queryset, "suspend_tasks", _("中止任务"),
                        lambda task, reason: task_suspend(task=task, actor=request.user,
                                                          reason=reason),
                        _("已中止 %(n)d 项任务。"))


@admin.action(description=_("恢复办理选中的任务（填写原因）"))
def resume_tasks(model_admin, request, queryset):
    return _with_reason(model_admin, request, queryset, "resume_tasks", _("恢复办理"),
                        lambda task, reason: task_resume(task=task, actor=request.user,
                                                         reason=reason),
                        _("已恢复 %(n)d 项任务。"))
