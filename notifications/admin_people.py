"""人员 in the admin (lead office): the roster import (upload → preview → 确认导入), the
template download, who has not activated yet and 重新发送邀请. Own views, so the stock user
admin stays as the security settings make it."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html_join
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from common.formatting import cn_datetime
from common.i18n import join_list
from departments.access import access_for
from departments.admin import LeadOfficeUploadMixin
from departments.models import Membership, Person, PersonEvent, RosterImport
from departments.people import (
    invitations_resend,
    roster_confirm,
    roster_draft_create,
)
from departments.roster import roster_plan, roster_template

from .forms_channels import ChannelChoiceField
from .people import person_contacts_check, person_contacts_update

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("人员名单"),
                           help_text=_("支持 .xlsx 和 .csv 文件（可先下载模板）"))


class PersonForm(forms.ModelForm):
    """How a person is reached: mobile and IM user ids checked, channels ticked per kind."""

    channels = ChannelChoiceField(
        label=_("接收渠道"), required=False,
        help_text=_("按消息类别勾选；某类不勾选时按“所有消息”，都不勾选时按系统默认（邮件）。"
                    "没有相应地址或系统未配置的渠道不发送，至少保留邮件。"))

    class Meta:
        model = Person
        fields = ("mobile", "dingtalk_userid", "wecom_userid", "channels")

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors:
            try:
                data.update(person_contacts_check(
                    mobile=data.get("mobile", ""), dingtalk_userid=data.get("dingtalk_userid", ""),
                    wecom_userid=data.get("wecom_userid", ""), channels=data.get("channels", {})))
            except ValidationError as error:
                self.add_error(None, error)
        return data


class ActivationFilter(admin.SimpleListFilter):
    title = _("账号状态")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("pending", _("未激活")), ("active", _("已激活")), ("left", _("已停用"))]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(user__is_active=True, activated_at__isnull=True)
        if self.value() == "active":
            return queryset.filter(user__is_active=True, activated_at__isnull=False)
        if self.value() == "left":
            return queryset.filter(user__is_active=False)
        return queryset


@admin.register(Person)
class PersonAdmin(LeadOfficeUploadMixin, admin.ModelAdmin):
    list_display = ("name", "username", "roles", "mobile", "email", "state", "invited_at",
                    "invitations_sent")
    list_filter = (ActivationFilter,)
    search_fields = ("user__first_name", "user__username", "user__email", "mobile")
    fields = ("name", "username", "email", "mobile", "dingtalk_userid", "wecom_userid",
              "channels", "invited_at", "invitations_sent", "activated_at", "left_at", "history")
    readonly_fields = ("name", "username", "email", "invited_at", "invitations_sent",
                       "activated_at", "left_at", "history")
    actions = ["resend_invitations"]
    form = PersonForm
    change_list_template = "admin/departments/person/change_list.html"

    def get_queryset(self, request):
        memberships = Membership.objects.select_related("department")
        return (super().get_queryset(request).select_related("user")
                .prefetch_related(Prefetch("user__memberships", queryset=memberships)))

    def has_add_permission(self, request):
        return False  # people come from the roster

    def has_delete_permission(self, request, obj=None):
        return False  # never deleted: deactivated by the roster

    def save_model(self, request, obj, form, change) -> None:
        """Through the service: checked again, saved with a line in the person's history."""
        data = form.cleaned_data
        person_contacts_update(person=obj, mobile=data["mobile"],
                               dingtalk_userid=data["dingtalk_userid"],
                               wecom_userid=data["wecom_userid"], channels=data["channels"],
                               actor=request.user)

    @admin.display(description=_("变动记录"))
    def history(self, person):
        events = (PersonEvent.objects.filter(user=person.user)
                  .select_related("department", "other", "actor")[:200])
        return format_html_join(
            "", "{} · {} {} {} {} {}<br>",
            ((cn_datetime(e.created_at), e.get_action_display(),
              e.department.name if e.department_id else "", e.get_role_display(),
              f"({e.other})" if e.other_id else "", e.detail) for e in events)) or "—"

    @admin.display(description=_("姓名"), ordering="user__first_name")
    def name(self, person):
        return str(person.user)

    @admin.display(description=_("用户名"), ordering="user__username")
    def username(self, person):
        return person.user.username

    @admin.display(description=_("邮箱"))
    def email(self, person):
        return person.user.email or "—"

    @admin.display(description=_("角色"))
    def roles(self, person):
        return join_list(
            f"{m.department.name}{m.get_role_display()}" if m.department_id
            else m.get_role_display() for m in person.user.memberships.all()) or "—"

    @admin.display(description=_("状态"))
    def state(self, person):
        if not person.user.is_active:
            return _("已停用")
        if person.activated_at or person.user.has_usable_password():
            return _("已激活")
        return _("未激活") if person.invited_at else _("未邀请")

    @admin.action(description=_("重新发送邀请"))
    def resend_invitations(self, request, queryset):
        if not access_for(request.user).is_lead_office:
            raise Http404
        sent = invitations_resend(users=[p.user for p in queryset.select_related("user")],
                                  actor=request.user)
        self.message_user(request, _("已重新发送 %(n)d 份邀请（已激活或已停用的人员不发送）。")
                          % {"n": len(sent)}, messages.SUCCESS)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("roster/", wrap(self.roster_upload_view), name="departments_roster_upload"),
            path("roster/template.xlsx", wrap(self.roster_template_view),
                 name="departments_roster_template"),
            path("roster/<int:draft_id>/", wrap(self.roster_preview_view),
                 name="departments_roster_preview"),
            *super().get_urls(),
        ]

    def roster_template_view(self, request: HttpRequest) -> HttpResponse:
        self._context(request, "")
        response = HttpResponse(roster_template(), content_type=XLSX)
        response["Content-Disposition"] = content_disposition_header(True, "人员名单模板.xlsx")
        return response

    def roster_upload_view(self, request: HttpRequest) -> HttpResponse:
        context = self._context(request, _("导入人员名单"))
        form = RosterUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                draft = roster_draft_create(file_name=upload.name, data=upload.read(),
                                            user=request.user)
            except ValidationError as error:
                form.add_error("file", error.message_dict["file"])
            else:
                return redirect("admin:departments_roster_preview", draft_id=draft.pk)
        return TemplateResponse(request, "admin/departments/person/roster_upload.html",
                                {**context, "form": form})

    def roster_preview_view(self, request: HttpRequest, draft_id: int) -> HttpResponse:
        context = self._context(request, _("人员名单预览"))
        draft = get_object_or_404(RosterImport, pk=draft_id, uploaded_by=request.user,
                                  confirmed_at__isnull=True)
        if request.method == "POST" and "cancel" in request.POST:
            draft.delete()
            self.message_user(request, _("已取消导入，未写入任何数据。"), messages.INFO)
            return redirect("admin:departments_person_changelist")
        if request.method == "POST" and "confirm" in request.POST:
            try:
                summary = roster_confirm(draft=draft, user=request.user)
            except ValidationError as error:
                self.message_user(request, join_list(error.messages), messages.ERROR)
                return redirect("admin:departments_roster_preview", draft_id=draft.pk)
            self.message_user(request, _(
                "已导入人员名单：新增 %(new)d 人，变更 %(changed)d 人，停用 %(deactivated)d 人，"
                "交接 %(handovers)d 项；已发送 %(invited)d 份邀请。") % summary, messages.SUCCESS)
            return redirect("admin:departments_person_changelist")
        plan = roster_plan(draft.rows, actor=request.user)
        return TemplateResponse(request, "admin/departments/person/roster_preview.html",
                                {**context, "draft": draft, "plan": plan})
