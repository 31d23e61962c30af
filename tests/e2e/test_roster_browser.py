"""Enrolling a district in Debian's Chromium: a roster of 60 people imports from one file
with a preview; bad rows are named and nothing is half-saved; every new person gets an
invitation by real SMTP (loopback); the first sign-in sets the password."""

import io
import re

import pytest
from django.contrib.auth.models import User
from openpyxl import Workbook
from playwright.sync_api import Browser, Page, expect

from departments.choices import Role
from departments.models import DepartmentGroup, Membership, Person
from notifications.tasks import deliver
from seeds.demo import lead_office_group

from ..e2e_services import Mailbox, free_port, wait_for
from ..factories import DepartmentFactory, MembershipFactory, UserFactory
from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DEPARTMENTS = 28
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def district(live_server, settings):
    """28 departments, the lead office; mail goes by SMTP to a mailbox on 127.0.0.1."""
    mailbox = Mailbox(free_port()).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", mailbox.port
    settings.SITE_URL = live_server.url
    departments = [DepartmentFactory(name=f"区第{n}局", code=f"d{n}")
                   for n in range(1, DEPARTMENTS + 1)]
    office = MembershipFactory(user=UserFactory(username="leadoffice", is_staff=True,
                                                first_name="牵头办"),
                               department=None, role=Role.LEAD_OFFICE).user
    office.groups.add(lead_office_group())
    eager = deliver.app.conf.task_always_eager
    deliver.app.conf.task_always_eager = True  # the deliver task runs in-process, no broker
    yield type("District", (), {"url": live_server.url, "departments": departments,
                                "mailbox": mailbox, "office": office})
    deliver.app.conf.task_always_eager = eager
    mailbox.stop()


def roster(broken: bool = False) -> bytes:
    """60 people: a liaison and a head for each of 28 departments, 2 leaders, 2 office staff."""
    book = Workbook()
    sheet = book.active
    sheet.title = "人员名单"
    sheet.append(["姓名", "部门", "角色", "手机", "邮箱", "钉钉用户ID(选填)",
                  "企业微信用户ID(选填)", "部门组(选填)"])
    for n in range(1, DEPARTMENTS + 1):
        group = "各相关部门" if n <= 10 else ""
        sheet.append([f"联络员{n}", f"区第{n}局", "联络员", 13900000000 + n,
                      f"liaison{n}@district.gov.cn", f"ding{n}", "", group])
        sheet.append([f"负责人{n}", f"区第{n}局", "负责人", 13800000000 + n,
                      f"head{n}@district.gov.cn", "", "", ""])
    sheet.append(["领导甲", "", "领导", 13700000001, "leader1@district.gov.cn", "", "", ""])
    sheet.append(["领导乙", "", "领导", 13700000002, "leader2@district.gov.cn", "", "", ""])
    sheet.append(["督办员甲", "", "牵头办公室", 13600000001, "office1@district.gov.cn", "", "",
                  ""])
    sheet.append(["督办员乙", "", "牵头办公室", 13600000002, "office2@district.gov.cn", "", "",
                  ""])
    if broken:
        sheet["B5"] = "区不存在局"  # row 5: 联络员3's department
        sheet["E12"] = "head6-at-district"  # row 12: 负责人6's email
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"roster-{name}.png"), full_page=True)


def upload(page: Page, district, data: bytes) -> None:
    page.goto(f"{district.url}/admin/departments/person/")
    page.click("#roster-import")
    page.set_input_files("#id_file", {"name": "人员名单.xlsx", "mimeType": XLSX,
                                      "buffer": data})
    page.click("#roster_form input[type=submit]")
    page.wait_for_load_state()


