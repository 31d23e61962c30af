"""Targets and monthly readings through the API (target_reading_save's rules)."""

from decimal import Decimal

import pytest

from tasks_app.models import TargetReading
from tasks_app.services.targets import target_reading_save

READINGS = "/api/v1/target-readings/"


@pytest.fixture
def reading(world) -> TargetReading:
    return target_reading_save(target=world.target, month=world.period.month,
                               value=Decimal("300"), user=world.liaison,
                               note="快报数,一季度低于进度。")


def test_a_department_lists_the_targets_it_is_responsible_for(world):
    rows = world.client(world.liaison).get("/api/v1/targets/").json()["results"]
    assert [(t["name"], t["parts"][0]["department_name"]) for t in rows] == [
        ("地区生产总值", "区财政局")]
    assert world.client(world.office).get("/api/v1/targets/").json()["count"] == 2
    assert world.client(world.liaison).get(
        f"/api/v1/targets/{world.foreign_target.pk}/").status_code == 404


def test_a_responsible_department_reports_a_months_value(world):
    response = world.client(world.liaison).post(READINGS, {
        "target": world.target.pk, "month": "2026-03-15", "value": "312.5", "note": "快报数"},
        format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["month"], body["value"], body["department_name"], body["version"]) == (
        "2026-03-01", "312.5000", "区财政局", 1)


def test_a_second_value_for_the_same_month_is_a_409(world, reading):
    response = world.client(world.liaison).post(READINGS, {
        "target": world.target.pk, "month": "2026-03-01", "value": "1"}, format="json")
    assert response.status_code == 409


@pytest.mark.parametrize(("data", "field"), [
    ({"month": "2026-04-01"}, "month"),
    ({"value": "abc"}, "value"),
    ({"value": "1e30"}, "value"),
    ({"value": "NaN"}, "value"),
    ({"target": 0}, "target"),
])
def test_invalid_readings_are_a_400_naming_the_field(world, data, field):
    body = {"target": world.target.pk, "month": "2026-03-01", "value": "1", **data}
    response = world.client(world.liaison).post(READINGS, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


def test_a_target_of_another_department_is_unknown_and_a_manager_may_not_report(world):
    body = {"target": world.foreign_target.pk, "month": "2026-03-01", "value": "1"}
    assert world.client(world.liaison).post(READINGS, body, format="json").status_code == 400
    assert world.client(world.manager).post(READINGS, body, format="json").status_code == 403


def test_a_reading_is_corrected_with_its_version_and_a_stale_one_is_refused(world, reading):
    client = world.client(world.liaison)
    url = f"{READINGS}{reading.pk}/"
    response = client.patch(url, {"value": "301", "version": reading.version}, format="json")
    assert (response.json()["value"], response.json()["version"]) == ("301.0000", 2)
    stale = client.patch(url, {"value": "302", "version": reading.version}, format="json")
    assert stale.status_code == 409
    stale = client.patch(url, {"value": "302"}, format="json", headers={"If-Match": '"x"'})
    assert stale.status_code == 412
    reading.refresh_from_db()
    assert reading.value == Decimal("301")


def test_readings_are_listed_within_the_visible_targets(world, reading):
    target_reading_save(target=world.foreign_target, month=world.period.month, value=1,
                        user=world.outsider)
    assert world.client(world.liaison).get(READINGS).json()["count"] == 1
    assert world.client(world.office).get(f"{READINGS}?month_after=2026-03-01").json()[
        "count"] == 2
    assert world.client(world.outsider).get(f"{READINGS}{reading.pk}/").status_code == 404
