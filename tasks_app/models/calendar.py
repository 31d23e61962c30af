"""The working-day calendar: public holidays and make-up working days, year by year."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """A day that differs from the plain week: a holiday (放假) or a make-up working day (调休上班).

    ``year`` is the year whose notice names the day (元旦 2023 began on 2022年12月31日); a year
    with at least one row is known, other years fall back to weekends (tasks_app.workdays).
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=30, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"
