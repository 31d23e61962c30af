"""Bulletin and assessment pages: who sees what, the contest form, constant queries.

Actors: the lead office and a manager (read everything), 甲's liaison and head, 乙's head,
and an anonymous visitor.
"""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from departments.choices import Role
from tasks_app.choices import AssignmentRole, TaskStatus
from tasks_app.models import Bulletin, DepartmentScore
from tasks_app.services.assessments import (
    assessment_compute,
    assessment_finalise,
    assessment_publish,
)
from tasks_app.services.bulletins import bulletin_generate, bulletin_publish

from .factories import (
    AssignmentFactory,
    DepartmentFactory,
    MembershipFactory,
    PeriodFactory,
    PlanFactory,
    TaskFactory,
)
from .records_factories import ReportFactory

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2027, 1, 20, 9, tzinfo=SH)


def _grow(plan, period, start: int, size: int) -> None:
    """Departments with a task and a report each: more rows on every page."""
    for n in range(start, start + size):
        with time_machine.travel(datetime.datetime(2025, 12, 1, tzinfo=SH)):
            task = TaskFactory(plan=plan, number=10 + n, status=TaskStatus.IN_PROGRESS,
                               due_on=datetime.date(2026, 12, 31))
            department = AssignmentFactory(task=task, role=AssignmentRole.LEAD).department
        ReportFactory(task=task, department=department, period=period, is_late=bool(n % 2))


@pytest.fixture
def world():
    with time_machine.travel(datetime.datetime(2025, 12, 1, tzinfo=SH)):
        plan = PlanFactory(tracking_start=datetime.date(2026, 1, 1))
        a, b = DepartmentFactory(name="区甲局"), DepartmentFactory(name="区乙局")
        task = TaskFactory(plan=plan, number=1, title="推进开发区管理体制改革",
                           status=TaskStatus.IN_PROGRESS, due_on=datetime.date(2026, 6, 30))
        AssignmentFactory(task=task, department=a, role=AssignmentRole.LEAD)
        AssignmentFactory(task=task, department=b)
    period = PeriodFactory(plan=plan, month=datetime.date(2026, 3, 1),
                           deadline=datetime.date(2026, 3, 25))
    ReportFactory(task=task, department=a, period=period)
    people = {
        "lead_office": MembershipFactory(role=Role.LEAD_OFFICE, department=None).user,
        "manager": MembershipFactory(role=Role.MANAGER, department=None).user,
        "liaison_a": MembershipFactory(department=a, role=Role.LIAISON).user,
        "head_a": MembershipFactory(department=a, role=Role.HEAD).user,
        "head_b": MembershipFactory(department=b, role=Role.HEAD).user,
    }
    return type("World", (), {"plan": plan, "a": a, "b": b, "period": period, **people})


@pytest.fixture
def bulletins(world):
    with time_machine.travel(datetime.datetime(2026, 4, 10, 9, tzinfo=SH)):
        published = bulletin_publish(bulletin_generate(plan=world.plan, year=2026, quarter=1))
        draft = bulletin_generate(plan=world.plan, year=2026, quarter=2)
    return published, draft


