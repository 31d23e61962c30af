"""Per event kind: a department sees its own and the parties' history, not another's secrets."""

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tasks_app.choices import EventKind
from tasks_app.history import record, task_event

from ..portal.conftest import as_user, travel, world  # noqa: F401

SECRETS = {
    EventKind.SLIP: "哈经开督〔2026〕7号 逾期未报送",
    EventKind.REVIEW: "退回:数据不实,请重新核实",
    EventKind.REPORT: "2026年3月 进度滞后 30%",
    EventKind.INSTRUCTION: "落实情况:已约谈企业",
    EventKind.EXTENSION: "申请延期:资金未到位",
}


def _history(user) -> str:
    token = Token.objects.create(user=user)
    response = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}").get(
        "/api/v1/tasks/", {"page_size": 200})
    assert response.status_code == 200
    return response


def _api_history(user, task) -> str:
    token, _ = Token.objects.get_or_create(user=user)
    response = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}").get(
        f"/api/v1/tasks/{task.pk}/history/", {"page_size": 200})
    assert response.status_code == 200
    return response.content.decode()


def _secrets_of(world, department) -> None:  # noqa: F811
    record(*[task_event(world.task, kind, department_id=department.pk, reason=text)
             for kind, text in SECRETS.items()])
    record(task_event(world.task, EventKind.ASSIGNMENT_ADDED, department_id=department.pk,
                      after=department.name, reason="分工调整:增加牵头单位"))


def test_a_co_department_does_not_see_the_lead_departments_secrets(as_user, world):  # noqa: F811
    _secrets_of(world, world.lead_department)
    page = as_user(world.liaison).get(f"/tasks/{world.task.pk}/").content.decode()
    api = _api_history(world.liaison, world.task)
    for text in SECRETS.values():
        assert text not in page and text not in api, text
    assert "分工调整:增加牵头单位" in page and "分工调整:增加牵头单位" in api
    lead_api = _api_history(world.lead_liaison, world.task)
    manager_api = _api_history(world.manager, world.task)
    for text in SECRETS.values():
        assert text in lead_api and text in manager_api


def test_the_lead_department_sees_reports_and_reviews_it_oversees_but_no_slip(
        as_user, world):  # noqa: F811
    _secrets_of(world, world.department)
    api = _api_history(world.lead_liaison, world.task)
    page = as_user(world.lead_liaison).get(f"/tasks/{world.task.pk}/").content.decode()
    for kind in (EventKind.REPORT, EventKind.REVIEW):
        assert SECRETS[kind] in api and SECRETS[kind] in page
    for kind in (EventKind.SLIP, EventKind.INSTRUCTION, EventKind.EXTENSION):
        assert SECRETS[kind] not in api and SECRETS[kind] not in page
    assert _api_history(world.liaison, world.task).count("哈经开督") == 1  # its own slip
