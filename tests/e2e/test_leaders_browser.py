"""A working day of the office in Debian's Chromium, at 1366 px and on a 390 px phone: the lead
office plans 节点 and sets deadlines in bulk; 区统计局 files a month of indicators; a head
clears the reports waiting in 待办; a leader reads the digest and opens the 驾驶舱.

No page scrolls sideways (the admin is checked at 1366 px). Screenshots go to test-artifacts/.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from departments.models import Department
from notifications.choices import DigestFrequency, Kind
from notifications.models import Notification
from seeds.demo import demo_accounts_ensure
from tasks_app.choices import AssignmentRole
from tasks_app.models import Assignment, Milestone, Target, TargetAssignment, TargetReading, Task
from tasks_app.services.digest_subscriptions import digest_subscription_update
from tasks_app.services.periods import period_ensure
from tasks_app.services.reports import Filing, report_save
from tasks_app.workdays import is_working_day

from ..cycle_support import cycle_at
from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-demo-1"
WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
REPORT = {"status": "on_track", "progress": 40, "progress_text": "完成方案起草。", "problems": "",
          "next_steps": "征求意见。", "needs_coordination": False}


@pytest.fixture
def office(live_server, primary_plan, settings):
    """The primary plan with the demo accounts: two indicators owned by 区统计局, a report of
    区工信局 waiting for its head, a lagging task, and a leader's daily digest already sent."""
    settings.SITE_URL = live_server.url
    plan = primary_plan
    statistics = Department.objects.get(name="区统计局")
    for name, value in (("规上工业增加值", Decimal("120")), ("固定资产投资", Decimal("300"))):
        target = Target.objects.create(plan=plan, name=name, value=value, unit="亿元",
                                       year=2026, baseline=Decimal("60"))
        TargetAssignment.objects.create(target=target, department=statistics,
                                        role=AssignmentRole.LEAD)
    demo_accounts_ensure(PASSWORD)
    users = {u.username: u for u in User.objects.filter(username__in=["gxj.liaison", "manager"])}
    period = period_ensure(plan, timezone.localdate())
    part = (Assignment.objects.filter(task__plan=plan, department__code="gxj")
            .select_related("task").order_by("task__number").first())
    report_save(filing=Filing(part.task, part.department_id, period), data=REPORT,
                user=users["gxj.liaison"], submit=True)
    lagging = Task.objects.filter(plan=plan).order_by("number").last()
    Task.objects.filter(pk=lagging.pk).update(due_on=timezone.localdate() - datetime.timedelta(30))
    digest_subscription_update(user=users["manager"], frequency=DigestFrequency.DAILY,
                               plans=[], drivers=[], departments=[])
    day = timezone.localdate() + datetime.timedelta(days=1)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    cycle_at(timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30))))
    return type("Office", (), {"url": live_server.url, "plan": plan, "lagging": lagging,
                               "reviewed_task": part.task})


