"""The lead office's admin for the cycle's records: meetings and their decisions, quarterly
bulletins, annual assessments. Every write goes through the services."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from common.admin_formsets import SharedChoicesFormSet
from common.i18n import join_list
from departments.models import Department

from .models import (
    Assessment,
    AssessmentEntry,
    Bulletin,
    DepartmentScore,
    Meeting,
    MeetingDecision,
)
from .services.assessment_rules import (
    RULES,
    clean_weights,
    default_weights,
    weight_labels,
)
from .services.assessments import (
    assessment_compute,
    assessment_entry_save,
    assessment_finalise,
    assessment_publish,
    score_adjust,
)
from .services.bulletins import bulletin_generate, bulletin_publish
from .services.meetings import decision_close, decision_record, decision_to_follow_up


def _errors(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error)


def _run(model_admin, request, objects, action, done: str) -> None:
    """Apply a service to each selected object; report successes and refusals."""
    count = 0
    for obj in objects:
        try:
            action(obj)
            count += 1
        except (ValidationError, PermissionDenied) as error:
            model_admin.message_user(request, f"{obj}：{_errors(error)}", messages.ERROR)
    if count:
        model_admin.message_user(request, done % {"n": count}, messages.SUCCESS)


class DecisionInline(admin.TabularInline):
    model = MeetingDecision
    formset = SharedChoicesFormSet
    fields = ("text", "due_on", "departments", "follow_up_link", "is_closed")
    readonly_fields = ("follow_up_link", "is_closed")
    autocomplete_fields = ("departments",)
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("follow_up_task").prefetch_related(
            "departments")

    @admin.display(description=_("跟踪督办事项"))
    def follow_up_link(self, decision):
        task = decision.follow_up_task
        if task is None:
            return "—"
        return format_html('<a href="{}">{}. {}</a>',
                           reverse("admin:tasks_app_task_change", args=[task.pk]),
                           task.number, task.title)


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("title", "plan", "kind", "held_on", "state", "decision_count")
    list_filter = ("plan", "kind", "state")
    search_fields = ("title", "notes", "decisions__text")
    date_hierarchy = "held_on"
    inlines = [DecisionInline]
    actions = ["decisions_to_follow_up"]

    @admin.action(description=_("将选中会议尚未督办的议定事项转为跟踪督办事项"))
    def decisions_to_follow_up(self, request, queryset):
        decisions = MeetingDecision.objects.filter(
            meeting__in=queryset, follow_up_task__isnull=True, is_closed=False,
        ).prefetch_related("departments")
        return _follow_up(self, request, queryset, decisions, "decisions_to_follow_up")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("plan").annotate(
            n_decisions=Count("decisions"))

    @admin.display(description=_("议定事项"), ordering="n_decisions")
    def decision_count(self, meeting):
        return meeting.n_decisions

    def save_formset(self, request, form, formset, change):
        if formset.model is not MeetingDecision:
            return super().save_formset(request, form, formset, change)
        new = [f for f in formset.forms if f.instance.pk is None and f.has_changed()
               and not f.cleaned_data.get("DELETE")]
        for inline in new:
            formset.forms.remove(inline)
        saved = super().save_formset(request, form, formset, change)
        for inline in new:
            data = inline.cleaned_data
            try:
                formset.new_objects.append(decision_record(
                    meeting=form.instance, text=data["text"], actor=request.user,
                    departments=data.get("departments") or [], due_on=data.get("due_on")))
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, _errors(error), messages.ERROR)
        return saved


def _follow_up(model_admin, request, selected, decisions, action: str):
    """Ask for the lead department and due date, then turn each decision into an item."""
    form = FollowUpForm(request.POST if "apply" in request.POST else None)
    if not form.is_valid():
        return TemplateResponse(request, "admin/tasks_app/records_action.html", {
            **model_admin.admin_site.each_context(request), "opts": model_admin.model._meta,
            "form": form, "objects": selected, "action": action,
            "title": _("转为跟踪督办事项"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })
    lead, due_on = form.cleaned_data["lead_department"], form.cleaned_data["due_on"]
    _run(model_admin, request, decisions, lambda decision: decision_to_follow_up(
        decision=decision, departments=list(decision.departments.all()),
        lead_department=lead, due_on=due_on, actor=request.user),
        str(_("已将 %(n)d 项议定事项转为跟踪督办事项。")))
    return None


class FollowUpForm(forms.Form):
    lead_department = forms.ModelChoiceField(
        Department.objects.filter(is_active=True), label=_("牵头部门"), required=False,
        help_text=_("不选则不指定牵头部门（进入牵头办公室待分配队列），议定事项的责任部门均为责任部门"))
    due_on = forms.DateField(label=_("完成时限"), required=False,
                             help_text=_("不填则使用议定事项的完成时限"),
                             widget=forms.DateInput(attrs={"type": "date"}))


@admin.register(MeetingDecision)
class MeetingDecisionAdmin(admin.ModelAdmin):
    list_display = ("short_text", "meeting", "due_on", "department_names", "follow_up_task",
                    "is_closed")
    list_filter = ("meeting__plan", "is_closed", "meeting")
    search_fields = ("text", "departments__name")
    list_select_related = ("meeting", "follow_up_task")
    autocomplete_fields = ("departments",)
    readonly_fields = ("follow_up_task", "is_closed", "closed_at", "created_by", "created_at")
    actions = ["to_follow_up", "close"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("departments")

    def has_add_permission(self, request):
        return False  # decisions are recorded on their meeting's page

    @admin.display(description=_("议定事项"))
    def short_text(self, decision):
        return decision.text[:40]

    @admin.display(description=_("责任部门"))
    def department_names(self, decision):
        return join_list(d.name for d in decision.departments.all()) or "—"

    @admin.action(description=_("将选中的议定事项转为跟踪督办事项"))
    def to_follow_up(self, request, queryset):
        return _follow_up(self, request, queryset, queryset, "to_follow_up")

    @admin.action(description=_("标记为已落实"))
    def close(self, request, queryset):
        _run(self, request, queryset,
             lambda decision: decision_close(decision=decision, actor=request.user),
             str(_("已将 %(n)d 项议定事项标记为已落实。")))


def _page_link(name: str, obj) -> str:
    return format_html('<a href="{}" target="_blank">{}</a>',
                       reverse(f"records:{name}", args=[obj.pk]), _("查看页面"))


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    list_display = ("__str__", "plan", "number", "state", "generated_at", "published_at",
                    "page")
    list_filter = ("plan", "state", "year")
    list_select_related = ("plan",)
    fields = ("plan", "year", "quarter", "number", "state", "generated_at", "published_at",
              "page")
    actions = ["generate", "publish"]

    def get_readonly_fields(self, request, obj=None):
        fixed = ("number", "state", "generated_at", "published_at", "page")
        return fixed + (("plan", "year", "quarter") if obj else ())

    @admin.display(description=_("通报页面"))
    def page(self, bulletin):
        return _page_link("bulletin", bulletin) if bulletin.pk else "—"

    def save_model(self, request, obj, form, change):
        if not change:
            saved = bulletin_generate(plan=obj.plan, year=obj.year, quarter=obj.quarter,
                                      actor=request.user)
            obj.pk = saved.pk

    @admin.action(description=_("生成/刷新通报草稿（已发布的不变）"))
    def generate(self, request, queryset):
        _run(self, request, queryset.select_related("plan"), lambda b: bulletin_generate(
            plan=b.plan, year=b.year, quarter=b.quarter, actor=request.user),
            str(_("已生成 %(n)d 份通报草稿。")))

    @admin.action(description=_("发布选中的通报（发布后内容固定，当季填报锁定）"))
    def publish(self, request, queryset):
        _run(self, request, queryset.select_related("plan"),
             lambda b: bulletin_publish(b, actor=request.user),
             str(_("已发布 %(n)d 份季度通报。")))


WEIGHT_PREFIX = "weight_"


def _weight_fields() -> dict[str, forms.Field]:
    """One number field per scoring item, labelled in Chinese (no JSON to type)."""
    return {
        f"{WEIGHT_PREFIX}{key}": forms.DecimalField(
            label=label, min_value=0, max_digits=7, decimal_places=2,
            help_text=rule.name if rule.weighted and key == rule.key else "")
        for rule in RULES for key, label in rule.labels.items()
    }


class _AssessmentForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ("plan", "year")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        weights = {**default_weights(), **(self.instance.weights or {})}
        for key, value in weights.items():
            if f"{WEIGHT_PREFIX}{key}" in self.fields:
                self.initial.setdefault(f"{WEIGHT_PREFIX}{key}", value)

    def clean(self):
        data = super().clean()
        raw = {name.removeprefix(WEIGHT_PREFIX): value for name, value in data.items()
               if name.startswith(WEIGHT_PREFIX) and value is not None}
        if not raw:
            return data  # a finalised assessment: the weights are read-only
        try:
            weights = clean_weights(raw)
        except ValidationError as error:
            self.add_error(None, error.message_dict["weights"])
            return data
        self.instance.weights = json.loads(json.dumps(
            {k: float(v) if v % 1 else int(v) for k, v in weights.items()}))
        return data


AssessmentForm = type("AssessmentForm", (_AssessmentForm,), _weight_fields())
WEIGHT_FIELDS = tuple(AssessmentForm.base_fields.keys() - {"plan", "year"})


class ScoreInlineForm(forms.ModelForm):
    class Meta:
        model = DepartmentScore
        fields = ("adjustment", "adjustment_reason")
        widgets = {"adjustment_reason": forms.Textarea(attrs={"rows": 2, "cols": 30})}

    def clean(self):
        data = super().clean()
        if self.has_changed() and not (data.get("adjustment_reason") or "").strip():
            self.add_error("adjustment_reason", _("调整得分必须填写理由。"))
        return data


class ScoreInline(admin.TabularInline):
    model = DepartmentScore
    form = ScoreInlineForm
    fields = ("rank", "department", "computed_total", "adjustment", "adjustment_reason",
              "total", "contest_state", "contest_reason", "contest_reply")
    readonly_fields = ("rank", "department", "computed_total", "total", "contest_state",
                       "contest_reason", "contest_reply")
    extra = 0
    can_delete = False
    verbose_name_plural = _("部门得分（调整须填写理由，即为对申诉的答复）")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.state != Assessment.State.FINAL

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("department")


class EntryInline(admin.TabularInline):
    model = AssessmentEntry
    fields = ("department", "points", "reason", "created_by", "created_at")
    readonly_fields = ("created_by", "created_at")
    autocomplete_fields = ("department",)
    extra = 1

    def _open(self, obj) -> bool:
        return obj is not None and obj.state != Assessment.State.FINAL

    def has_add_permission(self, request, obj=None):
        return self._open(obj)

    def has_change_permission(self, request, obj=None):
        return self._open(obj)

    def has_delete_permission(self, request, obj=None):
        return self._open(obj)


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    form = AssessmentForm
    list_display = ("__str__", "plan", "state", "computed_at", "published_at", "finalised_at",
                    "page")
    list_filter = ("plan", "state")
    list_select_related = ("plan",)
    inlines = [ScoreInline, EntryInline]
    actions = ["compute", "publish", "finalise"]

    def get_readonly_fields(self, request, obj=None):
        fixed = ("state", "computed_at", "published_at", "finalised_at", "page",
                 "weights_table")
        return fixed if obj is None else fixed + ("plan", "year")

    def get_fieldsets(self, request, obj=None):
        final = obj is not None and obj.state == Assessment.State.FINAL
        weights = ("weights_table",) if final else tuple(
            name for name in AssessmentForm.base_fields if name.startswith(WEIGHT_PREFIX))
        return (
            (None, {"fields": ("plan", "year", "state", "computed_at", "published_at",
                               "finalised_at", "page")}),
            (_("评分规则与权重"), {
                "fields": weights,
                "description": _("各评分项满分合计须为 100；扣分项为每次扣分和扣分上限。")}),
        )

    @admin.display(description=_("评分规则与权重"))
    def weights_table(self, assessment):
        labels = weight_labels()
        return format_html_join("", "<div>{}：{}</div>", (
            (labels.get(key, key), value) for key, value in (assessment.weights or {}).items()))

    @admin.display(description=_("考核页面"))
    def page(self, assessment):
        return _page_link("assessment", assessment) if assessment.pk else "—"

    def save_formset(self, request, form, formset, change):
        if formset.model not in (DepartmentScore, AssessmentEntry):
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline in formset.forms:
            if not inline.has_changed() or inline.cleaned_data.get("DELETE"):
                continue
            try:
                if formset.model is DepartmentScore:
                    score_adjust(score=inline.instance, user=request.user,
                                 adjustment=inline.cleaned_data["adjustment"],
                                 reason=inline.cleaned_data["adjustment_reason"])
                else:
                    assessment_entry_save(entry=inline.instance, user=request.user)
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, _errors(error), messages.ERROR)
        for inline in formset.deleted_forms:
            if inline.instance.pk and formset.model is AssessmentEntry:
                inline.instance.delete()
        return None

    @admin.action(description=_("测算（重新测算）选中的年度考核"))
    def compute(self, request, queryset):
        _run(self, request, queryset.select_related("plan"),
             lambda a: assessment_compute(a.plan, a.year, actor=request.user),
             str(_("已测算 %(n)d 项年度考核。")))

    @admin.action(description=_("公示考核结果（各部门可申诉）"))
    def publish(self, request, queryset):
        _run(self, request, queryset,
             lambda a: assessment_publish(assessment=a, user=request.user),
             str(_("已公示 %(n)d 项年度考核。")))

    @admin.action(description=_("定稿（确定排名，不再受理申诉）"))
    def finalise(self, request, queryset):
        _run(self, request, queryset,
             lambda a: assessment_finalise(assessment=a, user=request.user),
             str(_("已定稿 %(n)d 项年度考核。")))
