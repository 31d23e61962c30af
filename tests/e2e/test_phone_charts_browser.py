"""On a 390 px phone, the overview's and the bulletin's chart labels render at 12 px or
more: the SVG's font size times the scale of its viewBox (screenshots in test-artifacts/)."""

from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect

from tasks_app.models import Target, TargetReading
from tasks_app.services.bulletins import bulletin_generate, bulletin_publish
from tasks_app.services.reports import Filing, report_save

from . import test_portal_browser as base
from .test_portal_browser import login, shot

portal = base.portal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

# Each chart text's rendered size in CSS px: its computed font size scaled as its SVG is.
RENDERED_SIZES = """() => [...document.querySelectorAll("svg.chart")].flatMap(svg => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return [...svg.querySelectorAll("text")].map(text => ({
    text: text.textContent.trim(),
    size: parseFloat(getComputedStyle(text).fontSize) * scale}));
})"""


def _sizes(page: Page) -> list[dict]:
    sizes = page.evaluate(RENDERED_SIZES)
    assert sizes
    return sizes


def _boxes_fit(page: Page) -> bool:
    """Each chart's box stays within the phone's width (the chart scrolls inside it)."""
    rights = page.evaluate("() => [...document.querySelectorAll('.chart-box')]"
                           ".map(box => box.getBoundingClientRect().right)")
    return bool(rights) and max(rights) <= PHONE["width"]


def test_chart_labels_are_readable_on_a_phone(browser: Browser, portal):
    plan = portal.task.plan
    target = Target.objects.create(plan=plan, name="地区生产总值", value=Decimal("1500"),
                                   unit="亿元", year=2026)
    TargetReading.objects.create(target=target, value=Decimal("980"),
                                 month=portal.period.month)
    report_save(filing=Filing(portal.task, portal.department.pk, portal.period),
                user=portal.liaison, submit=True,
                data={"status": "on_track", "progress": 40, "progress_text": "推进中。"})
    today = portal.period.month
    bulletin = bulletin_publish(bulletin_generate(plan=plan, year=today.year,
                                                  quarter=(today.month - 1) // 3 + 1))
    desktop = login(browser, portal, "manager")
    desk_sizes = _sizes(desktop)
    manager = login(browser, portal, "manager", viewport=PHONE)
    expect(manager.locator(f"#plan-{plan.pk} svg.bar-chart")).to_have_count(3)
    small = [s for s in _sizes(manager) if s["size"] < 12]
    assert small == []
    labels = [s for s in _sizes(manager) if s["text"] == "实施产业强区驱动" or "（1）" in s["text"]]
    assert labels and all(s["size"] >= 12 for s in labels)
    assert _boxes_fit(manager)
    shot(manager, "phone-overview-charts")
    manager.goto(f"{portal.url}/bulletins/{bulletin.pk}/")
    expect(manager.locator("#bulletin-charts svg")).to_have_count(4)
    assert [s for s in _sizes(manager) if s["size"] < 12] == []
    assert _boxes_fit(manager)
    shot(manager, "phone-bulletin-charts")
    assert desk_sizes  # the desktop layout is untouched: the same charts, drawn to fit
