"""The lead office's admin: plans, tasks, who does what, targets, history.

Every write goes through the services, so the admin keeps the same rules and history as
the portal and the API.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from common.admin_formsets import LoadedSelectionsMixin, SharedChoicesFormSet
from common.formatting import cn_date
from common.i18n import join_list
from departments.models import Department
from tasks_app.admin_urge import urge_tasks

from .admin_documents import PlanLedgerMixin, TaskLedgerMixin
from .admin_fields import WorkingDaysField
from .admin_import import PlanImportMixin
from .admin_lifecycle import resume_tasks, suspend_tasks
from .choices import AssignmentRole, Health, PartState
from .health import with_health
from .models import (
    Assignment,
    Driver,
    Milestone,
    Plan,
    Schedule,
    Target,
    TargetAssignment,
    TargetReading,
    Task,
    TaskEvent,
)
from .services.assignments import (
    assignment_add,
    assignment_change_role,
    assignment_remove,
    assignments_bulk_add,
)
from .services.milestones import (
    milestone_create,
    milestone_data,
    milestone_delete,
    milestone_update,
    milestone_validate,
    tasks_set_due_on,
)
from .services.schedules import schedule_validate
from .services.tasks import EDITABLE, check_health_override, task_create, task_update

HEALTH_COLOURS = {
    Health.GREEN: "#2e7d32", Health.YELLOW: "#b8860b", Health.RED: "#c62828",
    Health.STALE: "#757575", Health.UNASSIGNED: "#5c6bc0",
}


def _live_parts(**lookups):
    return Assignment.objects.filter(task=OuterRef("pk"), **lookups).exclude(
        state=PartState.TRANSFERRED
    )


class ScheduleForm(forms.ModelForm):
    reminder_offsets = WorkingDaysField(
        label=Schedule._meta.get_field("reminder_offsets").verbose_name,
        help_text=_("截止日前几个工作日发送提醒，用逗号分隔，如“5, 1”；留空则不提醒。"))
    due_soon_offsets = WorkingDaysField(
        label=Schedule._meta.get_field("due_soon_offsets").verbose_name,
        help_text=_("任务或节点完成时限前几个工作日提醒，如“5, 1”；留空则不提醒。"))

    class Meta:
        model = Schedule
        fields = ("report_deadline_day", "weekly_deadline_weekday", "reminder_offsets",
                  "due_soon_offsets",
                  "chase_head_after", "chase_lead_office_after", "meeting_rule", "meeting_day",
                  "meeting_pack_days_before", "quarterly_review", "quarterly_review_day",
                  "ack_working_days", "allow_late_extension",
                  "slip_level", "slip_auto_sign", "slip_response_days", "send_time",
                  "digest_weekday", "digest_time", "bulletin_day", "assessment_month",
                  "assessment_day")

    def clean(self):
        data = super().clean()
        try:
            schedule_validate(data)
        except ValidationError as error:
            self.add_error(None, error)
        return data


class ScheduleInline(admin.StackedInline):
    model = Schedule
    formset = SharedChoicesFormSet
    form = ScheduleForm
    can_delete = False
    extra = 0


class DriverInline(admin.TabularInline):
    model = Driver
    formset = SharedChoicesFormSet
    extra = 0


@admin.register(Plan)
class PlanAdmin(PlanLedgerMixin, PlanImportMixin, admin.ModelAdmin):
    list_display = ("code", "title", "issuer", "signed_on", "period_start", "period_end",
                    "lead_office", "tracking_start", "is_active")
    search_fields = ("code", "title", "issuer")
    list_filter = ("is_active",)
    list_select_related = ("lead_office",)
    inlines = [ScheduleInline, DriverInline]
    readonly_fields = ("source_format", "source_name", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("code", "title", "issuer", "signed_on", "published_on",
                           "period_start", "period_end", "parent_policy", "lead_office",
                           "is_active")}),
        (_("督办设置"), {"fields": ("tracking_start", "slip_prefix")}),
        (_("来源"), {"classes": ("collapse",),
                   "fields": ("source_format", "source_name", "source_text", "created_at",
                              "updated_at")}),
    )

    def has_delete_permission(self, request, obj=None):
        return False  # would erase every report and all history: a plan is deactivated


class DepartmentFilter(admin.SimpleListFilter):
    """Tasks a department is on; combined with the role filter in one condition."""

    title = _("部门")
    parameter_name = "department"

    def lookups(self, request, model_admin):
        return list(Department.objects.filter(is_active=True).values_list("pk", "name"))

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        role = request.GET.get(RoleFilter.parameter_name)
        lookups = {"department_id": self.value()}
        if role in AssignmentRole.values:
            lookups["role"] = role
        return queryset.filter(Exists(_live_parts(**lookups)))


class RoleFilter(admin.SimpleListFilter):
    title = _("角色")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return AssignmentRole.choices

    def queryset(self, request, queryset):
        if not self.value() or request.GET.get(DepartmentFilter.parameter_name):
            return queryset  # applied together with the department by DepartmentFilter
        return queryset.filter(Exists(_live_parts(role=self.value())))


class UnassignedFilter(admin.SimpleListFilter):
    """The lead office's queue: tasks without a lead department, or without anyone."""

    title = _("分工情况")
    parameter_name = "unassigned"

    def lookups(self, request, model_admin):
        return [("no_lead", _("未明确牵头部门")), ("nobody", _("无任何责任单位")),
                ("assigned", _("已明确牵头部门"))]

    def queryset(self, request, queryset):
        has_lead = Exists(_live_parts(role=AssignmentRole.LEAD, department__isnull=False))
        if self.value() == "no_lead":
            return queryset.filter(~has_lead)
        if self.value() == "nobody":
            return queryset.filter(~Exists(_live_parts()))
        if self.value() == "assigned":
            return queryset.filter(has_lead)
        return queryset