def login(browser: Browser, office, username: str, viewport: dict) -> Page:
    page = browser.new_context(locale="zh-CN", viewport=viewport).new_page()
    page.goto(f"{office.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()
    return page


def fits(page: Page, name: str) -> None:
    """A screenshot; the page must not scroll sideways."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"leaders-{name}.png"), full_page=True)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{name}: {overflow}px wider than the screen"


def open_menu(page: Page, size: str) -> None:
    """On a phone the navigation sits behind the 菜单 button."""
    if size == "phone":
        expect(page.locator("#mainnav")).to_be_hidden()
        page.click(".menu-toggle")
        expect(page.locator("#mainnav")).to_be_visible()


@pytest.mark.parametrize("size", list(WIDTHS))
def test_a_working_day_of_the_office_and_its_leaders(browser, office, size):
    viewport = WIDTHS[size]
    # 1. The lead office sets the deadline of three tasks at once in the admin…
    lead = login(browser, office, "leadoffice", viewport)
    lead.goto(f"{office.url}/admin/tasks_app/task/?plan__id__exact={office.plan.pk}")
    if size == "desktop":
        fits(lead, f"{size}-admin-tasks")
    tasks = list(Task.objects.filter(plan=office.plan).order_by("number")[:3])
    for task in tasks:
        lead.check(f"input[name=_selected_action][value='{task.pk}']")
    lead.select_option("select[name=action]", "bulk_due_date")
    lead.click("button[name=index]")
    lead.fill("#id_due_on", "2026-12-31")
    lead.fill("#id_reason", "按年度计划统一完成时限")
    lead.click("input[name=apply]")
    expect(lead.locator(".messagelist")).to_contain_text(
        "已将 3 个任务的完成时限设为 2026年12月31日")
    assert {t.due_on for t in Task.objects.filter(pk__in=[t.pk for t in tasks])} == {
        datetime.date(2026, 12, 31)}
    lead.goto(f"{office.url}/admin/tasks_app/task/{tasks[0].pk}/change/")
    expect(lead.locator("#content h2").first).to_be_visible()
    if size == "desktop":
        fits(lead, f"{size}-admin-task-change")
    # …and plans a 节点 for a task in the portal.
    task = tasks[0]
    lead.goto(f"{office.url}/tasks/{task.pk}/milestones/")
    new = lead.locator("#milestone-new")
    new.locator("input[name$=title]").fill("完成项目选址和用地预审")
    new.locator("input[name$=due_on]").fill("2026-09-30")
    boxes = new.locator("input[name$=departments]")
    if boxes.count():
        boxes.first.check()
    new.locator("button[value=save]").click()
    expect(lead.locator(".message-success")).to_be_visible()
    assert Milestone.objects.filter(task=task, title="完成项目选址和用地预审").exists()
    fits(lead, f"{size}-milestones")

    # 2. 区统计局 files last month's figures.
    statistics = login(browser, office, "tjj.liaison", viewport)
    open_menu(statistics, size)
    statistics.click("#mainnav >> text=指标监测")
    ours = Target.objects.filter(plan=office.plan, assignments__department__code="tjj")
    for target in ours:
        card = statistics.locator(f"#target-{target.pk}")
        card.locator("input[name$=value]").fill("10")
        card.locator("textarea[name$=note]").fill("受项目开工时序影响，下月加快推进。")
        card.locator("button.primary").click()
        expect(statistics.locator(f"#target-{target.pk} .badge").first).not_to_contain_text(
            "未报送")
    assert TargetReading.objects.filter(target__in=ours).count() == ours.count()
    fits(statistics, f"{size}-indicators")

    # 3. The head of 区工信局 sees the report waiting in 待办 and clears it.
    head = login(browser, office, "gxj.head", viewport)
    todo = head.locator("#todo")
    expect(todo).to_contain_text("份报送待您审核")
    fits(head, f"{size}-head-home")
    todo.locator("a[href='/reviews/']").click()
    waiting = head.locator("article[id^=head-report-] button[value=accept]")
    expect(waiting.first).to_be_visible()
    fits(head, f"{size}-head-reviews")
    while waiting.count():
        waiting.first.click()
        head.wait_for_load_state()
    head.goto(f"{office.url}/")
    expect(head.locator("#todo")).not_to_contain_text("份报送待您审核")
    fits(head, f"{size}-head-cleared")

    # 4. The leader reads the digest (the email as sent) and opens the 驾驶舱 from it.
    digest = Notification.objects.filter(kind=Kind.DIGEST, recipient__username="manager").latest(
        "created_at")
    leader = login(browser, office, "manager", viewport)
    leader.set_content(digest.body_html)
    expect(leader.locator("body")).to_contain_text("逾期未报的部门")
    expect(leader.locator("body")).to_contain_text(office.lagging.title[:10])
    fits(leader, f"{size}-digest")
    leader.click("text=打开驾驶舱")
    expect(leader.locator("h1")).to_have_text("督办驾驶舱")
    expect(leader.locator(".cockpit-list.list-red")).to_contain_text(office.lagging.title[:10])
    assert int(leader.locator("#cockpit-red").inner_text()) >= 1
    assert leader.locator("meta[http-equiv=refresh]").count() == 1
    fits(leader, f"{size}-cockpit")
    leader.goto(f"{office.url}/overview/")
    open_menu(leader, size)
    expect(leader.locator("#mainnav")).to_contain_text("我的通知")
    fits(leader, f"{size}-overview")
