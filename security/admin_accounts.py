"""The accounts admin (auth.User with its Duban roles, and the roles themselves): who may
see and change which account, as the 三员 separation of duties requires; a change of roles
syncs the staff flag and the admin groups (security.roles)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from common.admin_formsets import SharedChoicesFormSet
from departments.models import Membership

from .roles import ADMIN_ROLE_GROUPS, staff_sync
from .services import password_reset_link_send, user_deactivated


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
