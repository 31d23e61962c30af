"""月监测 in the portal: the indicator's owner files last month's figure (a note when it lags
its path), the lead office approves or returns it; others see nothing."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tasks_app.attainment import expected_value
from tasks_app.choices import AssignmentRole, TargetKind
from tasks_app.models import Target, TargetAssignment, TargetReading
from tasks_app.portal import views_indicators

pytestmark = pytest.mark.django_db
URL = reverse("portal:indicators")


@pytest.fixture
def gdp(world):
    plan = world.task.plan
    plan.period_start = 2023
    plan.save()
    target = Target.objects.create(plan=plan, name="地区生产总值", value=Decimal("1500"),
                                   unit="亿元", year=2026, baseline=Decimal("900"))
    TargetAssignment.objects.create(target=target, department=world.department,
                                    role=AssignmentRole.LEAD)
    return target


def _file(client, target, **data):
    fields = {"target": target.pk, "month": "2026-02", f"entry{target.pk}-version": 0,
              f"entry{target.pk}-is_year_to_date": "on"}
    fields.update({f"entry{target.pk}-{k}": v for k, v in data.items()})
    return client.post(URL, fields)


def test_the_year_to_date_path():
    path = expected_value(kind=TargetKind.QUANTITY, target_value=Decimal(1500), target_year=2026,
                          baseline=Decimal(900), start_year=2023,
                          month=datetime.date(2026, 6, 1), is_year_to_date=True)
    assert path == Decimal(750)
    earlier = expected_value(kind=TargetKind.QUANTITY, target_value=Decimal(1500),
                             target_year=2026, baseline=Decimal(900), start_year=2023,
                             month=datetime.date(2024, 12, 1), is_year_to_date=True)
    assert earlier == Decimal(1200)  # 900 → 1500 over four years: 2024's goal is 1200
    assert expected_value(kind=TargetKind.QUANTITY, target_value=Decimal(1500), target_year=2026,
                          baseline=None, start_year=2023, month=datetime.date(2025, 1, 1),
                          is_year_to_date=True) is None


def test_the_owner_files_last_month_and_the_lead_office_approves(world, gdp, as_user):
    client = as_user(world.liaison)
    page = client.get(URL).content.decode()
    assert "地区生产总值" in page and "2026年2月" in page
    assert _file(client, gdp, value="260").status_code == 302  # on its path (250)
    reading = TargetReading.objects.get(target=gdp)
    assert reading.state == TargetReading.State.SUBMITTED and reading.value == 260
    office = as_user(world.lead_office)
    assert "审核通过" in office.get(URL, {"month": "2026-02"}).content.decode()
    response = office.post(URL, {"target": gdp.pk, "month": "2026-02", "review": "approve",
                                 f"review{gdp.pk}-version": reading.version})
    assert response.status_code == 302
    reading.refresh_from_db()
    assert reading.state == TargetReading.State.APPROVED
    assert reading.reviewed_by == world.lead_office


def test_a_figure_behind_its_path_needs_a_note(world, gdp, as_user):
    client = as_user(world.liaison)
    response = _file(client, gdp, value="200")
    assert response.status_code == 400
    assert "实际值未达到目标进度（本月应达到 250亿元）" in response.content.decode()
    assert not TargetReading.objects.exists()
    assert _file(client, gdp, value="200", note="春节因素，3月追平。").status_code == 302


def test_returning_needs_a_comment(world, gdp, as_user):
    assert _file(as_user(world.liaison), gdp, value="260").status_code == 302
    reading = TargetReading.objects.get()
    office = as_user(world.lead_office)
    refused = office.post(URL, {"target": gdp.pk, "month": "2026-02", "review": "return",
                                f"review{gdp.pk}-version": reading.version})
    assert refused.status_code == 400 and "退回必须填写意见" in refused.content.decode()
    office.post(URL, {"target": gdp.pk, "month": "2026-02", "review": "return",
                      f"review{gdp.pk}-version": reading.version,
                      f"review{gdp.pk}-comment": "与统计局口径不一致。"})
    assert TargetReading.objects.get().state == TargetReading.State.RETURNED


def test_others_cannot_file_or_see(world, gdp, as_user):
    client = as_user(world.outsider)
    assert "地区生产总值" not in client.get(URL).content.decode()
    assert _file(client, gdp, value="260").status_code == 404
    assert not TargetReading.objects.exists()


def test_a_future_month_is_not_offered(world, gdp, as_user):
    assert as_user(world.liaison).get(URL, {"month": "2026-05"}).status_code == 404


def test_a_manager_reads_the_figures_without_forms(world, gdp, as_user):
    assert _file(as_user(world.liaison), gdp, value="260").status_code == 302
    page = as_user(world.manager).get(URL, {"month": "2026-02"}).content.decode()
    assert "地区生产总值" in page and "260亿元" in page
    assert f'name="entry{gdp.pk}-value"' not in page  # managers do not enter figures
    assert _file(as_user(world.manager), gdp, value="270").status_code == 404


def test_the_citys_targets_come_in_pages_that_keep_the_month(world, gdp, as_user, monkeypatch):
    monkeypatch.setattr(views_indicators, "TARGETS_PER_PAGE", 1)
    Target.objects.create(plan=gdp.plan, name="规上工业增加值", value=Decimal("10"), unit="%",
                          position=1)
    office = as_user(world.lead_office)
    first = office.get(URL, {"month": "2026-02"}).content.decode()
    assert "地区生产总值" in first and "规上工业增加值" not in first
    assert 'href="?month=2026-02&amp;page=2"' in first
    second = office.get(URL, {"month": "2026-02", "page": 2}).content.decode()
    assert "规上工业增加值" in second and "地区生产总值" not in second


def test_an_error_shows_on_the_page_its_form_was_on(world, gdp, as_user, monkeypatch):
    monkeypatch.setattr(views_indicators, "TARGETS_PER_PAGE", 1)
    second = Target.objects.create(plan=gdp.plan, name="规上工业增加值", value=Decimal("10"),
                                   unit="%", position=1)
    TargetAssignment.objects.create(target=second, department=world.department,
                                    role=AssignmentRole.LEAD)
    response = as_user(world.liaison).post(f"{URL}?month=2026-02&page=2", {
        "target": second.pk, "month": "2026-02", f"entry{second.pk}-version": 0,
        f"entry{second.pk}-is_year_to_date": "on", f"entry{second.pk}-value": "很多"})
    html = response.content.decode()
    assert response.status_code == 400 and "规上工业增加值" in html
    assert "地区生产总值" not in html and not TargetReading.objects.exists()
    assert 'has-error' in html  # the value's field, with its message