class HealthFilter(admin.SimpleListFilter):
    title = _("预警状态")
    parameter_name = "health"

    def lookups(self, request, model_admin):
        return Health.choices

    def queryset(self, request, queryset):
        return queryset.filter(health=self.value()) if self.value() else queryset


class AssignmentInlineFormSet(SharedChoicesFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            unit = form.cleaned_data.get("department") or form.cleaned_data.get("group")
            if unit in seen:
                raise ValidationError(_("同一部门或部门组在一个任务中只能出现一次：%(unit)s"),
                                      params={"unit": unit})
            seen.add(unit)


class AssignmentInline(admin.TabularInline):
    model = Assignment
    formset = AssignmentInlineFormSet
    fields = ("department", "group", "role", "state", "source_text", "ack_due_on",
              "acknowledged_at")
    readonly_fields = ("state", "source_text", "ack_due_on", "acknowledged_at")
    autocomplete_fields = ("department", "group")  # selected values come with the rows
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("department", "group").exclude(
            state=PartState.TRANSFERRED)


class TaskEventInline(admin.TabularInline):
    model = TaskEvent
    formset = SharedChoicesFormSet
    fields = ("at", "kind", "department", "actor", "field_shown", "before_shown", "after_shown",
              "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("历史记录（全部变更）")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("department", "actor")


class BulkAssignForm(forms.Form):
    department = forms.ModelChoiceField(Department.objects.filter(is_active=True),
                                        label=_("部门"))
    role = forms.ChoiceField(choices=AssignmentRole.choices, label=_("角色"))
    replace_lead = forms.BooleanField(
        label=_("取代原牵头部门"), required=False,
        help_text=_("角色为牵头部门时：原牵头部门改为责任部门。已是责任部门的，改为牵头部门。"))
    reason = forms.CharField(label=_("说明"), required=False, max_length=300)


class BulkDueDateForm(forms.Form):
    due_on = forms.DateField(label=_("完成时限"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("原因"), max_length=300)


class MilestoneInlineForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ("title", "due_on", "departments", "completed_on")
        widgets = {"title": forms.TextInput(attrs={"size": 50}),
                   "due_on": forms.DateInput(attrs={"type": "date"}),
                   "completed_on": forms.DateInput(attrs={"type": "date"})}

    def clean(self):
        data = super().clean()
        task = self.instance.task if self.instance.task_id else getattr(self, "parent_task", None)
        if task is not None and task.pk and not data.get("DELETE") and self.has_changed():
            for name, errors in milestone_validate(task, milestone_data(data)).items():
                for error in errors:
                    self.add_error(name if name in self.fields else None, error)
        return data


class MilestoneInlineFormSet(SharedChoicesFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.parent_task = self.instance
        return form


class MilestoneInline(admin.TabularInline):
    """The task's dated 节点; saved through the milestone services (history kept)."""

    model = Milestone
    form = MilestoneInlineForm
    formset = MilestoneInlineFormSet
    extra = 1
    autocomplete_fields = ("departments",)
    verbose_name_plural = _("任务节点（计划分解）")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("departments")


class TaskAdminForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ("plan", "number", *EDITABLE)

    def clean(self):
        data = super().clean()
        try:
            check_health_override(data.get("health_override"), data.get("health_override_reason"))
        except ValidationError as error:
            self.add_error(None, error)
        return data


def _save_through_services(formset, *, delete, create, update) -> None:
    """Save an inline formset through the services (history kept), filling the three lists
    the admin's change message reads, as formset.save() would. ``update`` returns
    (object, changed fields) or None when nothing it handles changed."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for deleted in formset.deleted_forms:
        if deleted.instance.pk:
            delete(deleted.instance)
            formset.deleted_objects.append(deleted.instance)
    for inline in formset.forms:
        data = getattr(inline, "cleaned_data", None)
        if not data or data.get("DELETE") or not inline.has_changed():
            continue
        if inline.instance.pk is None:
            formset.new_objects.append(create(data))
        elif (changed := update(inline.instance, data, inline.changed_data)) is not None:
            formset.changed_objects.append(changed)


@admin.register(Task)
class TaskAdmin(TaskLedgerMixin, admin.ModelAdmin):
    form = TaskAdminForm
    list_display = ("number", "short_title", "plan", "driver", "lead_units",
                    "responsible_units", "status", "progress", "due_on", "health_badge")
    list_display_links = ("number", "short_title")
    list_filter = ("plan", "driver", DepartmentFilter, RoleFilter, "status", UnassignedFilter,
                   HealthFilter, "source_type")
    search_fields = ("title", "text", "assignments__department__name",
                     "assignments__source_text", "assignments__group__name")
    list_select_related = ("plan", "driver")
    list_per_page = 50
    show_full_result_count = False  # one COUNT of the filtered list, not a second of all
    inlines = [AssignmentInline, MilestoneInline, TaskEventInline]
    actions = ["bulk_assign", "bulk_due_date", "export_ledger", suspend_tasks, resume_tasks,
               urge_tasks]
    readonly_fields = ("status", "version", "original_due_on", "created_at", "updated_at",
                       "last_reported_at")
    fieldsets = (
        (None, {"fields": ("plan", "driver", "number", "title", "text")}),
        (_("办理"), {"fields": ("status", "due_on", "original_due_on", "progress",
                              "health_override", "health_override_reason", "last_reported_at")}),
        (_("督办事项信息"), {"classes": ("collapse",),
                         "fields": ("source_type", "source_reference", "urgency",
                                    "responsible_leader", "overseeing_leader", "feedback_type",
                                    "feedback_cycle")}),
        (_("记录"), {"classes": ("collapse",), "fields": ("version", "created_at", "updated_at")}),
    )

    def has_delete_permission(self, request, obj=None):
        return False  # would erase its reports and history: a task is suspended instead

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # A task keeps its plan and number (task_update does not change them): shown, not
        # a <select> of every plan.
        return (*fields, "plan", "number") if obj is not None else fields

    def get_queryset(self, request):
        parts = Assignment.objects.exclude(state=PartState.TRANSFERRED).select_related(
            "department", "group").order_by("position", "id")
        queryset = with_health(super().get_queryset(request))
        match = request.resolver_match
        if match is None or match.url_name != "tasks_app_task_changelist":
            return queryset.select_related("plan")  # the parts are in the inline
        return queryset.prefetch_related(Prefetch("assignments", parts, to_attr="live_parts"))

    @admin.display(description=_("标题"))
    def short_title(self, task):
        return task.title[:30]

    def _units(self, task, role):
        parts = getattr(task, "live_parts", None)
        if parts is None:
            parts = task.assignments.exclude(state=PartState.TRANSFERRED)
        return join_list(p.unit_name for p in parts if p.role == role) or "—"

    @admin.display(description=_("牵头部门"))
    def lead_units(self, task):
        return self._units(task, AssignmentRole.LEAD)

    @admin.display(description=_("责任部门"))
    def responsible_units(self, task):
        return self._units(task, AssignmentRole.RESPONSIBLE)

    @admin.display(description=pgettext_lazy("health column", "预警"), ordering="health")
    def health_badge(self, task):
        health = getattr(task, "health", None)
        if not health:
            return "—"
        return format_html('<b style="color:{}">{}</b>', HEALTH_COLOURS[health],
                           Health(health).label)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE}
        reason = _("牵头办公室在后台修改")
        if change:
            saved = task_update(task=obj, data=data, actor=request.user, reason=str(reason))
        else:
            fields = {name: form.cleaned_data[name] for name in form.cleaned_data
                      if name in EDITABLE or name == "number"}
            saved = task_create(plan=form.cleaned_data["plan"], data=fields,
                                actor=request.user)
        obj.pk, obj.version = saved.pk, saved.version

    def save_formset(self, request, form, formset, change):
        if formset.model is Milestone:
            return self._save_milestones(request, form.instance, formset)
        if formset.model is not Assignment:
            return super().save_formset(request, form, formset, change)
        task = form.instance
        reason = str(_("牵头办公室在后台调整分工"))

        def change_role(part, data, changed):
            if "role" not in changed:
                return None
            return assignment_change_role(assignment=part, role=data["role"],
                                          actor=request.user, reason=reason), ["role"]

        _save_through_services(
            formset,
            delete=lambda part: assignment_remove(assignment=part, actor=request.user,
                                                  reason=reason),
            create=lambda data: assignment_add(
                task=task, role=data["role"], department=data.get("department"),
                group=data.get("group"), actor=request.user, reason=reason),
            update=change_role)

    def _save_milestones(self, request, task, formset):
        reason = str(_("牵头办公室在后台调整节点"))
        _save_through_services(
            formset,
            delete=lambda m: milestone_delete(milestone=m, actor=request.user, reason=reason),
            create=lambda data: milestone_create(task=task, data=milestone_data(data),
                                                 actor=request.user, reason=reason),
            update=lambda m, data, changed: (milestone_update(
                milestone=m, data=milestone_data(data), actor=request.user, reason=reason),
                changed))

    def _bulk_form_page(self, request, queryset, form, *, action, title, intro, submit_label):
        return TemplateResponse(request, "admin/tasks_app/task/bulk_action.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
            "tasks": queryset, "title": title, "intro": intro, "action": action,
            "submit_label": submit_label,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })

    @admin.action(description=_("为选中的任务指定部门"))
    def bulk_assign(self, request, queryset):
        form = BulkAssignForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            department = form.cleaned_data["department"]
            result = assignments_bulk_add(
                tasks=list(queryset), department=department,
                role=form.cleaned_data["role"], actor=request.user,
                reason=form.cleaned_data["reason"] or str(_("批量指定部门")),
                replace_lead=form.cleaned_data["replace_lead"],
            )
            self.message_user(request, _("已为 %(n)d 个任务指定 %(d)s。") % {
                "n": len(result.created), "d": department.name}, messages.SUCCESS)
            if result.promoted:
                self.message_user(request, _("%(d)s 在以下任务中改为牵头部门：%(t)s") % {
                    "d": department.name,
                    "t": join_list(p.task.number for p in result.promoted)}, messages.SUCCESS)
            if result.demoted:
                self.message_user(request, _("原牵头部门改为责任部门：%(parts)s") % {
                    "parts": join_list(f"{p.task.number}. {p.unit_name}"
                                       for p in result.demoted)}, messages.INFO)
            if result.skipped:
                self.message_user(request, _("%(d)s 已在以下任务中，未重复指定：%(t)s") % {
                    "d": department.name,
                    "t": join_list(t.number for t in result.skipped)}, messages.WARNING)
            return None
        return self._bulk_form_page(
            request, queryset, form, action="bulk_assign", title=_("为选中的任务指定部门"),
            intro=ngettext("将为以下 %(n)d 个任务指定同一部门：",
                           "将为以下 %(n)d 个任务指定同一部门：", len(queryset))
            % {"n": len(queryset)}, submit_label=_("确认指定"))

    @admin.action(description=_("批量设置完成时限"))
    def bulk_due_date(self, request, queryset):
        form = BulkDueDateForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                changed = tasks_set_due_on(tasks=list(queryset), actor=request.user,
                                           due_on=form.cleaned_data["due_on"],
                                           reason=form.cleaned_data["reason"])
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                self.message_user(request, ngettext(
                    "已将 %(n)d 个任务的完成时限设为 %(date)s。",
                    "已将 %(n)d 个任务的完成时限设为 %(date)s。", len(changed)) % {
                    "n": len(changed), "date": cn_date(form.cleaned_data["due_on"])},
                    messages.SUCCESS)
                return None
        return self._bulk_form_page(
            request, queryset, form, action="bulk_due_date", title=_("批量设置完成时限"),
            intro=ngettext("将为以下 %(n)d 个任务设置同一完成时限（原定时限保留在历史中）：",
                           "将为以下 %(n)d 个任务设置同一完成时限（原定时限保留在历史中）：",
                           len(queryset)) % {"n": len(queryset)},
            submit_label=_("确认设置"))


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("task", "unit_name", "role", "state", "source_text", "ack_due_on",
                    "acknowledged_at")
    list_filter = ("role", "state", "task__plan", "department")
    search_fields = ("task__title", "department__name", "group__name", "source_text")
    list_select_related = ("task", "department", "group")

    def has_add_permission(self, request):
        return False  # parts are added on the task page or with the bulk action

    def has_change_permission(self, request, obj=None):
        return False


class TargetAssignmentInline(admin.TabularInline):
    model = TargetAssignment
    formset = SharedChoicesFormSet
    fields = ("department", "group", "role", "source_text")
    readonly_fields = ("source_text",)
    autocomplete_fields = ("department", "group")  # selected values come with the rows
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("department", "group")


class TargetReadingInline(admin.TabularInline):
    model = TargetReading
    formset = SharedChoicesFormSet
    fields = ("month", "value", "is_year_to_date", "department", "note", "reported_by",
              "reported_at")
    readonly_fields = ("reported_by", "reported_at")
    autocomplete_fields = ("department",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reported_by", "department")


@admin.register(Target)
class TargetAdmin(LoadedSelectionsMixin, admin.ModelAdmin):
    list_display = ("name", "qualifier", "value", "unit", "year", "kind", "parent", "plan",
                    "driver")
    list_filter = ("plan", "kind", "year")
    search_fields = ("name", "source_text")
    list_select_related = ("plan", "driver", "parent")
    autocomplete_fields = ("parent",)  # not a <select> of every target in the city
    inlines = [TargetAssignmentInline, TargetReadingInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("plan", "driver", "parent")


@admin.register(TaskEvent)
class TaskEventAdmin(admin.ModelAdmin):
    list_display = ("at", "task", "kind", "department", "actor", "field_shown", "before_shown",
                    "after_shown", "reason")
    list_filter = ("kind", "task__plan")
    search_fields = ("task__title", "before", "after", "reason")
    list_select_related = ("task", "department", "actor")
    date_hierarchy = "at"
    fields = ("at", "task", "kind", "department", "actor", "field_shown", "before_shown",
              "after_shown", "reason", "report")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


from . import admin_calendar, admin_records  # noqa: E402,F401  (holidays; meetings, bulletins…)
