"""Forms of the lifecycle actions: they only read the browser's input (ids, dates, text);
the rules are in tasks_app.services.lifecycle."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import FeedbackCycle, FeedbackType, SourceType, Urgency
from ..models import CompletionRequest
from .forms import MultipleFileField, MultipleFileInput

_DATE = forms.DateInput(attrs={"type": "date"})
_REASON = forms.Textarea(attrs={"rows": 2})


class PartForm(forms.Form):
    part = forms.IntegerField(widget=forms.HiddenInput)


class ExtensionRequestForm(PartForm):
    proposed_due_on = forms.DateField(label=_("申请延至"), widget=_DATE)
    reason = forms.CharField(label=_("延期理由"), required=False, widget=_REASON)


class EndorseForm(forms.Form):
    request = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("endorse", _("审核同意")), ("return", _("退回"))])
    comment = forms.CharField(label=_("意见"), required=False, widget=_REASON)


class ExtensionDecisionForm(forms.Form):
    request = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("approve", _("同意延期")), ("refuse", _("不同意"))])
    due_on = forms.DateField(label=_("批准延至"), required=False, widget=_DATE)
    reason = forms.CharField(label=_("审批意见"), required=False, widget=_REASON)


class CompletionForm(forms.Form):
    department = forms.IntegerField(widget=forms.HiddenInput)
    results = forms.CharField(label=_("办理结果"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    attachments = MultipleFileField(
        label=_("佐证材料"), required=False, help_text=_("PDF、Office 文档或图片，可多选"),
        widget=MultipleFileInput(attrs={
            "accept": ".pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.wps,.et,.png,.jpg,.jpeg,.gif,.webp"}))


class CompletionDecisionForm(forms.Form):
    request = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=_("审核结论"), choices=[
        (value, label) for value, label in CompletionRequest.Decision.choices
        if value != CompletionRequest.Decision.PENDING])
    reason = forms.CharField(label=_("审核意见"), required=False, widget=_REASON)
    rectify_due_on = forms.DateField(label=_("整改时限"), required=False, widget=_DATE)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), required=False, widget=_REASON)


class TransferForm(PartForm):
    department = forms.IntegerField(label=_("转办至"))
    reason = forms.CharField(label=_("转办原因"), required=False, widget=_REASON)


class SlipForm(forms.Form):
    department = forms.IntegerField(label=_("主送部门"))
    reason = forms.CharField(label=_("督办事由"), required=False, widget=_REASON)
    required_response = forms.CharField(label=_("反馈要求"), required=False, widget=_REASON)
    respond_by = forms.DateField(label=_("反馈时限"), widget=_DATE)
    sign = forms.BooleanField(label=_("立即签发"), required=False)


class SlipVoidForm(forms.Form):
    reason = forms.CharField(label=_("作废原因"), required=False, widget=_REASON)


class InstructionForm(forms.Form):
    text = forms.CharField(label=_("批示内容"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    departments = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=[])
    report = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, department_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].choices = [(pk, pk) for pk in department_ids]


class SlipAnswerForm(forms.Form):
    answer = forms.CharField(label=_("反馈内容"), required=False,
                             widget=forms.Textarea(attrs={"rows": 4}))


class ItemForm(forms.Form):
    """A new supervised item (督办事项) from a source other than a plan document."""

    plan = forms.TypedChoiceField(label=_("所属计划/督办台账"), coerce=int)
    title = forms.CharField(label=_("事项名称"), max_length=500)
    text = forms.CharField(label=_("事项内容"), required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))
    source_type = forms.ChoiceField(label=_("来源"), choices=[
        c for c in SourceType.choices if c[0] != SourceType.PLAN])
    source_reference = forms.CharField(label=_("来源依据"), required=False, max_length=300,
                                       help_text=_("如 会议名称及日期、批示文号、文件文号"))
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices)
    responsible_leader = forms.CharField(label=_("责任领导"), required=False, max_length=100)
    overseeing_leader = forms.CharField(label=_("分管领导"), required=False, max_length=100)
    due_on = forms.DateField(label=_("完成时限"), required=False, widget=_DATE)
    feedback_type = forms.ChoiceField(label=_("反馈方式"), choices=FeedbackType.choices)
    feedback_cycle = forms.ChoiceField(label=_("反馈周期"), required=False,
                                       choices=[("", "—"), *FeedbackCycle.choices])
    lead_department = forms.TypedChoiceField(label=_("牵头部门"), coerce=int, required=False,
                                             empty_value=None)
    departments = forms.TypedMultipleChoiceField(label=_("责任部门"), coerce=int,
                                                 required=False,
                                                 help_text=_("按住 Ctrl（或 ⌘）可多选"))

    def __init__(self, *args, plans=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [(p.pk, f"{p.code} {p.title}") for p in plans]
        units = [(d.pk, d.name) for d in departments]
        self.fields["lead_department"].choices = [("", "—"), *units]
        self.fields["departments"].choices = units
        self.fields["departments"].widget.attrs["size"] = 8

    def item_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in (
            "title", "text", "source_type", "source_reference", "urgency",
            "responsible_leader", "overseeing_leader", "due_on", "feedback_type",
            "feedback_cycle")}
