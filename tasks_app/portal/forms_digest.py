from django import forms
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from notifications.choices import DigestContent, DigestFrequency, DigestWeekday

from ..models import Driver, Plan


class DriverChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, driver):
        return f"{driver.plan.code} ({driver.number}) {driver.title}"


class DigestSubscriptionForm(forms.Form):
    """Every setting is a button, a box to tick or a time: nothing to type as a list."""

    frequency = forms.ChoiceField(label=_("摘要频率"), choices=DigestFrequency.choices,
                                  widget=forms.RadioSelect)
    weekday = forms.TypedChoiceField(
        label=_("每周发送日"), required=False, coerce=int, empty_value=None,
        choices=[("", _("按督办日程")), *DigestWeekday.choices], widget=forms.RadioSelect,
        help_text=_("仅对每周摘要有效"))
    send_time = forms.TimeField(
        label=_("发送时间"), required=False, widget=forms.TimeInput(attrs={"type": "time"},
                                                                      format="%H:%M"),
        help_text=_("不填则按督办日程的摘要发送时间（工作日发送）"))
    contents = forms.MultipleChoiceField(
        label=_("摘要内容"), required=False, choices=DigestContent.choices,
        widget=forms.CheckboxSelectMultiple, help_text=_("不选则全部列出"))
    plans = forms.ModelMultipleChoiceField(
        label=_("计划范围"), required=False, queryset=Plan.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple, help_text=_("不选则为全部计划"))
    drivers = DriverChoiceField(
        label=_("战略驱动范围"), required=False,
        queryset=Driver.objects.filter(plan__is_active=True).select_related("plan"),
        widget=forms.CheckboxSelectMultiple, help_text=_("不选则为全部战略驱动"))
    departments = forms.ModelMultipleChoiceField(
        label=_("部门范围"), required=False, queryset=Department.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple, help_text=_("不选则为全部部门"))
