"""Documents in Debian's Chromium: the monthly sheet's round trip (download, fill offline,
upload), the ledger download, and the pages with charts (screenshots in test-artifacts/)."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, expect

from tasks_app.choices import ReportState
from tasks_app.models import ProgressReport, Target, TargetReading
from tasks_app.services.bulletins import bulletin_generate, bulletin_publish
from tasks_app.services.reports import Filing, report_save

from . import test_portal_browser as base
from .test_portal_browser import login, shot

portal = base.portal  # the same world as the portal's browser tests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _filled(path: str) -> bytes:
    """What a liaison does in Excel: type this month's progress into the sheet."""
    book = load_workbook(path)
    sheet = book["进展报送"]
    headers = {cell.value: cell.column for cell in sheet[3]}
    for row in range(4, sheet.max_row + 1):
        sheet.cell(row=row, column=headers["推进情况"], value="正常推进")
        sheet.cell(row=row, column=headers["进度（%）"], value=30 + row)
        sheet.cell(row=row, column=headers["本期进展"], value=f"第{row}行:完成项目对接。")
        sheet.cell(row=row, column=headers["下步计划"], value="组织签约。")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_download_fill_and_upload_the_monthly_sheet(browser: Browser, portal, tmp_path):
    page = login(browser, portal, "swj.liaison")
    page.goto(f"{portal.url}/periods/{portal.period.pk}/report/")
    page.click("text=上传填好的报送表")
    expect(page.locator("h1")).to_contain_text("Excel 报送表")
    with page.expect_download() as info:
        page.click("#sheet-download")
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name.endswith("进展报送表.xlsx")
    filled = _filled(str(path))

    broken = load_workbook(io.BytesIO(filled))
    broken["进展报送"]["G4"] = "三十"
    buffer = io.BytesIO()
    broken.save(buffer)
    page.set_input_files("#id_file", {"name": "报送表.xlsx", "buffer": buffer.getvalue(),
                                      "mimeType": "application/octet-stream"})
    page.click("#sheet-upload-form button[type=submit]")
    expect(page.locator("#sheet-problems")).to_contain_text("第 4 行")
    expect(page.locator("#sheet-problems")).to_contain_text("进度必须是 0 到 100 之间的整数")
    assert not ProgressReport.objects.exists()
    shot(page, "sheet-upload-refused")

    page.set_input_files("#id_file", {"name": "报送表.xlsx", "buffer": filled,
                                      "mimeType": "application/octet-stream"})
    page.check("input[name=action][value=submit]")
    page.click("#sheet-upload-form button[type=submit]")
    expect(page.locator(".message-success")).to_contain_text("报送 3 项")
    expect(page.locator("h1")).to_contain_text("进展报送")
    reports = ProgressReport.objects.filter(department=portal.department)
    assert reports.count() == 3
    assert set(reports.values_list("state", flat=True)) == {ReportState.SUBMITTED}
    assert reports.get(task=portal.task).progress_text.startswith("第4行")


def test_the_ledger_downloads_from_the_home_page(browser: Browser, portal, tmp_path):
    page = login(browser, portal, "swj.liaison")
    with page.expect_download() as info:
        page.click("#ledger-download")
    info.value.save_as(tmp_path / "ledger.xlsx")
    sheet = load_workbook(tmp_path / "ledger.xlsx")["督办台账"]
    departments = {row[6] for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert departments == {"区商务局"}


def test_the_overview_and_the_bulletin_show_charts(browser: Browser, portal):
    plan = portal.task.plan
    target = Target.objects.create(plan=plan, name="地区生产总值", value=Decimal("1500"),
                                   unit="亿元", year=2026)
    TargetReading.objects.create(target=target, value=Decimal("980"),
                                 month=portal.period.month)
    Target.objects.create(plan=plan, name="实际利用外资", value=Decimal("2"), unit="亿美元",
                          year=2026)
    report_save(filing=Filing(portal.task, portal.department.pk, portal.period),
                user=portal.liaison, submit=True,
                data={"status": "on_track", "progress": 40, "progress_text": "推进中。"})
    today = portal.period.month
    quarter = (today.month - 1) // 3 + 1
    bulletin = bulletin_publish(bulletin_generate(plan=plan, year=today.year, quarter=quarter))
    manager = login(browser, portal, "manager")
    section = manager.locator(f"#plan-{plan.pk}")
    expect(section.locator("svg.bar-chart")).to_have_count(3)
    expect(section).to_contain_text("地区生产总值")
    shot(manager, "overview-charts")
    manager.goto(f"{portal.url}/bulletins/{bulletin.pk}/")
    expect(manager.locator("#bulletin-charts svg")).to_have_count(4)
    # This quarter's period is not due yet: no on-time rate is counted, and the page says so.
    expect(manager.locator("main")).to_contain_text("截止日未到，不计入按时报送率")
    shot(manager, "bulletin-charts")
