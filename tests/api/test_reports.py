"""Progress reports through the API: the report services' rules, nothing added, nothing
skipped; 404 outside the user's scope, 403 for a visible report the user may not touch."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks_app.choices import AssignmentRole, EventKind, ReportState
from tasks_app.models import ProgressReport, ReportingPeriod, TaskEvent
from tasks_app.services.reports import Filing, report_save
from tests.factories import AssignmentFactory, PeriodFactory, PlanFactory, TaskFactory

from .conftest import GOOD

REPORTS = "/api/v1/reports/"


def post(client, url, data=None, **headers):
    return client.post(url, data or {}, format="json", headers=headers)


def patch(client, url, data, **headers):
    return client.patch(url, data, format="json", headers=headers)


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


@pytest.fixture
def draft(world) -> ProgressReport:
    """The responsible department's draft for March."""
    return report_save(filing=Filing(world.shared, world.resp.pk, world.period), data=GOOD,
                       user=world.liaison)


@pytest.fixture
def submitted(world, draft) -> ProgressReport:
    return report_save(filing=Filing(world.shared, world.resp.pk, world.period), data={},
                       user=world.liaison, submit=True)


def test_a_liaison_files_a_draft_for_its_department(world):
    response = post(world.client(world.liaison), REPORTS,
                    {"task": world.shared.pk, "period": world.period.pk, **GOOD})
    assert response.status_code == 201
    report = response.json()
    assert (report["department"], report["state"], report["progress"], report["version"]) == (
        world.resp.pk, ReportState.DRAFT, 40, 1)
    assert response["ETag"] == f'"progressreport-{report["id"]}-v1"'


def test_filing_with_submit_submits_and_writes_history(world):
    response = post(world.client(world.liaison), REPORTS,
                    {"task": world.shared.pk, "period": world.period.pk, "submit": True, **GOOD})
    assert response.json()["state"] == ReportState.SUBMITTED
    assert TaskEvent.objects.filter(task=world.shared, kind=EventKind.REPORT).count() == 1


def test_a_second_report_for_the_same_period_is_a_409(world, draft):
    response = post(world.client(world.liaison), REPORTS,
                    {"task": world.shared.pk, "period": world.period.pk, **GOOD})
    assert error(response, 409)["code"] == "conflict"


@pytest.mark.parametrize(("data", "field"), [
    ({"progress": 101}, "progress"),
    ({"progress": "abc"}, "progress"),
    ({"status": "bogus"}, "status"),
    ({"submit": True, "progress_text": "  "}, "progress_text"),
    ({"submit": True, "status": "delayed", "problems": ""}, "problems"),
    ({"task": None}, "task"),
    ({"period": 10**30}, "period"),
])
def test_invalid_input_is_a_400_field_by_field_and_nothing_is_saved(world, data, field):
    body = {"task": world.shared.pk, "period": world.period.pk, **GOOD, **data}
    assert field in error(post(world.client(world.liaison), REPORTS, body), 400)["fields"]
    assert not ProgressReport.objects.exists()


def test_a_task_outside_the_scope_is_an_unknown_task(world):
    response = post(world.client(world.liaison), REPORTS,
                    {"task": world.others.pk, "period": world.period.pk, **GOOD})
    assert "task" in error(response, 400)["fields"]


def test_filing_for_another_department_on_a_visible_task_is_a_403(world):
    response = post(world.client(world.liaison), REPORTS,
                    {"task": world.shared.pk, "department": world.lead.pk,
                     "period": world.period.pk, **GOOD})
    assert error(response, 403)["message"] == "只能为本部门报送进展。"


def test_a_manager_reads_everything_but_files_nothing(world):
    response = post(world.client(world.manager), REPORTS,
                    {"task": world.shared.pk, "department": world.resp.pk,
                     "period": world.period.pk, **GOOD})
    assert error(response, 403)["code"] == "permission_denied"


def test_a_period_of_another_plan_is_refused(world):
    foreign = PeriodFactory(plan=PlanFactory(), month=datetime.date(2026, 3, 1))
    response = post(world.client(world.liaison), REPORTS,
                    {"task": world.shared.pk, "period": foreign.pk, **GOOD})
    assert error(response, 400)["fields"] == {"period": ["该填报周期不属于此任务所在的计划。"]}


def test_a_period_that_has_not_opened_is_refused(world):
    april = ReportingPeriod.objects.create(
        plan=world.plan, month=datetime.date(2026, 4, 1), opens_on=datetime.date(2026, 4, 1),
        deadline=datetime.date(2026, 4, 24))
    response = post(world.client(world.liaison), REPORTS,
                    {"task": world.shared.pk, "period": april.pk, **GOOD})
    assert "尚未开始" in error(response, 400)["fields"]["period"][0]


def test_the_department_must_be_named_when_it_cannot_be_inferred(world):
    response = post(world.client(world.office), REPORTS,
                    {"task": world.shared.pk, "period": world.period.pk, **GOOD})
    assert "department" in error(response, 400)["fields"]


def test_a_draft_is_updated_with_patch(world, draft):
    response = patch(world.client(world.liaison), f"{REPORTS}{draft.pk}/",
                     {"progress": 55, "version": draft.version})
    assert (response.json()["progress"], response.json()["version"]) == (55, draft.version + 1)


def test_a_stale_version_in_the_body_is_a_409_and_nothing_is_overwritten(world, draft):
    client = world.client(world.liaison)
    patch(client, f"{REPORTS}{draft.pk}/", {"progress": 50, "version": draft.version})
    response = patch(client, f"{REPORTS}{draft.pk}/", {"progress": 60, "version": draft.version})
    assert error(response, 409)["code"] == "stale_version"
    draft.refresh_from_db()
    assert draft.progress == 50


