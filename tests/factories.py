"""factory-boy factories for the domain."""

import datetime

import factory
from django.contrib.auth.models import User

from departments.choices import DepartmentKind, Role
from departments.models import Department, DepartmentGroup, Membership
from tasks_app.choices import AssignmentRole, PartState
from tasks_app.models import Assignment, Driver, Plan, ReportingPeriod, Schedule, Task


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@duban.example")
    password = factory.django.Password("pw")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"区测试局{n}")
    code = factory.Sequence(lambda n: f"t{n}")
    kind = DepartmentKind.DISTRICT_BUREAU


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DepartmentGroup

    name = factory.Sequence(lambda n: f"各相关部门{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    department = factory.SubFactory(DepartmentFactory)
    role = Role.LIAISON


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"测试发〔2026〕{n}号")
    title = factory.Sequence(lambda n: f"测试实施方案{n}")
    issuer = "测试管理委员会"
    period_start = 2026
    period_end = 2027
    tracking_start = datetime.date(2026, 1, 1)
    schedule = factory.RelatedFactory("tests.factories.ScheduleFactory",
                                      factory_related_name="plan")


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Schedule

    plan = factory.SubFactory(PlanFactory, schedule=None)


class DriverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Driver

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"测试战略驱动{n}")


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    plan = factory.SubFactory(PlanFactory)
    driver = factory.SubFactory(DriverFactory, plan=factory.SelfAttribute("..plan"))
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"测试任务{n}")
    text = factory.LazyAttribute(lambda t: f"{t.title}。任务原文。")


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    task = factory.SubFactory(TaskFactory)
    department = factory.SubFactory(DepartmentFactory)
    role = AssignmentRole.RESPONSIBLE
    state = PartState.IN_PROGRESS


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingPeriod
        django_get_or_create = ("plan", "month")

    plan = factory.SubFactory(PlanFactory)
    month = datetime.date(2026, 3, 1)
    opens_on = factory.LazyAttribute(lambda p: p.month)
    deadline = factory.LazyAttribute(lambda p: p.month.replace(day=25))
