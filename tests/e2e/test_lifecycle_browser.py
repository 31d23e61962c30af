"""One supervised item's life in Debian's Chromium: the lead office creates it, both
departments acknowledge it, the responsible department asks for an extension (its head
endorses, the lead office approves), the lead department asks for completion — refused,
then accepted. Every step through the pages a person would use. Screenshots go to
test-artifacts/ (not committed)."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from departments.choices import Role
from notifications.tasks import deliver
from tasks_app.choices import PartState, TaskStatus
from tasks_app.models import CompletionRequest, ExtensionRequest, Task

from ..factories import DepartmentFactory, MembershipFactory, PlanFactory, UserFactory
from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EVIDENCE = {"name": "竣工验收报告.pdf", "mimeType": "application/pdf",
            "buffer": b"%PDF-1.4\n% evidence\n"}



@pytest.fixture
def site(live_server):
    """A plan, two departments with a liaison and a head each, the lead office; messages are
    delivered in-process (Celery eager) so that the test needs no broker."""
    plan = PlanFactory(code="哈经开委发〔2023〕1号", title="实施方案")
    departments = {"gxj": DepartmentFactory(name="区工信局", code="gxj"),
                   "swj": DepartmentFactory(name="区商务局", code="swj")}
    for code, department in departments.items():
        for role in (Role.LIAISON, Role.HEAD):
            MembershipFactory(user=UserFactory(username=f"{code}.{role}"),
                              department=department, role=role)
    MembershipFactory(user=UserFactory(username="leadoffice"), department=None,
                      role=Role.LEAD_OFFICE)
    eager = deliver.app.conf.task_always_eager
    deliver.app.conf.task_always_eager = True
    yield type("Site", (), {"url": live_server.url, "plan": plan, **departments})
    deliver.app.conf.task_always_eager = eager


def login(browser: Browser, site, username: str) -> Page:
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(f"{site.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()
    return page


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"lifecycle-{name}.png"), full_page=True)


def create_item(office: Page, site, due: datetime.date) -> Task:
    office.goto(f"{site.url}/desk/")
    office.click("text=新建督办事项")
    office.select_option("#id_plan", str(site.plan.pk))
    office.fill("#id_title", "解决园区供热管网改造问题")
    office.fill("#id_text", "3月份专题会议议定:抓紧完成园区供热管网改造。")
    office.select_option("#id_source_type", "meeting")
    office.fill("#id_source_reference", "3月份月度专题会议")
    office.select_option("#id_urgency", "urgent")
    office.fill("#id_responsible_leader", "张明")
    office.fill("#id_due_on", due.isoformat())
    office.select_option("#id_feedback_type", "periodic")
    office.select_option("#id_feedback_cycle", "monthly")
    office.select_option("#id_lead_department", str(site.gxj.pk))
    office.select_option("#id_departments", [str(site.swj.pk)])
    shot(office, "item-new")
    office.click("#item-form button[type=submit]")
    expect(office.locator(".message-success")).to_contain_text("已新建督办事项")
    return Task.objects.get(title="解决园区供热管网改造问题")


def acknowledge_from_home(page: Page, task: Task) -> None:
    todo = page.locator("#todo")
    expect(todo).to_contain_text("解决园区供热管网改造问题")
    expect(todo).to_contain_text("待签收")
    todo.locator("button", has_text="签收").click()
    expect(page.locator(".message-success")).to_contain_text("已签收")


def test_an_item_from_creation_to_verified_completion(browser, site):
    today = timezone.localdate()
    due = today + datetime.timedelta(days=60)
    later = today + datetime.timedelta(days=120)
    office = login(browser, site, "leadoffice")
    task = create_item(office, site, due)
    expect(office.locator("#parts")).to_contain_text("待签收")
    shot(office, "item-created")

    lead = login(browser, site, "gxj.liaison")
    acknowledge_from_home(lead, task)
    liaison = login(browser, site, "swj.liaison")
    liaison.goto(f"{site.url}/tasks/{task.pk}/")
    liaison.locator("#parts button[name=acknowledge]").click()
    expect(liaison.locator(".message-success")).to_contain_text("已签收")
    expect(liaison.locator("h1 + div .badge").last).to_have_text("办理中")

    liaison.locator("summary", has_text="申请延期").click()
    liaison.fill("input[name=proposed_due_on]", later.isoformat())
    liaison.fill("textarea[name=reason]", "管材供货延迟,需顺延工期。")
    liaison.click("text=提交延期申请")
    expect(liaison.locator(".message-success")).to_contain_text("已提交延期申请")
    expect(liaison.locator("#extensions")).to_contain_text("待负责人审核")
    shot(liaison, "extension-requested")

    head = login(browser, site, "swj.head")
    head.goto(f"{site.url}/tasks/{task.pk}/")
    head.locator("#extensions button[value=endorse]").click()
    expect(head.locator(".message-success")).to_contain_text("报牵头办公室审批")

    office.goto(f"{site.url}/tasks/{task.pk}/")
    expect(office.locator("#extensions")).to_contain_text("待牵头办公室审批")
    office.locator("#extensions button[value=approve]").click()
    expect(office.locator(".message-success")).to_contain_text("完成时限已更新")
    task.refresh_from_db()
    assert (task.due_on, task.original_due_on) == (later, due)
    assert ExtensionRequest.objects.get().state == ExtensionRequest.State.APPROVED

    lead.goto(f"{site.url}/tasks/{task.pk}/")
    lead.locator("summary", has_text="申请办结").click()
    lead.fill("#completion-results", "管网改造已完工。")
    lead.click("text=提交办结申请")
    expect(lead.locator(".message-success")).to_contain_text("等待牵头办公室审核")

    office.goto(f"{site.url}/tasks/{task.pk}/")
    decide = office.locator("#completions form").first
    decide.locator("input[value=rejected]").check()
    decide.locator("textarea[name=reason]").fill("缺少竣工验收报告。")
    decide.locator("button[type=submit]").click()
    expect(office.locator(".message-success")).to_contain_text("不同意办结")
    shot(office, "completion-refused")

    lead.goto(f"{site.url}/tasks/{task.pk}/")
    expect(lead.locator("#completions")).to_contain_text("缺少竣工验收报告。")
    lead.locator("summary", has_text="申请办结").click()
    lead.fill("#completion-results", "管网改造已完工,附竣工验收报告。")
    lead.set_input_files("#completion-files", EVIDENCE)
    lead.click("text=提交办结申请")
    expect(lead.locator(".message-success")).to_contain_text("等待牵头办公室审核")

    office.goto(f"{site.url}/tasks/{task.pk}/")
    expect(office.locator("#completions")).to_contain_text("竣工验收报告.pdf")
    office.locator("#completions form").first.locator("button[type=submit]").click()
    expect(office.locator(".message-success")).to_contain_text("同意办结")
    expect(office.locator("h1 + div .badge").last).to_have_text("已办结")
    shot(office, "completed")

    task.refresh_from_db()
    assert task.status == TaskStatus.COMPLETED
    assert set(task.assignments.values_list("state", flat=True)) == {PartState.COMPLETED}
    assert list(CompletionRequest.objects.order_by("filed_at")
                .values_list("decision", flat=True)) == ["rejected", "approved"]
    subjects = [m.subject for m in mail.outbox]
    assert any("延期申请：批准延至" in s for s in subjects)
    assert any("办结申请：不同意办结" in s for s in subjects)
    assert any("办结申请：同意办结" in s for s in subjects)
