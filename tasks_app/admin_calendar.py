"""节假日安排 in the admin (lead office): the days per year, and 粘贴通知 → preview → 确认写入.

The parser is tasks_app.holiday_notice, the writes tasks_app.services.calendar; the views
only pass the pasted text between them (the confirm step parses the same text again).
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.formatting import cn_date
from common.i18n import join_list
from departments.access import access_for

from .holiday_notice import parse_notice
from .models import CalendarDay
from .services.calendar import calendar_apply_notice, calendar_day_save, calendar_days_delete

WEEKDAYS = (_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日"))


class NoticeForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    text = forms.CharField(
        label=_("通知正文"), widget=forms.Textarea(attrs={"rows": 16, "cols": 100}),
        help_text=_("粘贴国务院办公厅《关于X年部分节假日安排的通知》的正文，"
                    "每项形如“二、春节：2月15日（周日）至23日（周一）放假调休，共9天。"
                    "2月14日（周六）、2月28日（周六）上班。”"))

    def clean(self):
        data = super().clean()
        if "year" in data and "text" in data:
            try:
                data["festivals"] = parse_notice(data["text"], data["year"])
            except ValidationError as error:
                self.add_error("text", error)
        return data


class YearFilter(admin.SimpleListFilter):
    title = _("年度")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = CalendarDay.objects.order_by("-year").values_list("year", flat=True).distinct()
        return [(year, str(year)) for year in years]

    def queryset(self, request, queryset):
        return queryset.filter(year=self.value()) if self.value() else queryset


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "weekday", "kind", "name", "year")
    list_filter = (YearFilter, "kind")
    search_fields = ("name",)
    fields = ("date", "kind", "name", "year")
    list_per_page = 100
    change_list_template = "admin/tasks_app/calendarday/change_list.html"

    @admin.display(description=_("星期"))
    def weekday(self, day: CalendarDay) -> str:
        return str(WEEKDAYS[day.date.weekday()])

    def _lead_office(self, request: HttpRequest) -> bool:
        return access_for(request.user).is_lead_office

    def has_add_permission(self, request):
        return self._lead_office(request)

    def has_change_permission(self, request, obj=None):
        return self._lead_office(request)

    def has_delete_permission(self, request, obj=None):
        return self._lead_office(request)

    def has_view_permission(self, request, obj=None):
        return access_for(request.user).reads_everything

    def has_module_permission(self, request):
        return access_for(request.user).reads_everything

    def save_model(self, request, obj, form, change):
        calendar_day_save(obj)

    def delete_model(self, request, obj):
        calendar_days_delete([obj])

    def delete_queryset(self, request, queryset):
        calendar_days_delete(list(queryset))

    def get_changeform_initial_data(self, request):
        return {"year": timezone.localdate().year + 1}

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_paste": self._lead_office(request)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [path("notice/", self.admin_site.admin_view(self.notice_view),
                     name="tasks_app_calendarday_notice"), *super().get_urls()]

    def notice_view(self, request: HttpRequest) -> HttpResponse:
        """粘贴通知: the first POST previews, the second (确认写入) writes in one transaction."""
        if not self._lead_office(request):
            raise Http404
        initial_year = timezone.localdate().year + 1
        form = NoticeForm(request.POST or None, initial={"year": initial_year})
        preview = None
        if request.method == "POST" and form.is_valid():
            year, festivals = form.cleaned_data["year"], form.cleaned_data["festivals"]
            if "confirm" in request.POST:
                try:
                    result = calendar_apply_notice(year, festivals)
                except ValidationError as error:
                    form.add_error("text", error)
                else:
                    self.message_user(request, _(
                        "已写入%(year)s年节假日安排：放假 %(holidays)d 天，调休上班 %(workdays)d "
                        "天；"
                        "%(moved)d 个填报期的截止日随之调整。") % {
                        "year": year, "holidays": result.holidays,
                        "workdays": result.workdays, "moved": result.moved_periods},
                        messages.SUCCESS)
                    return redirect(reverse("admin:tasks_app_calendarday_changelist")
                                    + f"?year={year}")
            preview = [_festival_row(festival) for festival in festivals]
            if CalendarDay.objects.filter(year=year).exists():
                self.message_user(request, _("%(year)s年已有节假日安排，确认后将整体替换。")
                                  % {"year": year}, messages.WARNING)
        context = {**self.admin_site.each_context(request), "opts": CalendarDay._meta,
                   "title": _("粘贴节假日通知"), "form": form, "preview": preview}
        return TemplateResponse(request, "admin/tasks_app/calendarday/notice.html", context)


def _day(day: datetime.date) -> str:
    return f"{cn_date(day)}（{WEEKDAYS[day.weekday()]}）"


def _days(days: list[datetime.date]) -> str:
    """A run of consecutive days as 第一天至最后一天, other lists day by day."""
    if len(days) > 2 and (days[-1] - days[0]).days == len(days) - 1:
        return _("%(first)s至%(last)s") % {"first": _day(days[0]), "last": _day(days[-1])}
    return join_list(_day(day) for day in days)


def _festival_row(festival) -> dict:
    return {"name": festival.name, "count": len(festival.holidays),
            "holidays": _days(festival.holidays), "workdays": _days(festival.workdays)}