def test_if_match_with_the_current_etag_writes_and_a_stale_one_is_a_412(world, draft):
    client = world.client(world.liaison)
    etag = client.get(f"{REPORTS}{draft.pk}/")["ETag"]
    first = patch(client, f"{REPORTS}{draft.pk}/", {"progress": 50}, **{"If-Match": etag})
    assert first.status_code == 200 and first["ETag"] != etag
    second = patch(client, f"{REPORTS}{draft.pk}/", {"progress": 60}, **{"If-Match": etag})
    assert error(second, 412)["code"] == "precondition_failed"
    draft.refresh_from_db()
    assert draft.progress == 50


def test_a_submitted_report_cannot_be_patched_until_withdrawn(world, submitted):
    client = world.client(world.liaison)
    assert "state" in error(patch(client, f"{REPORTS}{submitted.pk}/", {"progress": 1}),
                            400)["fields"]
    assert post(client, f"{REPORTS}{submitted.pk}/withdraw/").json()["state"] == "draft"
    assert patch(client, f"{REPORTS}{submitted.pk}/", {"progress": 1}).status_code == 200


def test_submit_action_checks_the_content(world):
    report = report_save(filing=Filing(world.shared, world.resp.pk, world.period),
                         data={"progress": 10}, user=world.liaison)
    client = world.client(world.liaison)
    assert "progress_text" in error(post(client, f"{REPORTS}{report.pk}/submit/"), 400)["fields"]
    patch(client, f"{REPORTS}{report.pk}/", {"progress_text": "已启动。"})
    assert post(client, f"{REPORTS}{report.pk}/submit/").json()["state"] == "submitted"


def test_a_liaison_trying_head_review_gets_403_and_the_head_approves(world, submitted):
    url = f"{REPORTS}{submitted.pk}/head-review/"
    response = post(world.client(world.liaison), url, {"approve": True})
    assert error(response, 403)["message"] == "只有本部门负责人可以审核。"
    response = post(world.client(world.head), url, {"approve": True, "version": submitted.version})
    assert response.json()["state"] == ReportState.HEAD_APPROVED
    assert response.json()["head_reviewed_by"] == world.head.username


def test_returning_without_a_comment_is_a_400_on_the_comment(world, submitted):
    response = post(world.client(world.lead_liaison), f"{REPORTS}{submitted.pk}/lead-review/",
                    {"accept": False})
    assert error(response, 400)["fields"] == {"comment": ["退回时请填写意见。"]}


def test_the_lead_department_reviews_the_other_departments_report(world, submitted):
    response = post(world.client(world.lead_liaison), f"{REPORTS}{submitted.pk}/lead-review/",
                    {"accept": False, "comment": "请补充数据"})
    assert (response.json()["state"], response.json()["review_comment"]) == (
        ReportState.RETURNED, "请补充数据")


def test_the_lead_department_sees_but_cannot_edit_another_departments_report(world, draft):
    client = world.client(world.lead_liaison)
    assert client.get(f"{REPORTS}{draft.pk}/").status_code == 200
    assert error(patch(client, f"{REPORTS}{draft.pk}/", {"progress": 1}), 403)
    assert error(post(client, f"{REPORTS}{draft.pk}/withdraw/"), 403)


@pytest.mark.parametrize("action", ["submit/", "withdraw/", "head-review/", "lead-review/"])
def test_a_report_outside_the_scope_answers_404_to_every_action(world, submitted, action):
    response = post(world.client(world.outsider), f"{REPORTS}{submitted.pk}/{action}",
                    {"approve": True, "accept": True})
    assert error(response, 404)["code"] == "not_found"


def test_reports_are_listed_by_visibility(world, submitted):
    report_save(filing=Filing(world.shared, world.lead.pk, world.period), data=GOOD,
                user=world.lead_liaison)

    def departments(user, query=""):
        rows = world.client(user).get(f"{REPORTS}?ordering=department__name{query}").json()
        return [row["department_name"] for row in rows["results"]]

    assert departments(world.lead_liaison) == ["区工信局", "区财政局"]
    assert departments(world.liaison) == ["区财政局"]
    assert departments(world.outsider) == []
    assert departments(world.office, "&state=draft") == ["区工信局"]
    assert departments(world.office, "&month_after=2026-04-01") == []


def test_a_late_report_is_accepted_and_marked(world, draft):
    with time_machine.travel(datetime.datetime(2026, 3, 30, 9, tzinfo=datetime.UTC), tick=False):
        response = post(world.client(world.liaison), f"{REPORTS}{draft.pk}/submit/")
    assert response.json()["is_late"] is True


def _grow(world, count: int) -> None:
    for _ in range(count):
        task = TaskFactory(plan=world.plan, driver=world.driver)
        AssignmentFactory(task=task, department=world.lead, role=AssignmentRole.LEAD)
        report_save(filing=Filing(task, world.lead.pk, world.period), data=GOOD,
                    user=world.lead_liaison, submit=True)


def test_a_page_of_reports_takes_the_same_queries_whatever_the_number_of_rows(world):
    client = world.client(world.lead_liaison)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{REPORTS}?page_size=50").status_code == 200
        return len(captured)

    _grow(world, 55)
    small = queries()
    _grow(world, 60)
    assert queries() == small == 6  # token+user, memberships, led tasks, count, page, users
