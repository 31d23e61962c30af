"""The OpenAPI schema and its docs: every endpoint and field described, errors documented,
docs served by the project itself (no CDN)."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.db import transaction
from rest_framework.test import APIClient

# The schema's request needs the database (its audit row); a file run alone must say so, or
# pytest-django sets none up.
pytestmark = pytest.mark.django_db

RESOURCES = ["plans", "drivers", "tasks", "assignments", "targets", "target-readings",
             "departments", "department-groups", "reports", "periods", "meetings", "bulletins",
             "assessments"]


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker) -> dict:
    """The schema as served, once for the module; its audit row rolled back (tests after
    this module count the audit log)."""
    with django_db_blocker.unblock(), transaction.atomic():
        response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        transaction.set_rollback(True)
    assert response.status_code == 200
    return response.json()


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_resource_has_a_list_and_a_detail_and_the_writes_exist(schema):
    paths = set(schema["paths"])
    for name in RESOURCES:
        assert {f"/api/v1/{name}/", f"/api/v1/{name}/{{id}}/"} <= paths
    assert {"/api/v1/tasks/{id}/history/", "/api/v1/auth/token/",
            "/api/v1/reports/{id}/submit/", "/api/v1/reports/{id}/withdraw/",
            "/api/v1/reports/{id}/head-review/", "/api/v1/reports/{id}/lead-review/"} <= paths
    assert set(schema["paths"]["/api/v1/reports/"]) == {"get", "post"}
    assert set(schema["paths"]["/api/v1/target-readings/{id}/"]) == {"get", "patch"}


def test_every_operation_has_a_chinese_summary_and_documents_its_errors(schema):
    for path, method, operation in operations(schema):
        assert re.search(r"[\u4e00-\u9fff]", operation.get("summary", "")), (method, path)
        codes = set(operation["responses"])
        assert {"400", "401", "403", "404", "429"} <= codes, (method, path)
        if method in ("post", "patch") and "/auth/" not in path:
            assert {"409", "412", "415"} <= codes, (method, path)
        error = operation["responses"]["404"]["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/Error"}


def test_every_field_and_parameter_is_described(schema):
    for name, component in schema["components"]["schemas"].items():
        for field, prop in component.get("properties", {}).items():
            assert prop.get("description"), f"{name}.{field}"
    for path, method, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), (method, path, parameter["name"])


def test_writes_accept_if_match_and_versions(schema):
    patch = schema["paths"]["/api/v1/reports/{id}/"]["patch"]
    assert "If-Match" in [p["name"] for p in patch["parameters"]]
    body = schema["components"]["schemas"]["PatchedReportUpdateRequest"]
    assert "version" in body["properties"]


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_the_docs_are_served_from_the_project_without_a_cdn(url):
    html = APIClient().get(url).content.decode()
    assets = re.findall(r"""(?:src|href)=["']([^"']+\.(?:js|css|png))""", html)
    assert assets and not re.search(r"https?://", " ".join(assets))
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), asset


def test_the_schema_is_generated_without_warnings(tmp_path):
    """drf-spectacular's warnings (e.g. two choice sets under one enum name) fail the build."""
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
