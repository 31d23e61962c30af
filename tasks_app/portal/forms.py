"""Portal forms: they only read the browser's input; the rules are in the services."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..choices import ReportStatus
from ..exceptions import StaleVersion

STALE_MESSAGE = _("该记录已被他人修改，请刷新页面后再提交，以免覆盖对方的修改。")
_INTEGER = {"invalid": _("请输入整数。"), "required": _("请填写此项。")}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input multiple>; type and size are checked by the service."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files if item]


class ServiceErrorsMixin:
    """Put a service's ValidationError on the fields it names; the rest on the form."""

    field_aliases: dict[str, str] = {}

    def add_service_error(self, error: ValidationError) -> None:
        if self._errors is None:
            self.full_clean()  # errors can only be added to a validated form
        if isinstance(error, StaleVersion):
            self.add_error(None, STALE_MESSAGE)
            return
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            name = self.field_aliases.get(name, name)
            self.add_error(name if name in self.fields else None, messages)


class ReportForm(ServiceErrorsMixin, forms.Form):
    """A department's report for one task and period (also one row of the batch sheet)."""

    field_aliases = {"file": "attachments"}

    status = forms.ChoiceField(label=_("推进情况"), choices=ReportStatus.choices)
    progress = forms.IntegerField(
        label=_("进度（%）"), error_messages=_INTEGER,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1, "inputmode": "numeric"}),
    )
    progress_text = forms.CharField(label=_("本期进展"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 4}))
    problems = forms.CharField(label=_("存在问题"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    next_steps = forms.CharField(label=_("下步计划"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    needs_coordination = forms.BooleanField(label=_("需提请月度专题会议协调"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def report_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in (
            "status", "progress", "progress_text", "problems", "next_steps",
            "needs_coordination")}


class ReportWithAttachmentsForm(ReportForm):
    attachments = MultipleFileField(
        label=_("附件"), required=False,
        help_text=_("PDF、Office 文档或图片，可多选"),
        widget=MultipleFileInput(attrs={
            "accept": ".pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.wps,.et,.png,.jpg,.jpeg,.gif,.webp"}),
    )


class ReviewForm(ServiceErrorsMixin, forms.Form):
    """A head's or the lead department's decision on a report."""

    role = forms.ChoiceField(choices=[("head", "head"), ("lead", "lead")],
                             widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("accept", _("通过")), ("return", _("退回"))])
    comment = forms.CharField(label=_("意见"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class SummaryForm(ServiceErrorsMixin, forms.Form):
    """The lead department's consolidated summary of a task for a period."""

    text = forms.CharField(label=_("汇总进展"), required=False,
                           widget=forms.Textarea(attrs={"rows": 5}))
    progress = forms.IntegerField(
        label=_("任务进度（%）"), required=False, error_messages=_INTEGER,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)


class SheetUploadForm(forms.Form):
    """The filled monthly sheet; what is in it is checked by the services."""

    file = forms.FileField(label=_("填好的报送表（.xlsx）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
    action = forms.ChoiceField(
        label=_("导入后"), initial="save", widget=forms.RadioSelect,
        choices=[("save", _("保存为草稿（之后在门户逐项检查后报送）")),
                 ("submit", _("直接报送全部任务"))])


class SheetFileForm(forms.Form):
    """A filled sheet to preview; what is in it is checked by the services."""

    file = forms.FileField(label=_("填好的表格（.xlsx）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))


class MilestoneForm(ServiceErrorsMixin, forms.Form):
    """One 节点 of a task; the departments offered are those working on the task."""

    title = forms.CharField(label=_("节点内容"), max_length=500,
                            widget=forms.TextInput(attrs={"size": 40}))
    due_on = forms.DateField(label=_("节点时限"), widget=forms.DateInput(attrs={"type": "date"}))
    departments = forms.TypedMultipleChoiceField(label=_("责任部门"), coerce=int, required=False,
                                                 widget=forms.CheckboxSelectMultiple)
    completed_on = forms.DateField(label=_("完成日期"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, departments: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].choices = departments


class ReadingForm(ServiceErrorsMixin, forms.Form):
    """A target's figure for a month; the rules (note when behind) are in the service."""

    value = forms.DecimalField(label=_("实际值"), max_digits=18, decimal_places=4,
                               error_messages={"invalid": _("请输入数字。"),
                                               "required": _("请填写实际值。")})
    is_year_to_date = forms.BooleanField(label=_("为年内累计值"), required=False)
    note = forms.CharField(label=_("说明"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReadingReviewForm(ServiceErrorsMixin, forms.Form):
    field_aliases = {"state": "comment"}

    comment = forms.CharField(label=_("审核意见"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
