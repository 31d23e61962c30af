from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from security.roles import ADMIN_ROLE_GROUPS, staff_sync
from security.services import password_reset_link_send, user_deactivated
from tasks_app.admin_formsets import SharedChoicesFormSet
from tasks_app.i18n import join_list

from .models import Department, DepartmentAlias, DepartmentGroup, Membership


class AliasInline(admin.TabularInline):
    model = DepartmentAlias
    formset = SharedChoicesFormSet
    extra = 1


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "level", "parent", "alias_names", "is_active")
    list_filter = ("kind", "level", "is_active")
    search_fields = ("name", "code", "aliases__alias")
    inlines = [AliasInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent").prefetch_related("aliases")

    def has_delete_permission(self, request, obj=None):
        return False  # reports and history point at it: a department is deactivated instead

    @admin.display(description=_("别名"))
    def alias_names(self, department):
        return join_list(alias.alias for alias in department.aliases.all()) or "—"


@admin.register(DepartmentAlias)
class DepartmentAliasAdmin(admin.ModelAdmin):
    list_display = ("alias", "department")
    search_fields = ("alias", "department__name")
    autocomplete_fields = ("department",)


@admin.register(DepartmentGroup)
class DepartmentGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "member_names")
    search_fields = ("name", "members__name")
    filter_horizontal = ("members",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("members")

    @admin.display(description=_("成员部门"))
    def member_names(self, group):
        return join_list(member.name for member in group.members.all()) or _("（尚未明确）")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "department")
    list_filter = ("role", "department")
    search_fields = ("user__username", "user__email", "department__name")
    autocomplete_fields = ("user", "department")
    list_select_related = ("user", "department")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        staff_sync(obj.user)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        staff_sync(obj.user)


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = SharedChoicesFormSet
    extra = 0
    autocomplete_fields = ("department",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("department")


admin.site.unregister(User)


class RestrictedUserAddForm(forms.ModelForm):
    """A new account as the lead office or security admin creates it: no password (the
    person sets one through the emailed link), no staff or superuser flag."""

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


@admin.register(User)
class DubanUserAdmin(UserAdmin):
    """The stock user admin for the operator (superuser); for everyone else (lead office,
    security admin) a restricted one: names, email, active and Duban roles only; no
    superuser, staff, permission or group fields; no password form (a reset link is
    emailed instead); operators and 三员 admins are out of reach."""

    inlines = [MembershipInline]
    actions = ["send_password_reset"]
    restricted_fieldsets = (
        (None, {"fields": ("username",)}),
        (_("个人信息"), {"fields": ("first_name", "last_name", "email")}),
        (_("状态"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    restricted_add_fieldsets = ((None, {"fields": ("username", "first_name", "last_name",
                                                   "email")}),)

    def get_queryset(self, request):
        users = super().get_queryset(request)
        if request.user.is_superuser:
            return users
        return users.filter(is_superuser=False).exclude(groups__name__in=ADMIN_ROLE_GROUPS)

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.restricted_add_fieldsets if obj is None else self.restricted_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ("last_login", "date_joined")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None and not request.user.is_superuser:
            kwargs["form"] = RestrictedUserAddForm
            kwargs["fields"] = None
        return super().get_form(request, obj, **kwargs)

    def get_list_filter(self, request):
        return super().get_list_filter(request) if request.user.is_superuser else ("is_active",)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change):
        was_active = change and User.objects.filter(pk=obj.pk, is_active=True).exists()
        super().save_model(request, obj, form, change)
        if was_active and not obj.is_active:
            user_deactivated(obj)
        if not change and not obj.has_usable_password():
            password_reset_link_send(obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        staff_sync(form.instance)

    @admin.action(description=_("发送设置密码链接"))
    def send_password_reset(self, request, queryset):
        sent = sum(password_reset_link_send(user) for user in queryset)
        self.message_user(request, _("已向 %(count)s 个账号的邮箱发送设置密码链接"
                                     "（没有邮箱的账号未发送）。") % {"count": sent},
                          messages.SUCCESS)

    def has_delete_permission(self, request, obj=None):
        return False  # reports and history name the person: an account is deactivated


admin.site.site_header = _("督办系统 · 牵头办公室管理后台")
admin.site.site_title = _("督办系统")
admin.site.index_title = _("督办管理")
from . import admin_people  # noqa: E402,F401 — 人员 and the roster import
