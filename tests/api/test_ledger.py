"""GET /api/v1/tasks/ledger/: the ledger filtered like the task list, in the schema."""

import io

from openpyxl import load_workbook

LEDGER = "/api/v1/tasks/ledger/"


def rows(response) -> list[tuple]:
    assert response.status_code == 200, response.content
    sheet = load_workbook(io.BytesIO(response.content))["督办台账"]
    return [(row[2], row[6]) for row in sheet.iter_rows(min_row=4, values_only=True)]


def test_the_api_ledger_honours_the_task_filters(world):
    client = world.client(world.office)
    assert rows(client.get(LEDGER, {"health": "red"})) == [(2, "区工信局"), (2, "区财政局")]
    assert rows(client.get(LEDGER, {"role": "lead", "department": world.other.pk})) == [
        (3, "区商务局")]


def test_a_department_gets_its_own_rows_through_the_api(world):
    assert rows(world.client(world.liaison).get(LEDGER)) == [(1, "区财政局"), (2, "区财政局")]


def test_a_bad_filter_value_is_a_json_400(world):
    response = world.client(world.office).get(LEDGER, {"status": "nonsense"},
                                               HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


def test_the_ledger_can_be_asked_for_by_its_media_type(world):
    response = world.client(world.manager).get(LEDGER, HTTP_ACCEPT=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    assert rows(response) == [(1, "区工信局"), (1, "区财政局"), (2, "区工信局"), (2, "区财政局"),
                              (3, "区商务局"), (4, None)]  # the unassigned task: no department


def test_the_ledger_is_in_the_schema_with_the_task_filters(world):
    schema = world.client(world.manager).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/tasks/ledger/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"plan", "department", "role", "health", "status", "search"} <= names
    assert ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            in operation["responses"]["200"]["content"])
