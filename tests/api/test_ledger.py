"""GET /api/v1/tasks/ledger/: the ledger filtered like the task list, in the schema. A
department's comes at once; the lead office's and managers' are export jobs (202, then
/api/v1/exports/{id}/ and its download)."""

import io

from openpyxl import load_workbook

from tasks_app.tasks import export_build

LEDGER = "/api/v1/tasks/ledger/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows(response) -> list[tuple]:
    assert response.status_code == 200, response.content
    content = b"".join(response) if hasattr(response, "streaming_content") else response.content
    sheet = load_workbook(io.BytesIO(content))["督办台账"]
    return [(row[2], row[6]) for row in sheet.iter_rows(min_row=4, values_only=True)]


def through_job(client, params: dict | None = None, **headers):
    """Ask for the ledger (202 and the job), run the job as the worker would, poll it,
    download the file."""
    started = client.get(LEDGER, params or {}, **headers)
    assert started.status_code == 202, started.content
    job = started.json()
    assert started["Location"] == job["url"] == f"/api/v1/exports/{job['id']}/"
    assert job["state"] == "queued" and job["download"] is None
    export_build.apply(args=[job["id"]])
    done = client.get(job["url"]).json()
    assert (done["state"], done["progress"]) == ("done", 100)
    assert done["download"] == f"/api/v1/exports/{job['id']}/download/"
    return client.get(done["download"])


def test_the_api_ledger_honours_the_task_filters(world):
    client = world.client(world.office)
    assert rows(through_job(client, {"health": "red"})) == [(2, "区工信局"), (2, "区财政局")]
    assert rows(through_job(client, {"role": "lead", "department": world.other.pk})) == [
        (3, "区商务局")]


def test_a_job_is_its_owners_only(world):
    started = world.client(world.office).get(LEDGER).json()
    for other in (world.manager, world.liaison):
        client = world.client(other)
        assert client.get(started["url"]).status_code == 404
        assert client.get(started["url"] + "download/").status_code == 404
        assert client.get("/api/v1/exports/").json()["count"] == 0
    owner = world.client(world.office)
    assert owner.get("/api/v1/exports/").json()["results"][0]["id"] == started["id"]
    assert owner.get(started["url"] + "download/").status_code == 404  # not built yet


def test_a_department_gets_its_own_rows_through_the_api(world):
    assert rows(world.client(world.liaison).get(LEDGER)) == [(1, "区财政局"), (2, "区财政局")]


def test_a_bad_filter_value_is_a_json_400(world):
    response = world.client(world.office).get(LEDGER, {"status": "nonsense"},
                                               HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


def test_the_ledger_can_be_asked_for_by_its_media_type(world):
    response = through_job(world.client(world.manager), HTTP_ACCEPT=XLSX)
    assert rows(response) == [(1, "区工信局"), (1, "区财政局"), (2, "区工信局"), (2, "区财政局"),
                              (3, "区商务局"), (4, None)]  # the unassigned task: no department


def test_the_ledger_is_in_the_schema_with_the_task_filters(world):
    schema = world.client(world.manager).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/tasks/ledger/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"plan", "department", "role", "health", "status", "search"} <= names
    assert XLSX in operation["responses"]["200"]["content"]
    assert "202" in operation["responses"]
    assert "/api/v1/exports/{id}/download/" in schema["paths"]
