"""Authentication, throttling and the one error shape; bad input of any kind is never a 500."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from tasks_app.api.throttles import WriteRateThrottle
from tasks_app.models import ProgressReport

from .conftest import GOOD

REPORTS = "/api/v1/reports/"


def assert_error_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


def test_an_anonymous_request_is_a_401_with_a_token_challenge(world):
    response = APIClient().get("/api/v1/tasks/")
    assert_error_shape(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("header", [
    "Token 0123456789abcdef0123456789abcdef01234567", "Token a\x00b", "Token " + "a" * 41,
    "Token", "Token a b", "Bearer abc",
])
def test_an_unknown_or_malformed_token_is_a_401(world, header):
    response = APIClient().get("/api/v1/tasks/", HTTP_AUTHORIZATION=header)
    code = "not_authenticated" if header.startswith("Bearer") else "authentication_failed"
    assert_error_shape(response, 401, code)


def test_the_portal_session_works_and_needs_csrf_for_writes(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.liaison)
    assert client.get("/api/v1/tasks/").status_code == 200
    response = client.post(REPORTS, {"task": world.shared.pk, "period": world.period.pk},
                           format="json")
    assert "CSRF" in assert_error_shape(response, 403, "permission_denied")["message"]


def test_the_token_endpoint_exchanges_a_password_for_the_users_token(world):
    response = APIClient().post("/api/v1/auth/token/",
                                {"username": world.liaison.username, "password": "pw"},
                                format="json")
    token = response.json()["token"]
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/tasks/").json()["count"] == 2


def test_a_wrong_password_is_a_400(world):
    response = APIClient().post("/api/v1/auth/token/",
                                {"username": world.liaison.username, "password": "nope"},
                                format="json")
    assert "non_field_errors" in assert_error_shape(response, 400, "invalid")["fields"]


def test_the_token_endpoint_is_throttled(world, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "2/min"})
    client = APIClient()
    for _ in range(2):
        client.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json")
    response = client.post("/api/v1/auth/token/", {"username": world.liaison.username,
                                                   "password": "pw"}, format="json")
    assert_error_shape(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


def test_writes_are_throttled_per_user_and_reads_are_not(world, monkeypatch):
    monkeypatch.setattr(WriteRateThrottle, "THROTTLE_RATES", {"writes": "2/min"})
    client = world.client(world.liaison)
    for _ in range(2):
        client.post(REPORTS, {}, format="json")
    assert_error_shape(client.post(REPORTS, {}, format="json"), 429, "throttled")
    assert client.get("/api/v1/tasks/").status_code == 200
    assert world.client(world.head).post(REPORTS, {}, format="json").status_code == 400


def test_an_unknown_api_address_is_a_json_404(world):
    assert_error_shape(world.client(world.liaison).get("/api/v1/nothing-here/"), 404,
                       "not_found")
    assert_error_shape(world.client(world.liaison).post("/api/v2/tasks/"), 404, "not_found")
    missing_slash = world.client(world.liaison).get("/api/v1/tasks")
    assert "/api/v1/tasks/" in assert_error_shape(missing_slash, 404, "not_found")["message"]


def test_malformed_json_is_a_parse_error(world):
    response = world.client(world.liaison).post(REPORTS, "{not json",
                                                content_type="application/json")
    assert_error_shape(response, 400, "parse_error")


def test_a_form_body_is_an_unsupported_media_type(world):
    response = world.client(world.liaison).post(REPORTS, {"task": 1})
    assert_error_shape(response, 415, "unsupported_media_type")


def test_an_undeclared_method_is_a_405_with_allow(world):
    response = world.client(world.liaison).delete(f"/api/v1/tasks/{world.shared.pk}/")
    assert_error_shape(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"] and "DELETE" not in response["Allow"]


def test_control_characters_are_stored_and_returned_verbatim(world):
    text = "第一行\n\t第二行\x07\x1b[0m\u2028结束"
    response = world.client(world.liaison).post(
        REPORTS, {"task": world.shared.pk, "period": world.period.pk, **GOOD,
                  "progress_text": text}, format="json")
    assert response.json()["progress_text"] == text


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=6,
)
REPORT_FIELDS = ["task", "department", "period", "status", "progress", "progress_text",
                 "problems", "next_steps", "needs_coordination", "submit", "version", "approve",
                 "accept", "comment"]
FUZZ = settings(max_examples=40, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@FUZZ
@given(body=st.dictionaries(st.sampled_from(REPORT_FIELDS), JSON_VALUES, max_size=8),
       action=st.sampled_from(["", "submit/", "withdraw/", "head-review/", "lead-review/"]))
def test_no_report_body_makes_a_server_error(world, body, action):
    client = world.client(world.liaison)
    report = ProgressReport.objects.first()
    url = f"{REPORTS}{report.pk}/{action}" if report and action else REPORTS
    raw = json.dumps(body)  # NaN and Infinity included: not JSON, refused as such
    response = client.post(url, raw, content_type="application/json")
    if report and not action:
        response = client.patch(f"{REPORTS}{report.pk}/", raw, content_type="application/json")
    assert response.status_code < 500
    assert set(response.json()) != {"error"} or response.json()["error"]["code"]


@FUZZ
@given(params=st.dictionaries(
    st.sampled_from(["plan", "driver", "department", "role", "status", "health", "due_before",
                     "due_after", "unassigned", "search", "ordering", "page", "page_size"]),
    st.text(max_size=30), max_size=5))
def test_no_query_makes_a_server_error(world, params):
    response = world.client(world.office).get("/api/v1/tasks/", params)
    assert response.status_code in (200, 400, 404), response.content