def test_a_district_enrols_from_one_roster(browser: Browser, district):
    office = browser.new_context(locale="zh-CN").new_page()
    office.goto(f"{district.url}/accounts/login/")
    office.fill("#id_username", "leadoffice")
    office.fill("#id_password", "pw")
    office.click("#login-form button[type=submit]")
    office.wait_for_load_state()

    office.goto(f"{district.url}/admin/departments/person/")
    with office.expect_download() as info:
        office.click("#roster-template")
    assert info.value.suggested_filename == "人员名单模板.xlsx"

    upload(office, district, roster(broken=True))
    problems = office.locator("#roster-problems")
    expect(problems).to_contain_text("第 5 行")
    expect(problems).to_contain_text("部门“区不存在局”不存在")
    expect(problems).to_contain_text("第 12 行")
    expect(problems).to_contain_text("邮箱“head6-at-district”格式不正确")
    expect(office.locator("#roster-confirm")).to_have_count(0)
    shot(office, "problems")
    office.click("#roster-cancel")
    assert User.objects.count() == 1 and not Membership.objects.exclude(user=district.office)

    upload(office, district, roster())
    expect(office.locator("#roster-new h2")).to_contain_text("新增 60 人")
    expect(office.locator("#roster-groups")).to_contain_text("各相关部门")
    shot(office, "preview")
    office.click("#roster-confirm")
    expect(office.locator(".messagelist")).to_contain_text("新增 60 人")
    expect(office.locator(".messagelist")).to_contain_text("已发送 60 份邀请")

    assert User.objects.filter(is_active=True).count() == 61
    assert Membership.objects.filter(role=Role.LIAISON).count() == DEPARTMENTS
    assert DepartmentGroup.objects.get(name="各相关部门").members.count() == 10
    messages = wait_for(lambda: len(district.mailbox.received()) >= 60 and
                        district.mailbox.received(), 60, "60 份邀请邮件")
    assert len(messages) == 60
    assert len({m["To"] for m in messages}) == 60

    office.goto(f"{district.url}/admin/departments/person/?state=pending")
    expect(office.locator("#result_list")).to_contain_text("联络员7")
    expect(office.locator(".paginator")).to_contain_text("60")
    shot(office, "pending")

    invitation = next(m for m in messages if m["To"] == "liaison7@district.gov.cn")
    assert "账号开通邀请" in invitation["Subject"]
    text = invitation.get_body(("plain",)).get_content()
    link = re.search(r"(http://\S+/accounts/activate/\S+/)", text).group(1)
    person = browser.new_context(locale="zh-CN").new_page()
    person.goto(link)
    expect(person.locator("h1")).to_contain_text("设置登录密码")
    expect(person.locator(".login-card")).to_contain_text("liaison7@district.gov.cn")
    person.fill("#id_new_password1", "Harbin-2026-duban")
    person.fill("#id_new_password2", "Harbin-2026-duban")
    shot(person, "set-password")
    person.click("#invitation-form button[type=submit]")
    expect(person.locator("a.username")).to_have_text("联络员7")
    shot(person, "first-login")

    again = browser.new_context(locale="zh-CN").new_page()
    again.goto(link)
    expect(again.locator("#invitation-invalid")).to_contain_text("已使用或已过期")
    again.goto(f"{district.url}/accounts/login/")
    again.fill("#id_username", "liaison7@district.gov.cn")
    again.fill("#id_password", "Harbin-2026-duban")
    again.click("#login-form button[type=submit]")
    expect(again.locator("a.username")).to_have_text("联络员7")

    office.goto(f"{district.url}/admin/departments/person/?state=pending")
    expect(office.locator(".paginator")).to_contain_text("59")

    # 接收渠道 on the person's page: ticked, never typed; a channel without its address is
    # refused by field, and nothing is saved until it is right.
    liaison7 = User.objects.get(email="liaison7@district.gov.cn")
    office.goto(f"{district.url}/admin/departments/person/{liaison7.person.pk}/change/")
    expect(office.locator("textarea")).to_have_count(0)
    office.check("#id_channels_chase_sms")
    office.check("#id_channels_chase_wecom")
    office.click("input[name=_save]")
    expect(office.locator(".field-wecom_userid .errorlist")).to_contain_text(
        "须填写企业微信用户ID")
    assert Person.objects.get(user=liaison7).channels == {}
    shot(office, "channels-refused")
    office.uncheck("#id_channels_chase_wecom")
    office.check("#id_channels_chase_email")
    office.click("input[name=_save]")
    expect(office.locator(".messagelist")).to_be_visible()
    assert Person.objects.get(user=liaison7).channels == {"chase": ["email", "sms"]}