@pytest.fixture
def assessment(world):
    with time_machine.travel(NOW):
        return assessment_publish(assessment=assessment_compute(world.plan, 2026),
                                  user=world.lead_office)


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_a_published_bulletin_is_readable_by_every_logged_in_user(client, world, bulletins):
    response = _get(client, world.liaison_a, reverse("records:bulletin", args=[bulletins[0].pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "2026年第1季度督办工作通报" in html and "2026年第1期" in html and "区乙局" in html


@pytest.mark.parametrize(("who", "status"), [("liaison_a", 404), ("head_b", 404),
                                             ("manager", 200), ("lead_office", 200)])
def test_a_draft_bulletin_is_only_for_the_lead_office_and_managers(client, world, bulletins,
                                                                   who, status):
    url = reverse("records:bulletin", args=[bulletins[1].pk])
    assert _get(client, getattr(world, who), url).status_code == status


def test_departments_list_only_published_bulletins(client, world, bulletins):
    response = _get(client, world.liaison_a, reverse("records:bulletins"))
    assert [b.pk for b in response.context["bulletins"]] == [bulletins[0].pk]


def test_anonymous_visitors_are_sent_to_log_in(client, world, bulletins):
    response = client.get(reverse("records:bulletin", args=[bulletins[0].pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_bulletin_page_runs_the_same_queries_whatever_the_size(
        client, world, django_assert_num_queries):
    def page(quarter: int) -> None:
        with time_machine.travel(datetime.datetime(2026, 4, 10, 9, tzinfo=SH)):
            bulletin = bulletin_generate(plan=world.plan, year=2026, quarter=quarter)
        client.force_login(world.liaison_a)
        Bulletin.objects.filter(pk=bulletin.pk).update(state=Bulletin.State.PUBLISHED)
        # session, user, memberships (access), the bulletin with its plan, the progress
        # series of its chart
        with django_assert_num_queries(5):
            assert client.get(reverse("records:bulletin", args=[bulletin.pk])).status_code == 200

    _grow(world.plan, world.period, 0, 2)
    page(1)
    _grow(world.plan, world.period, 2, 15)
    page(2)


def test_the_assessment_page_shows_every_formula_and_its_inputs(client, world, assessment):
    html = _get(client, world.liaison_a,
                reverse("records:assessment", args=[assessment.pk])).content.decode()
    assert "按时报送率 1 ÷ 1 = 100.0% × 30 分 = 30 分" in html
    assert "应报送：1" in html and "折算为百分制" in html


def test_the_departments_head_contests_its_score_from_the_page(client, world, assessment):
    url = reverse("records:assessment", args=[assessment.pk])
    score = assessment.scores.get(department=world.a)
    page = _get(client, world.head_a, url).content.decode()
    assert f'id="contest-{score.pk}"' in page
    assert f'id="contest-{assessment.scores.get(department=world.b).pk}"' not in page
    response = client.post(reverse("records:contest", args=[assessment.pk, score.pk]),
                           {"reason": "3月报送已按时提交,请核实。"})
    assert response.status_code == 302
    score.refresh_from_db()
    assert score.contest_state == DepartmentScore.ContestState.CONTESTED
    assert score.contest_reason == "3月报送已按时提交,请核实。"


def test_a_liaison_sees_no_contest_form_and_cannot_post_one(client, world, assessment):
    url = reverse("records:assessment", args=[assessment.pk])
    score = assessment.scores.get(department=world.a)
    assert 'id="contest-' not in _get(client, world.liaison_a, url).content.decode()
    response = client.post(reverse("records:contest", args=[assessment.pk, score.pk]),
                           {"reason": "不同意。"})
    assert response.status_code == 404
    score.refresh_from_db()
    assert score.contest_state == ""


def test_a_contest_without_a_reason_is_refused_with_a_message(client, world, assessment):
    score = assessment.scores.get(department=world.a)
    client.force_login(world.head_a)
    response = client.post(reverse("records:contest", args=[assessment.pk, score.pk]),
                           {"reason": ""}, follow=True)
    assert "请填写申诉理由" in response.content.decode()


def test_no_contest_form_once_the_assessment_is_final(client, world, assessment):
    assessment_finalise(assessment=assessment, user=world.lead_office)
    url = reverse("records:assessment", args=[assessment.pk])
    assert 'id="contest-' not in _get(client, world.head_a, url).content.decode()


@pytest.mark.parametrize(("who", "status"), [("head_a", 404), ("manager", 200)])
def test_a_draft_assessment_is_only_for_the_lead_office_and_managers(client, world, who,
                                                                      status):
    with time_machine.travel(NOW):
        draft = assessment_compute(world.plan, 2026)
    url = reverse("records:assessment", args=[draft.pk])
    assert _get(client, getattr(world, who), url).status_code == status


def test_the_assessment_page_runs_the_same_queries_whatever_the_size(
        client, world, django_assert_num_queries):
    def page() -> None:
        with time_machine.travel(NOW):
            assessment = assessment_compute(world.plan, 2026)
        client.force_login(world.head_a)
        # session, user, memberships (access), the assessment with its plan, the scores
        with django_assert_num_queries(5):
            response = client.get(reverse("records:assessment", args=[assessment.pk]))
        assert response.status_code == 200

    with time_machine.travel(NOW):
        assessment_publish(assessment=assessment_compute(world.plan, 2026),
                           user=world.lead_office)
    _grow(world.plan, world.period, 0, 2)
    page()
    _grow(world.plan, world.period, 2, 15)
    page()


def test_the_lists_come_a_page_at_a_time_without_the_bulletins_content(
        client, world, bulletins):
    """Four years of a city's quarters are hundreds of bulletins of ~140 KB each: the list
    reads a page of them, and not their content."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tasks_app.models import Assessment
    from tasks_app.records.views import RECORDS_PAGE_SIZE

    for _ in range(RECORDS_PAGE_SIZE):
        plan = PlanFactory()
        Bulletin.objects.create(plan=plan, year=2025, quarter=1, content={"departments": []})
        Assessment.objects.create(plan=plan, year=2024, state=Assessment.State.PUBLISHED)
    Assessment.objects.create(plan=world.plan, year=2024)
    client.force_login(world.lead_office)
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("records:bulletins"))
    assert len(first.context["bulletins"]) == RECORDS_PAGE_SIZE
    assert "下一页" in first.content.decode()
    assert not any('"content"' in query["sql"] for query in queries.captured_queries)
    second = client.get(reverse("records:bulletins"), {"page": 2})
    assert len(second.context["bulletins"]) == len(bulletins)
    listed = client.get(reverse("records:assessments"))
    assert len(listed.context["assessments"]) == RECORDS_PAGE_SIZE
    assert "第 1 / 2 页" in listed.content.decode()
