from django.contrib import admin
from django.http import Http404, HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from common.admin_formsets import SharedChoicesFormSet
from common.i18n import join_list

from .access import access_for
from .models import Department, DepartmentAlias, DepartmentGroup


class LeadOfficeUploadMixin:
    """Upload pages on a model admin (plan import, roster import): only the lead office
    reaches them, and its change list shows the import button (``can_import``)."""

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "can_import": access_for(request.user).is_lead_office}
        return super().changelist_view(request, extra_context)  # type: ignore[misc]

    def _context(self, request: HttpRequest, title: "str | Promise", **context) -> dict:
        """The admin page context of an upload page; 404 for anyone but the lead office."""
        if not access_for(request.user).is_lead_office:
            raise Http404
        return {**self.admin_site.each_context(request),  # type: ignore[attr-defined]
                "opts": self.model._meta, "title": title, **context}  # type: ignore[attr-defined]


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


admin.site.site_header = _("督办系统 · 牵头办公室管理后台")
admin.site.site_title = _("督办系统")
admin.site.index_title = _("督办管理")
