"""The lifecycle through the API: the same services as the portal. 404 outside the user's
scope, 403 for a role not allowed, 400 for a state that does not allow it, 409/412 when
someone acted first."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks_app.choices import PartState, TaskStatus
from tasks_app.models import CompletionRequest, ExtensionRequest, SupervisionSlip
from tasks_app.services.lifecycle.parts import part_acknowledge
from tasks_app.services.lifecycle.slips import slip_issue

pytestmark = pytest.mark.django_db


def post(client, url, data=None, **headers):
    return client.post(url, data or {}, format="json", headers=headers)


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


def test_acknowledge_then_extend_then_decide(world):
    liaison, head, office = (world.client(u) for u in (world.liaison, world.head, world.office))
    task_url = f"/api/v1/tasks/{world.shared.pk}/"
    done = post(liaison, task_url + "acknowledge/")
    assert done.status_code == 200 and done.json()["status"] == TaskStatus.IN_PROGRESS
    filed = post(liaison, "/api/v1/extension-requests/", {
        "assignment": world.resp_part.pk, "proposed_due_on": "2027-03-31",
        "reason": "设备到货延迟"})
    assert filed.status_code == 201 and filed.json()["state"] == "pending_head"
    url = f"/api/v1/extension-requests/{filed.json()['id']}/"
    error(post(office, url + "decide/", {"approve": True}), 400)  # the head has not endorsed
    endorsed = post(head, url + "endorse/", {"endorse": True, "version": 1})
    assert endorsed.json()["state"] == "pending_decision"
    stale = error(post(office, url + "decide/", {"approve": True, "version": 1}), 409)
    assert stale["code"] == "stale_version"
    etag = office.get(url).headers["ETag"]
    decided = post(office, url + "decide/", {"approve": True, "due_on": "2027-02-28"},
                   **{"If-Match": etag})
    assert decided.json()["state"] == "approved"
    assert office.get(task_url).json()["due_on"] == "2027-02-28"


def test_a_role_not_allowed_is_403_and_an_invisible_object_404(world):
    part_acknowledge(part=world.resp_part, actor=world.liaison)
    filed = post(world.client(world.liaison), "/api/v1/extension-requests/", {
        "assignment": world.resp_part.pk, "proposed_due_on": "2027-03-31", "reason": "延迟"})
    url = f"/api/v1/extension-requests/{filed.json()['id']}/"
    denied = error(post(world.client(world.lead_liaison), url + "endorse/",
                        {"endorse": True}), 403)
    assert denied["message"] == "只有本部门负责人可以审核延期申请。"
    error(post(world.client(world.outsider), url + "endorse/", {"endorse": True}), 404)
    error(post(world.client(world.outsider), f"/api/v1/tasks/{world.shared.pk}/suspend/",
               {"reason": "x"}), 404)
    refused = error(post(world.client(world.liaison), f"/api/v1/tasks/{world.shared.pk}/"
                         "suspend/", {"reason": "x"}), 403)
    assert refused["message"] == "只有牵头办公室可以中止。"


def test_completion_is_filed_by_the_lead_and_verified_by_the_office(world):
    lead, office = world.client(world.lead_liaison), world.client(world.office)
    bad = error(post(world.client(world.liaison), "/api/v1/completion-requests/", {
        "task": world.shared.pk, "department": world.resp.pk, "results": "完成"}), 403)
    assert "牵头部门" in bad["message"]
    filed = post(lead, "/api/v1/completion-requests/", {
        "task": world.shared.pk, "department": world.lead.pk, "results": "已竣工验收"})
    assert filed.status_code == 201
    url = f"/api/v1/completion-requests/{filed.json()['id']}/"
    refused = error(post(office, url + "decide/", {"decision": "rejected"}), 400)
    assert refused["fields"] == {"reason": ["补充办理、不同意办结或需要整改时，请填写意见。"]}
    done = post(office, url + "decide/", {"decision": "approved", "version": 1})
    assert done.json()["decision"] == CompletionRequest.Decision.APPROVED
    assert office.get(f"/api/v1/tasks/{world.shared.pk}/").json()["status"] == "completed"


def test_slips_are_drafted_signed_received_answered_and_stay_with_their_department(world):
    office = world.client(world.office)
    drafted = post(office, "/api/v1/slips/", {
        "task": world.shared.pk, "department": world.resp.pk, "reason": "进展缓慢",
        "respond_by": "2026-03-27"})
    assert drafted.status_code == 201, drafted.content
    assert (drafted.json()["number"], drafted.json()["state"]) == ("", "draft")
    assert [i["title"] for i in drafted.json()["items"]] == [
        f"{world.shared.number}. {world.shared.title}"]
    url = f"/api/v1/slips/{drafted.json()['id']}/"
    liaison = world.client(world.liaison)
    assert liaison.get(url).status_code == 404  # a draft is the lead office's alone
    assert liaison.get("/api/v1/slips/").json()["results"] == []
    error(post(liaison, url + "sign/"), 404)
    signed = post(office, url + "sign/", {"version": 1})
    assert signed.status_code == 200 and signed.json()["number"].endswith("〔2026〕1号")
    assert signed.json()["issued_by"] == world.office.username
    assert world.client(world.lead_liaison).get(url).status_code == 404
    error(post(liaison, url + "answer/", {"answer": "已报送"}), 400)
    post(liaison, url + "receive/")
    answered = post(liaison, url + "answer/", {"answer": "已报送", "version": 3})
    assert answered.json()["state"] == SupervisionSlip.State.ANSWERED
    assert [s["id"] for s in liaison.get("/api/v1/slips/").json()["results"]] == [
        drafted.json()["id"]]


def test_a_signed_slip_is_voided_with_a_reason_by_the_lead_office_only(world):
    office, liaison = world.client(world.office), world.client(world.liaison)
    signed = post(office, "/api/v1/slips/", {
        "task": world.shared.pk, "department": world.resp.pk, "reason": "进展缓慢",
        "respond_by": "2026-03-27", "sign": True}).json()
    url = f"/api/v1/slips/{signed['id']}/"
    error(post(liaison, url + "void/", {"reason": "误发"}), 403)
    assert error(post(office, url + "void/", {"reason": " "}), 400)
    voided = post(office, url + "void/", {"reason": "误发,该部门已按时报送"}).json()
    assert (voided["state"], voided["number"], voided["void_reason"]) == (
        "voided", signed["number"], "误发,该部门已按时报送")
    shown = liaison.get(url).json()  # the number stays in the register, marked void
    assert (shown["number"], shown["state"]) == (signed["number"], "voided")


def test_only_managers_instruct_and_the_departments_replies_are_listed(world):
    error(post(world.client(world.office), "/api/v1/instructions/", {
        "task": world.shared.pk, "text": "加快"}), 403)
    made = post(world.client(world.manager), "/api/v1/instructions/", {
        "task": world.shared.pk, "text": "加快进度", "departments": [world.resp.pk]})
    assert made.status_code == 201
    assert made.json()["departments"] == [world.resp.pk]
    assert made.json()["replied_departments"] == []


def test_transfer_and_suspend_through_the_task(world):
    office = world.client(world.office)
    moved = post(office, f"/api/v1/tasks/{world.shared.pk}/transfer/", {
        "department": world.resp.pk, "to_department": world.other.pk, "reason": "职能划转"})
    assert moved.status_code == 200
    world.resp_part.refresh_from_db()
    assert world.resp_part.state == PartState.TRANSFERRED
    version = office.get(f"/api/v1/tasks/{world.shared.pk}/").json()["version"]
    error(post(office, f"/api/v1/tasks/{world.shared.pk}/suspend/",
               {"reason": "暂缓", "version": version - 1}), 409)
    suspended = post(office, f"/api/v1/tasks/{world.shared.pk}/suspend/",
                     {"reason": "暂缓", "version": version})
    assert suspended.json()["status"] == TaskStatus.SUSPENDED


def _grow(world, n: int) -> None:
    for _ in range(n):
        slip = slip_issue(sign=True, task=world.shared, department=world.resp, reason="进展缓慢",
                          respond_by=datetime.date(2026, 3, 27), actor=world.office)
        assert slip.pk
        ExtensionRequest.objects.create(assignment=world.resp_part, reason="延迟",
                                        proposed_due_on=datetime.date(2027, 1, 1))
        CompletionRequest.objects.create(task=world.shared, department=world.lead,
                                         results="完成")


@pytest.mark.parametrize("url", ["/api/v1/slips/", "/api/v1/extension-requests/",
                                 "/api/v1/completion-requests/", "/api/v1/instructions/"])
def test_lists_run_a_constant_number_of_queries(world, url):
    client = world.client(world.office)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    _grow(world, 1)
    small = count()
    _grow(world, 5)
    assert count() == small <= 8
