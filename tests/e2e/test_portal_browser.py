"""The portal in Debian's Chromium: file, return, resubmit; 404 for outsiders; a phone.

Screenshots of the main pages go to test-artifacts/ (not committed).
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from departments.choices import Role
from tasks_app.choices import AssignmentRole, EventKind, ReportState
from tasks_app.models import ProgressReport, TaskEvent
from tasks_app.services.periods import period_ensure

from ..factories import (
    AssignmentFactory,
    DepartmentFactory,
    DriverFactory,
    MembershipFactory,
    PlanFactory,
    TaskFactory,
    UserFactory,
)
from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw"  # UserFactory's password (and the demo accounts in tests)
PDF = {"name": "进展材料.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% test\n"}



@pytest.fixture
def portal(live_server):
    """A plan in its current month: one task led by 区工信局, 区商务局 responsible."""
    plan = PlanFactory(code="哈经开委发〔2023〕1号", title="实施方案")
    driver = DriverFactory(plan=plan, number=1, title="实施产业强区驱动")
    lead, department = (DepartmentFactory(name="区工信局", code="gxj"),
                        DepartmentFactory(name="区商务局", code="swj"))
    outsider_department = DepartmentFactory(name="区财政局", code="czj")
    today = timezone.localdate()
    task = TaskFactory(plan=plan, driver=driver, number=3, title="推动产业集聚发展",
                       text="推动产业集聚发展。〔牵头部门:区工信局,责任部门:区商务局〕",
                       due_on=today + datetime.timedelta(days=300))
    AssignmentFactory(task=task, department=lead, role=AssignmentRole.LEAD)
    AssignmentFactory(task=task, department=department)
    for number, title in ((4, "优化营商环境"), (5, "扩大对外开放")):
        AssignmentFactory(department=department, task=TaskFactory(
            plan=plan, driver=driver, number=number, title=title,
            due_on=today + datetime.timedelta(days=200)))
    AssignmentFactory(department=outsider_department,
                      task=TaskFactory(plan=plan, driver=driver, number=6, title="财政保障"))
    period = period_ensure(plan, today)

    def user(name, department, role=Role.LIAISON):
        return MembershipFactory(user=UserFactory(username=name), department=department,
                                 role=role).user

    return type("Portal", (), {
        "url": live_server.url, "task": task, "department": department, "period": period,
        "liaison": user("swj.liaison", department), "lead": user("gxj.liaison", lead),
        "outsider": user("czj.liaison", outsider_department),
        "manager": user("manager", None, Role.MANAGER),
    })


def login(browser: Browser, portal, username: str, **context) -> Page:
    page = browser.new_context(locale="zh-CN", **context).new_page()
    page.goto(f"{portal.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()
    return page


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"portal-{name}.png"), full_page=True)


def test_file_return_and_resubmit_a_report(browser, portal):
    liaison = login(browser, portal, "swj.liaison")
    expect(liaison.locator("h1")).to_have_text("本部门任务")
    shot(liaison, "home")
    liaison.click(f"a[href^='/tasks/{portal.task.pk}/report/']")
    liaison.fill("#id_progress", "40")
    liaison.fill("#id_progress_text", "已完成招商方案起草,对接企业12家。")
    liaison.fill("#id_next_steps", "下月组织项目签约。")
    liaison.set_input_files("#id_attachments", PDF)
    shot(liaison, "report-form")
    liaison.click("button[value=submit]")
    expect(liaison.locator(".message-success")).to_contain_text("已报送")
    expect(liaison.locator("#attachments")).to_contain_text("进展材料.pdf")

    lead = login(browser, portal, "gxj.liaison")
    lead.goto(f"{portal.url}/reviews/")
    shot(lead, "reviews")
    lead.click("#lead-queue a.button")
    card = lead.locator(f"#department-{portal.department.pk}")
    expect(card).to_contain_text("已完成招商方案起草")
    card.locator("textarea[name=comment]").fill("请补充签约项目清单。")
    card.locator("button[value=return]").click()
    expect(lead.locator(".message-success")).to_contain_text("已退回")
    shot(lead, "review")

    liaison.goto(f"{portal.url}/tasks/{portal.task.pk}/report/")
    expect(liaison.locator("#return-comment")).to_contain_text("请补充签约项目清单。")
    liaison.fill("#id_progress_text", "已完成招商方案起草,签约项目清单见附件。")
    liaison.click("button[value=submit]")
    expect(liaison.locator("#report-state")).to_contain_text("已报送")

    report = ProgressReport.objects.get(task=portal.task, department=portal.department)
    assert report.state == ReportState.SUBMITTED and report.attachments.count() == 1
    reviews = TaskEvent.objects.filter(task=portal.task, kind=EventKind.REVIEW)
    assert reviews.filter(reason="请补充签约项目清单。").exists()
    liaison.goto(f"{portal.url}/tasks/{portal.task.pk}/")
    expect(liaison.locator("#timeline")).to_contain_text("请补充签约项目清单。")
    shot(liaison, "task")

    outsider = login(browser, portal, "czj.liaison")
    response = outsider.goto(f"{portal.url}/tasks/{portal.task.pk}/")
    assert response.status == 404


def test_the_sheet_saves_a_row_without_reloading_the_page(browser, portal):
    page = login(browser, portal, "swj.liaison")
    page.click("text=批量填报")
    expect(page.locator("h1")).to_contain_text("进展报送")
    page.evaluate("window.notReloaded = true")
    row = page.locator(f"#row-{portal.task.pk}")
    row.locator("textarea[name=progress_text]").fill("本月完成项目对接。")
    row.locator("input[name=progress]").fill("25")
    expect(row).to_have_class(re.compile("dirty"))
    row.locator("button[value=save]").click()
    row = page.locator(f"#row-{portal.task.pk}")
    expect(row.locator(".row-message")).to_have_text("已保存草稿。")
    assert page.evaluate("window.notReloaded") is True
    assert ProgressReport.objects.get(task=portal.task).progress == 25
    row.locator("input[name=progress]").fill("150")
    row.locator("button[value=submit]").click()
    expect(page.locator(f"#row-{portal.task.pk} .errorlist")).to_contain_text("0 到 100")
    shot(page, "sheet")

    # Unsaved typing is not lost silently: 全部报送 waits until every row is saved.
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.click(".submit-all button")
    assert dialogs and "尚未保存" in dialogs[0]
    assert ProgressReport.objects.get(task=portal.task).state == ReportState.DRAFT
    row = page.locator(f"#row-{portal.task.pk}")
    row.locator("input[name=progress]").fill("30")
    row.locator("button[value=save]").click()
    expect(row.locator(".row-message")).to_have_text("已保存草稿。")
    page.click(".submit-all button")
    expect(page.locator(".message-success")).to_contain_text("已报送 1 项草稿")
    assert ProgressReport.objects.get(task=portal.task).state == ReportState.SUBMITTED


def test_on_a_phone_the_pages_fit_the_screen(browser, portal):
    phone = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
             "is_mobile": True, "has_touch": True}
    page = login(browser, portal, "swj.liaison", **phone)
    for name, path in (("home", "/"), ("task", f"/tasks/{portal.task.pk}/"),
                       ("sheet", f"/periods/{portal.period.pk}/report/"),
                       ("report", f"/tasks/{portal.task.pk}/report/")):
        page.goto(f"{portal.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width}px wide on a 390px screen"
        shot(page, f"phone-{name}")
    manager = login(browser, portal, "manager")
    expect(manager.locator("h1")).to_have_text("督办总览")
    shot(manager, "overview")
