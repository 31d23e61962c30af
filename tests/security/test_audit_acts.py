"""Sensitive acts outside the admin write their audit row with the write itself: the roster
import, a new API token or calendar address, the digest settings, export downloads."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent, AuditKind
from departments.choices import Role
from departments.models import Membership, RosterImport
from departments.people import roster_confirm, roster_draft_create
from notifications.models import CalendarFeed, DigestSubscription
from tasks_app.models import ExportJob

from ..documents.conftest import ledger_through_job
from ..factories import DepartmentFactory, MembershipFactory, UserFactory
from ..portal.conftest import as_user, travel, world  # noqa: F401
from ..test_roster import ROWS, _csv

IP = "10.20.30.40"


def _only(kind: str) -> AuditEvent:
    events = list(AuditEvent.objects.filter(kind=kind))
    assert len(events) == 1, events
    return events[0]


@pytest.fixture
def lead(db):
    from security.roles import lead_office_group
    DepartmentFactory(name="区工信局", code="gxj")
    DepartmentFactory(name="区商务局", code="swj")
    user = MembershipFactory(user=UserFactory(username="leadoffice", is_staff=True),
                             department=None, role=Role.LEAD_OFFICE).user
    user.groups.add(lead_office_group())
    return user


def test_a_roster_import_confirmed_in_the_admin_is_audited(client, lead):
    client.force_login(lead)
    response = client.post(reverse("admin:departments_roster_upload"),
                           {"file": SimpleUploadedFile("名单.csv", _csv(*ROWS))},
                           REMOTE_ADDR=IP)
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(kind=AuditKind.ROLE).exists()  # a preview only
    client.post(response.url, {"confirm": "1"}, REMOTE_ADDR=IP)
    draft = RosterImport.objects.get()
    assert draft.confirmed_at is not None
    event = AuditEvent.objects.get(kind=AuditKind.ROLE, target__startswith="名单导入")
    assert (event.actor, event.ip) == (lead, IP)
    assert event.target == f"名单导入 #{draft.pk} 名单.csv"
    assert json.loads(event.detail)["new"] == 4


def test_a_roster_import_and_its_audit_row_are_one_transaction(lead, monkeypatch):
    draft = roster_draft_create(file_name="名单.csv", data=_csv(*ROWS), user=lead)

    def refuse(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr("departments.people.audit_record", refuse)
    with pytest.raises(RuntimeError):
        roster_confirm(draft=draft, user=lead)
    draft.refresh_from_db()
    assert draft.confirmed_at is None
    assert not Membership.objects.exclude(user=lead).exists()  # nothing of it was saved


def test_a_new_or_regenerated_api_token_is_audited(as_user, world):  # noqa: F811
    client = as_user(world.liaison)
    profile = reverse("portal:profile")
    client.post(profile, {"action": "create"}, REMOTE_ADDR=IP)
    client.post(profile, {"action": "regenerate"}, REMOTE_ADDR=IP)
    events = list(AuditEvent.objects.filter(kind=AuditKind.CREDENTIAL).order_by("seq"))
    assert [e.detail for e in events] == ["生成", "重新生成，旧令牌作废"]
    assert {(e.actor, e.ip) for e in events} == {(world.liaison, IP)}
    assert events[0].target == f"接口令牌 {world.liaison.username}"
    client.get(profile)  # reading the page writes nothing
    assert AuditEvent.objects.filter(kind=AuditKind.CREDENTIAL).count() == 2


def test_a_new_or_regenerated_calendar_address_is_audited(as_user, world):  # noqa: F811
    client = as_user(world.liaison)
    profile = reverse("portal:profile")
    client.post(profile, {"action": "calendar"}, REMOTE_ADDR=IP)
    first = CalendarFeed.objects.get(user=world.liaison).key
    client.post(profile, {"action": "calendar_regenerate"}, REMOTE_ADDR=IP)
    assert CalendarFeed.objects.get(user=world.liaison).key != first
    events = list(AuditEvent.objects.filter(kind=AuditKind.CREDENTIAL).order_by("seq"))
    assert [e.detail for e in events] == ["生成", "重新生成，旧地址作废"]
    assert {(e.actor, e.ip, e.target) for e in events} == {
        (world.liaison, IP, f"日历订阅地址 {world.liaison.username}")}
    assert first not in "".join(e.detail + e.target for e in events)  # no secret in the log


def test_digest_settings_changes_are_audited(client, db):
    manager = MembershipFactory(role=Role.MANAGER, department=None).user
    department = DepartmentFactory(name="区工信局")
    client.force_login(manager)
    response = client.post(reverse("notifications:digest"),
                           {"frequency": "daily", "departments": [department.pk]},
                           REMOTE_ADDR=IP)
    assert response.status_code == 302
    assert DigestSubscription.objects.get(user=manager).frequency == "daily"
    event = _only(AuditKind.SETTINGS)
    assert (event.actor, event.ip) == (manager, IP)
    assert json.loads(event.detail) == {"frequency": "daily", "weekday": None,
                                        "send_time": None, "contents": [], "plans": [],
                                        "drivers": [], "departments": ["区工信局"]}
    # A refused change saves nothing and audits nothing.
    client.post(reverse("notifications:digest"), {"frequency": "hourly"}, REMOTE_ADDR=IP)
    assert DigestSubscription.objects.get(user=manager).frequency == "daily"
    assert AuditEvent.objects.filter(kind=AuditKind.SETTINGS).count() == 1


def test_an_export_download_is_audited(as_user, world):  # noqa: F811
    client = as_user(world.manager)
    response = ledger_through_job(client, {"plan": world.task.plan_id})
    assert response.status_code == 200
    job = ExportJob.objects.get()
    event = _only(AuditKind.DOWNLOAD)
    assert event.actor == world.manager
    assert event.target == reverse("portal:export_download", args=[job.pk])
    assert job.filename in event.detail or "attachment" in event.detail
