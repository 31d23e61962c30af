from django import forms
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from notifications.choices import DigestFrequency

from ..models import Driver, Plan


class DriverChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, driver):
        return f"{driver.plan.code} ({driver.number}) {driver.title}"


class DigestSubscriptionForm(forms.Form):
    frequency = forms.ChoiceField(label=_("摘要频率"), choices=DigestFrequency.choices,
                                  widget=forms.RadioSelect)
    plans = forms.ModelMultipleChoiceField(
        label=_("计划范围"), required=False, queryset=Plan.objects.filter(is_active=True),
        help_text=_("不选则为全部计划"))
    drivers = DriverChoiceField(
        label=_("战略驱动范围"), required=False,
        queryset=Driver.objects.filter(plan__is_active=True).select_related("plan"),
        help_text=_("不选则为全部战略驱动"))
    departments = forms.ModelMultipleChoiceField(
        label=_("部门范围"), required=False, queryset=Department.objects.filter(is_active=True),
        help_text=_("不选则为全部部门"))
