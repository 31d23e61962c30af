"""What every decision of one cycle run needs, loaded once: the moment, the plans with their
schedules, who receives what (the audience), the recent periods and their missing reports.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.utils import timezone

from departments.choices import Role
from departments.models import Membership
from notifications.drafts import Recipient
from notifications.models import WebhookEndpoint

from ..choices import PeriodState
from ..models import Plan, ReportingPeriod
from ..rules import obligations
from ..rules.obligations import (
    MissingReading,
    MissingReport,
    missing_readings_for,
    missing_reports_for,
)
from ..services.periods import periods_open, weeks_open


@dataclass
class Audience:
    """Recipients by role; only active users with an email address, only active robots."""

    liaisons: dict[int, list[Recipient]] = field(default_factory=lambda: defaultdict(list))
    heads: dict[int, list[Recipient]] = field(default_factory=lambda: defaultdict(list))
    lead_office: list[Recipient] = field(default_factory=list)
    managers: list[Recipient] = field(default_factory=list)
    department_hooks: dict[int, list[Recipient]] = field(
        default_factory=lambda: defaultdict(list))
    manager_hooks: list[Recipient] = field(default_factory=list)

    @property
    def leaders(self) -> list[Recipient]:
        """The lead office and the managers, each person once."""
        return list(dict.fromkeys(self.lead_office + self.managers))

    def department(self, department_id: int, *, heads: bool = False,
                   liaisons: bool = True) -> list[Recipient]:
        people = (self.liaisons[department_id] if liaisons else []) + (
            self.heads[department_id] if heads else [])
        return list(dict.fromkeys(people)) + self.department_hooks[department_id]


def audience_load() -> Audience:
    """Two queries: memberships with their users, active robots."""
    audience = Audience()
    rows = (Membership.objects.filter(user__is_active=True).exclude(user__email="")
            .values_list("role", "department_id", "user_id", "user__email", "user__last_name",
                         "user__first_name", "user__username").order_by("user_id"))
    for role, department_id, user_id, email, last, first, username in rows:
        person = Recipient(user_id=user_id, address=email, name=f"{last}{first}" or username)
        if role == Role.LIAISON:
            audience.liaisons[department_id].append(person)
        elif role == Role.HEAD:
            audience.heads[department_id].append(person)
        elif role == Role.LEAD_OFFICE:
            audience.lead_office.append(person)
        elif role == Role.MANAGER:
            audience.managers.append(person)
    for hook in WebhookEndpoint.objects.filter(is_active=True).order_by("pk"):
        robot = Recipient(webhook_id=hook.pk, address=hook.url, name=hook.name)
        if hook.department_id:
            audience.department_hooks[hook.department_id].append(robot)
        if hook.for_managers:
            audience.manager_hooks.append(robot)
    return audience


class CycleContext:
    """One run of the cycle at ``now``; properties load lazily and once."""

    def __init__(self, now: datetime.datetime):
        self.now = now
        self.local = timezone.localtime(now)
        self.today = self.local.date()

    @cached_property
    def plans(self) -> list[Plan]:
        return list(Plan.objects.filter(is_active=True, schedule__isnull=False)
                    .select_related("schedule").order_by("pk"))

    @cached_property
    def audience(self) -> Audience:
        return audience_load()

    @cached_property
    def periods(self) -> dict[int, list[ReportingPeriod]]:
        """Last, this (and, in its reminder window, next) month's periods, by plan id."""
        return periods_open(plans=self.plans, today=self.today)

    @cached_property
    def weeks(self) -> dict[int, list[ReportingPeriod]]:
        """Last, this (and, in its reminder window, next) week's periods, by plan id — for
        the plans with weekly items only."""
        return weeks_open(plans=self.plans, today=self.today)

    @cached_property
    def missing(self) -> dict[int, list[MissingReport]]:
        """Reports still owed, by period id, for every period in :attr:`periods` and
        :attr:`weeks`."""
        return missing_reports_for([p for periods in self.periods.values() for p in periods]
                                   + [p for weeks in self.weeks.values() for p in weeks])

    @cached_property
    def missing_readings(self) -> dict[int, list[MissingReading]]:
        """Target readings (月监测) still owed, by the id of the period they are due with."""
        return missing_readings_for(p for periods in self.periods.values() for p in periods)

    def tracking(self, plan: Plan) -> bool:
        return self.today >= plan.tracking_start

    def sending(self, plan: Plan) -> bool:
        """Whether the plan's daily messages are due: tracked, and past its send time."""
        return self.tracking(plan) and self.local.time() >= plan.schedule.send_time

    def upcoming_period(self, plan: Plan) -> ReportingPeriod | None:
        """The period whose deadline is next (today included)."""
        return obligations.upcoming_period(self.periods.get(plan.pk, []), self.today)

    def chased_period(self, plan: Plan) -> ReportingPeriod | None:
        """The period whose deadline passed most recently: the only one still chased — unless
        it is locked (a bulletin published early by hand): the ladder stops at the lock, as
        a late report would be refused, and the bulletin names the department instead."""
        period = obligations.chased_period(self.periods.get(plan.pk, []), self.today,
                                           plan.tracking_start)
        return None if period is None or period.state == PeriodState.LOCKED else period

    def upcoming_week(self, plan: Plan) -> ReportingPeriod | None:
        """The weekly period whose deadline is next (today included), for weekly items."""
        return obligations.upcoming_period(self.weeks.get(plan.pk, []), self.today)

    def chased_week(self, plan: Plan) -> ReportingPeriod | None:
        """The weekly period whose deadline passed most recently (unless locked)."""
        period = obligations.chased_period(self.weeks.get(plan.pk, []), self.today,
                                           plan.tracking_start)
        return None if period is None or period.state == PeriodState.LOCKED else period
