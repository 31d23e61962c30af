"""The bench assesses a year its synthetic plans tracked, as a real office would: reports are
owed and counted. Nothing of that run is kept."""

import datetime

import pytest
import time_machine

from seeds.bench import measure_assessment_tracked, measure_builds
from seeds.bench_table import table_rows
from seeds.synthetic import synthetic_build
from tasks_app.models import Assessment, Assignment, Plan
from tasks_app.rules.obligations import owed_and_filed
from tasks_app.services.assessments import assessment_compute

pytestmark = pytest.mark.django_db
TZ = datetime.timezone(datetime.timedelta(hours=8))


def test_the_tracked_year_owes_reports_and_leaves_nothing_behind():
    with time_machine.travel(datetime.datetime(2026, 3, 16, 10, tzinfo=TZ), tick=False):
        synthetic_build(plans=2, tasks_per_plan=6, departments=6, users=12, months=15, seed=3)
        plans = list(Plan.objects.select_related("schedule").order_by("pk"))
        periods = list(plans[0].periods.filter(month__year=2025))
        assert len(periods) == 12
        # As built, the plans track from this month: the year before owes nothing.
        assert not any(owed for owed, _on_time, _late in owed_and_filed(plans[0], periods).values())
        before = sorted(Plan.objects.values_list("pk", "tracking_start"))
        given = sorted(Assignment.objects.values_list("pk", "created_at"))
        plain = measure_builds(plans, lambda plan: assessment_compute(plan, 2025))
        tracked = measure_assessment_tracked(plans, 2025)
    assert tracked["year"] == 2025 and tracked["plans"] == 2 and tracked["periods"] == 24
    # The timeliness rule has owed reports to count: more work than the plain run.
    assert tracked["queries"] > plain["queries"]
    assert sorted(Plan.objects.values_list("pk", "tracking_start")) == before
    assert [(plan.pk, plan.tracking_start) for plan in plans] == before  # the objects too
    assert sorted(Assignment.objects.values_list("pk", "created_at")) == given
    assert not Assessment.objects.exists()
    (row,) = table_rows({"assessment_tracked": tracked})
    assert row[0] == "  assessment of 2025 tracked, 24 periods owed (s)"
    assert row[1:3] == (tracked["queries"], tracked["seconds"]) and row[4] == "≤ 3 s"
