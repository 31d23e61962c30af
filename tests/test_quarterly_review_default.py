"""The quarterly 专题研究 is on for plans whose text demands it: the primary plan as imported
(the run command's path), and existing rows through a data migration."""

import importlib

import pytest
from django.apps import apps

from tasks_app.importing import parse_document
from tasks_app.importing.loader import plan_load
from tasks_app.models import Schedule
from tasks_app.rules.plan_text import demands_quarterly_review

from .factories import PlanFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("text", "demanded"), [
    ("党工委、管委会每季度专题研究重点项目、重点任务和重大事项。", True),
    ("管委会每个季度召开一次专题研究会议。", True),
    ("建立季度专题研究制度。", True),
    ("管委会每月定期召开专题会议推动工作任务落实。", False),
    ("实施月监测、季度通报和年度考核工作机制。", False),
    ("每季度通报一次。研究部署专题工作。", False),  # not in one sentence
    ("", False),
])
def test_the_plan_text_decides_the_quarterly_review(text, demanded):
    assert demands_quarterly_review(text) is demanded


def test_the_primary_plan_is_imported_with_its_quarterly_review(primary_plan):
    schedule = Schedule.objects.get(plan=primary_plan)
    assert schedule.quarterly_review is True and schedule.quarterly_review_day == 20


def test_a_plan_that_does_not_demand_it_keeps_it_off(primary_text):
    text = primary_text.replace("每季度专题研究", "每年研究")
    plan = plan_load(parse_document(text)).plan
    assert Schedule.objects.get(plan=plan).quarterly_review is False


def test_the_data_migration_switches_it_on_for_existing_rows_that_demand_it(primary_text):
    primary = PlanFactory(code="哈经开委发〔2023〕1号", source_text=primary_text)
    other = PlanFactory(source_text="管委会每月定期召开专题会议。")
    for plan in (primary, other):
        Schedule.objects.update_or_create(plan=plan, defaults={"quarterly_review": False})
    migration = importlib.import_module("tasks_app.migrations.0014_office_quarterly_review")
    migration.switch_on(apps, None)
    assert Schedule.objects.get(plan=primary).quarterly_review is True
    assert Schedule.objects.get(plan=other).quarterly_review is False
