"""Portal pages: who sees what, in Chinese; anything not theirs is a 404."""

import datetime

import pytest
from django.urls import reverse

from tasks_app.choices import ReportState
from tasks_app.models import Assignment
from tasks_app.portal.views import HOME_PAGE_SIZE
from tasks_app.services.reports import attachment_add

from .conftest import add_task, pdf

pytestmark = pytest.mark.django_db


def test_an_anonymous_visitor_is_sent_to_the_chinese_login_page(client):
    response = client.get(reverse("portal:home"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    html = response.content.decode()
    assert "登录督办系统" in html and 'name="username"' in html


def test_a_liaison_logs_in_and_lands_on_the_department_home(client, world):
    world.liaison.set_password("pw")
    world.liaison.save()
    response = client.post(reverse("login"), {"username": "resp.liaison", "password": "pw"},
                           follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:home")
    assert "区责任局" in response.content.decode()


def test_home_lists_the_departments_tasks_with_role_and_missing_reports_first(as_user, world):
    done = world.report(submit=True)
    second = add_task(world.task.plan, world.task.driver, world.department, title="第二项任务")
    response = as_user(world.liaison).get(reverse("portal:home"))
    assert response.status_code == 200
    rows = response.context["home"].rows
    assert [row.task for row in rows] == [second, world.task]
    assert rows[1].report == done and not rows[1].needs_report
    html = response.content.decode()
    assert "责任部门" in html and "别人的任务" not in html
    assert reverse("portal:batch_report", args=[world.period.pk]) in html


def test_a_busy_departments_home_shows_its_most_urgent_rows_first_a_page_at_a_time(
        as_user, world):
    world.report(submit=True)  # the reported task sorts after every one still owed
    for n in range(HOME_PAGE_SIZE):
        add_task(world.task.plan, world.task.driver, world.department, title=f"任务{n}")
    client = as_user(world.liaison)
    first = client.get(reverse("portal:home")).context
    assert len(first["rows"].object_list) == HOME_PAGE_SIZE
    assert world.task not in [row.task for row in first["rows"].object_list]
    assert len(first["home"].rows) == HOME_PAGE_SIZE + 1
    second = client.get(reverse("portal:home") + "?page=2")
    assert [row.task for row in second.context["rows"].object_list] == [world.task]
    assert "第 2 / 2 页" in second.content.decode()


def test_managers_and_the_lead_office_land_on_the_overview(as_user, world):
    for user in (world.manager, world.lead_office):
        response = as_user(user).get(reverse("portal:home"))
        assert response.status_code == 302 and response.url == reverse("portal:overview")


def test_the_task_page_shows_text_departments_milestones_timeline_attachments(as_user, world):
    report = world.report(submit=False)
    attachment_add(report=report, upload=pdf(), user=world.liaison)
    world.report(submit=True)
    response = as_user(world.liaison).get(reverse("portal:task", args=[world.task.pk]))
    html = response.content.decode()
    assert "推动产业集聚。〔牵头部门:区牵头局,责任部门:区责任局〕" in html
    assert "区牵头局" in html and "牵头部门" in html and "区内各相关国企" in html
    assert "完成规划编制" in html and "2026年6月30日" in html
    assert "完成方案起草。" in html and "进展报送" in html and "办理环节" in html
    assert "进展材料.pdf" in html
    kinds = [entry.kind for entry in response.context["detail"].timeline]
    assert "report" in kinds and "event" in kinds


def test_the_task_pages_timeline_shows_the_latest_thirty_entries_the_rest_a_page_away(
        as_user, world):
    """Years of monthly reports stay one page: the newest 30 entries, older ones paged."""
    import datetime

    from django.utils import timezone

    from tasks_app.choices import EventKind
    from tasks_app.models import TaskEvent

    world.task.events.all().delete()
    start = timezone.now() - datetime.timedelta(days=100)
    TaskEvent.objects.bulk_create(
        TaskEvent(task=world.task, kind=EventKind.URGE, reason=f"第{n}次提醒",
                  at=start + datetime.timedelta(days=n)) for n in range(35))
    client, url = as_user(world.liaison), reverse("portal:task", args=[world.task.pk])
    first = client.get(url)
    shown = [entry.item.reason for entry in first.context["timeline"]]
    assert shown == [f"第{n}次提醒" for n in range(34, 4, -1)]
    html = first.content.decode()
    assert "第 1 / 2 页，共 35 条" in html and "?timeline=2#timeline" in html
    second = client.get(url + "?timeline=2")
    assert [entry.item.reason for entry in second.context["timeline"]] == [
        f"第{n}次提醒" for n in range(4, -1, -1)]
    assert "?timeline=1#timeline" in second.content.decode()


def test_a_department_sees_only_its_own_reports_the_lead_sees_them_all(as_user, world):
    world.report(user=world.lead_liaison, progress_text="牵头部门的进展。")
    world.report(progress_text="责任部门的进展。")
    html = as_user(world.liaison).get(reverse("portal:task", args=[world.task.pk])).content
    assert "责任部门的进展。" in html.decode() and "牵头部门的进展。" not in html.decode()
    html = as_user(world.lead_liaison).get(reverse("portal:task", args=[world.task.pk])).content
    assert "责任部门的进展。" in html.decode() and "牵头部门的进展。" in html.decode()


@pytest.mark.parametrize("name", ["portal:task", "portal:report", "portal:review"])
def test_an_outsider_gets_404_on_every_page_of_a_task(as_user, world, name):
    response = as_user(world.outsider).get(reverse(name, args=[world.task.pk]))
    assert response.status_code == 404


def test_attachments_download_only_for_those_who_may_see_the_report(as_user, world):
    report = world.report(submit=False)
    item = attachment_add(report=report, upload=pdf(), user=world.liaison)
    url = reverse("portal:attachment", args=[item.pk])
    response = as_user(world.lead_liaison).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    assert as_user(world.outsider).get(url).status_code == 404


def test_the_overview_is_for_managers_and_the_lead_office_only(as_user, world):
    assert as_user(world.liaison).get(reverse("portal:overview")).status_code == 404
    world.report(user=world.lead_liaison, progress=30)
    response = as_user(world.manager).get(reverse("portal:overview"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "产业强区驱动" in html and "<svg" in html and "<polyline" in html
    plan = response.context["overview"].plans[0]
    due, overdue = plan.owed  # March before its deadline: 待报送; February: 逾期未报
    assert (due.standing, due.label, due.period.month.month) == ("due", "待报送", 3)
    assert (overdue.standing, overdue.period.month.month) == ("overdue", 2)
    assert {row["name"] for row in due.departments} == {"区责任局", "区无关局"}
    assert plan.total == 2


def test_profile_shows_memberships_and_issues_and_regenerates_a_token(as_user, world):
    client = as_user(world.liaison)
    html = client.get(reverse("portal:profile")).content.decode()
    assert "区责任局" in html and "联络员" in html and "生成令牌" in html
    client.post(reverse("portal:profile"), {"action": "create"})
    first = world.liaison.auth_token.key
    client.post(reverse("portal:profile"), {"action": "regenerate"})
    world.liaison.refresh_from_db()
    assert world.liaison.auth_token.key != first
    assert world.liaison.auth_token.key in client.get(reverse("portal:profile")).content.decode()


def test_the_language_switch_shows_the_portal_in_english(as_user, world):
    client = as_user(world.liaison)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("portal:home")).content.decode()
    assert "Department tasks" in html and 'lang="en"' in html


def test_home_shows_the_state_of_this_periods_report(as_user, world):
    world.report(submit=True)
    html = as_user(world.liaison).get(reverse("portal:home")).content.decode()
    assert str(ReportState.SUBMITTED.label) in html


def test_home_rows_escape_what_departments_typed_and_follow_the_language(as_user, world):
    """The rows are Jinja2 fragments (tasks_app/portal/jinja.py): escaped, translated."""
    world.task.title = '<script>alert("x")</script>'
    world.task.health_override, world.task.health_override_reason = "red", "<b>用地</b>"
    world.task.save()
    client = as_user(world.liaison)
    html = client.get(reverse("portal:home")).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "<b>用地" not in html and "人工预警：&lt;b&gt;用地" in html
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("portal:home")).content.decode()
    assert "Manual health: &lt;b&gt;" in html and "人工预警" not in html


def test_a_manual_health_override_shows_its_reason(as_user, world):
    world.task.health_override, world.task.health_override_reason = "red", "用地指标未落实"
    world.task.save()
    html = as_user(world.liaison).get(reverse("portal:task", args=[world.task.pk])).content
    assert "滞后" in html.decode() and "用地指标未落实" in html.decode()


def test_a_department_in_a_group_on_the_task_sees_it_and_may_report(as_user, world):
    group = Assignment.objects.get(task=world.task, group__isnull=False).group
    group.members.add(world.outsider_department)
    rows = as_user(world.outsider).get(reverse("portal:home")).context["home"].rows
    assert {(row.task, row.role) for row in rows} == {
        (world.task, "responsible"), (world.other_task, "responsible")}
    assert as_user(world.outsider).get(
        reverse("portal:report", args=[world.task.pk])).status_code == 200


def test_an_unknown_page_answers_a_chinese_404(as_user, world):
    response = as_user(world.liaison).get("/tasks/999999/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_the_overview_shows_ten_plans_per_page_and_every_lagging_task(as_user, world):
    from tests.factories import PlanFactory

    for _ in range(11):
        PlanFactory()
    first = as_user(world.manager).get(reverse("portal:overview"))
    second = as_user(world.manager).get(reverse("portal:overview") + "?page=2")
    assert len(first.context["overview"].plans) == 10
    shown = {p.plan.pk for p in first.context["overview"].plans} | {
        p.plan.pk for p in second.context["overview"].plans}
    assert len(shown) == first.context["overview"].page.paginator.count
    assert "下一页" in first.content.decode()


def test_the_fragments_bar_widths_round_like_the_django_tag():
    from django.template import engines

    from tasks_app.portal.jinja import widthratio

    tag = engines["django"].from_string("{% widthratio n total 100 %}")
    for n, total in [(1, 3), (2, 3), (1, 8), (3, 8), (5, 8), (7, 40), (0, 5), (5, 5), (1, 0)]:
        assert str(widthratio(n, total)) == tag.render({"n": n, "total": total}), (n, total)


def test_the_fragments_links_are_the_routes_reversed():
    """jinja.url fills ids into a route reversed once; it must equal reverse() for every
    kind of argument, under a script prefix too."""
    from django.urls import clear_script_prefix, set_script_prefix

    from tasks_app.portal.jinja import url

    cases = [("portal:task", (7,)), ("portal:batch_row", (3, 41)), ("portal:export_ledger", ()),
             ("portal:task", ("12",))]
    try:
        for prefix in ("/", "/duban/"):
            set_script_prefix(prefix)
            for name, args in cases:
                assert url(name, *args) == reverse(name, args=args), (prefix, name, args)
    finally:
        clear_script_prefix()


def test_the_progress_trend_averages_each_months_filed_reports_weeks_included():
    """plan_progress_series: per month, the mean progress of reports not in draft, the
    month's weekly periods counted with it; months without reports are left out. (The
    reports are written in bulk here: their periods' figures recounted, as after a load.)"""
    import datetime

    from tasks_app.choices import PeriodKind
    from tasks_app.models import ProgressReport, ReportingPeriod
    from tasks_app.selectors.overview import plan_progress_series
    from tasks_app.services.period_figures import period_figures_recount
    from tests.factories import DepartmentFactory, PeriodFactory, PlanFactory, TaskFactory

    plan, other = PlanFactory(), PlanFactory()
    march, april = datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)
    monthly = PeriodFactory(plan=plan, month=march)
    weekly = ReportingPeriod.objects.create(
        plan=plan, kind=PeriodKind.WEEKLY, month=march, opens_on=datetime.date(2026, 3, 9),
        deadline=datetime.date(2026, 3, 13))
    PeriodFactory(plan=plan, month=april)  # no reports: no point
    task, departments = TaskFactory(plan=plan), [DepartmentFactory() for _ in range(3)]
    for period, department, progress, state in [
            (monthly, departments[0], 10, ReportState.SUBMITTED),
            (monthly, departments[1], 25, ReportState.ACCEPTED),
            (monthly, departments[2], 90, ReportState.DRAFT),
            (weekly, departments[0], 40, ReportState.RETURNED)]:
        ProgressReport.objects.create(task=task, department=department, period=period,
                                      progress=progress, state=state)
    foreign = PeriodFactory(plan=other, month=march)
    ProgressReport.objects.create(task=TaskFactory(plan=other), department=departments[0],
                                  period=foreign, progress=100, state=ReportState.SUBMITTED)
    period_figures_recount(ReportingPeriod.objects.all())
    assert plan_progress_series(plan, april) == [(march, 25.0, 3)]


def test_the_overview_charts_the_bulletins_stored_rates_not_its_content(as_user, world,
                                                                         travel):
    """A city plan's bulletin content is ~140 KB; the overview reads the rates stored
    beside it, written whenever the content is (drafted, published)."""
    import importlib

    from django.apps import apps
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tasks_app.models import Bulletin
    from tasks_app.selectors.bulletins import department_rates
    from tasks_app.services.bulletins import bulletin_generate, bulletin_publish

    world.report(world.lead_liaison)  # March's report: one department on time
    travel.move_to(datetime.datetime(2026, 4, 10, 1, tzinfo=datetime.UTC))  # deadline passed
    plan = world.task.plan
    draft = bulletin_generate(plan=plan, year=2026, quarter=1, actor=world.lead_office)
    assert draft.department_rates == department_rates(draft.content)
    assert {row["name"] for row in draft.department_rates} == {"区牵头局", "区责任局", "区无关局"}
    published = bulletin_publish(draft, actor=world.lead_office)
    rates = published.department_rates
    assert rates == department_rates(published.content) and all(
        set(row) == {"name", "on_time", "expected", "on_time_rate"} and row["expected"]
        for row in rates)
    with CaptureQueriesContext(connection) as queries:
        html = as_user(world.manager).get(reverse("portal:overview")).content.decode()
    for row in rates:
        note = f"{row['on_time_rate']}%（{row['on_time']}/{row['expected']}）"
        assert f"{row['name']}：{note}" in html
    assert not any('"content"' in query["sql"] for query in queries.captured_queries)

    # Migration 0021 stores the rates of the bulletins that had only their content.
    Bulletin.objects.filter(pk=published.pk).update(department_rates=[])
    importlib.import_module("tasks_app.migrations.0021_bulletin_department_rates").store_rates(
        apps, None)
    assert Bulletin.objects.get(pk=published.pk).department_rates == rates
