"""Roles cannot escalate: the lead office's user admin is restricted; 三员 are distinct."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import AuditEvent, AuditKind
from departments.choices import Role
from departments.models import Membership
from security.roles import LEAD_OFFICE_GROUP, second_factor_required

from ..forms import form_values
from .conftest import client_for

ADD = reverse("admin:auth_user_add")


def _change(user: User) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


def test_the_lead_office_creates_a_plain_user_even_when_it_posts_superuser_fields(demo):
    lead = client_for("leadoffice")
    response = lead.post(ADD, {
        "username": "newbie", "email": "newbie@duban.example", "is_superuser": "on",
        "is_staff": "on", "password1": "Xx-123456789", "password2": "Xx-123456789",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="newbie")
    assert not user.is_superuser and not user.is_staff and not user.has_usable_password()
    assert mail.outbox and "/accounts/reset/" in mail.outbox[-1].body
    assert mail.outbox[-1].to == ["newbie@duban.example"]
    page = lead.get(ADD).content.decode()
    for field in ("is_superuser", "is_staff", "user_permissions", "groups", "password1"):
        assert f'name="{field}"' not in page


def test_the_lead_office_cannot_raise_an_existing_user(demo):
    lead = client_for("leadoffice")
    liaison = User.objects.get(username="gxj.liaison")
    values = form_values(lead.get(_change(liaison)).content.decode())
    values.update({"is_superuser": "on", "is_staff": "on", "groups": "1",
                   "user_permissions": "1", "first_name": "改名"})
    assert lead.post(_change(liaison), values).status_code == 302
    liaison.refresh_from_db()
    assert liaison.first_name == "改名"
    assert not liaison.is_superuser and not liaison.is_staff
    assert not liaison.groups.exists() and not liaison.user_permissions.exists()


def test_no_password_form_no_token_list_no_operator_for_the_lead_office(demo):
    lead = client_for("leadoffice")
    liaison = User.objects.get(username="gxj.liaison")
    root = User.objects.create_superuser("root", "root@duban.example", "Xx-123456789")
    assert lead.get(reverse("admin:auth_user_password_change", args=[liaison.pk])
                    ).status_code == 403
    assert lead.get("/admin/authtoken/tokenproxy/").status_code == 404
    assert lead.get("/admin/authtoken/token/").status_code == 404
    listing = lead.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "gxj.liaison" in listing and "root" not in listing
    assert lead.get(_change(root)).status_code == 302  # "does not exist" → index
    security_admin = User.objects.get(username="security")
    assert lead.get(_change(security_admin)).status_code == 302
    assert lead.get(reverse("admin:audit_auditevent_changelist")).status_code == 403


def test_the_lead_office_resets_a_password_only_by_a_link(demo):
    lead = client_for("leadoffice")
    liaison = User.objects.get(username="gxj.liaison")
    response = lead.post(reverse("admin:auth_user_changelist"), {
        "action": "send_password_reset", "_selected_action": [liaison.pk]})
    assert response.status_code == 302
    assert mail.outbox[-1].to == [liaison.email]
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/accounts/reset/" in line)
    assert link.startswith("http://testserver/accounts/reset/")


def test_deactivating_an_account_revokes_its_token(demo):
    lead = client_for("leadoffice")
    liaison = User.objects.get(username="gxj.liaison")
    Token.objects.create(user=liaison)
    values = form_values(lead.get(_change(liaison)).content.decode())
    values.pop("is_active", None)
    assert lead.post(_change(liaison), values).status_code == 302
    assert not Token.objects.filter(user=liaison).exists()


def test_a_lead_office_membership_gives_the_admin_and_losing_it_takes_it_away(demo):
    lead = client_for("leadoffice")
    liaison = User.objects.get(username="gxj.liaison")
    values = form_values(lead.get(_change(liaison)).content.decode())
    total = int(values["memberships-TOTAL_FORMS"])
    values.update({"memberships-TOTAL_FORMS": str(total + 1),
                   f"memberships-{total}-role": Role.LEAD_OFFICE,
                   f"memberships-{total}-user": str(liaison.pk)})
    assert lead.post(_change(liaison), values).status_code == 302
    liaison.refresh_from_db()
    assert liaison.is_staff and liaison.groups.filter(name=LEAD_OFFICE_GROUP).exists()
    Membership.objects.filter(user=liaison, role=Role.LEAD_OFFICE).get().delete()
    from security.roles import staff_sync
    staff_sync(liaison)
    liaison.refresh_from_db()
    assert not liaison.is_staff and not liaison.groups.exists()


def test_three_admin_roles_are_distinct(demo):
    security = client_for("security")
    auditor = client_for("auditor")
    User.objects.create_superuser("root", "root@duban.example", "Xx-123456789")
    operator = client_for_superuser()
    audit_list = reverse("admin:audit_auditevent_changelist")
    assert auditor.get(audit_list).status_code == 200
    assert security.get(audit_list).status_code == 403
    assert operator.get(audit_list).status_code == 403
    # The auditor changes nothing: no user admin, no task admin.
    assert auditor.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert auditor.get(reverse("admin:tasks_app_task_changelist")).status_code == 403
    # The security admin manages accounts and lockouts, not plans or tasks.
    assert security.get(reverse("admin:auth_user_changelist")).status_code == 200
    assert security.get(reverse("admin:axes_accessattempt_changelist")).status_code == 200
    assert security.get(reverse("admin:tasks_app_task_changelist")).status_code == 403
    # Nobody may edit or delete audit rows, not even the auditor.
    row = AuditEvent.objects.first()
    assert auditor.get(reverse("admin:audit_auditevent_delete", args=[row.pk])).status_code == 403
    assert auditor.post(reverse("admin:audit_auditevent_change", args=[row.pk]),
                        {"detail": "x"}).status_code == 403


def client_for_superuser():
    from django.test import Client
    client = Client()
    assert client.login(username="root", password="Xx-123456789")
    return client


def test_the_auditor_exports_the_log_and_the_export_is_audited(demo):
    auditor = client_for("auditor")
    ids = list(AuditEvent.objects.values_list("pk", flat=True))
    response = auditor.post(reverse("admin:audit_auditevent_changelist"), {
        "action": "export_csv", "_selected_action": ids})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "登录" in text and "auditor" in text
    assert AuditEvent.objects.filter(kind=AuditKind.DOWNLOAD, username="auditor").exists()


@pytest.mark.parametrize("username, required", [
    ("leadoffice", True), ("manager", True), ("security", True), ("auditor", True),
    ("gxj.liaison", False), ("gxj.head", False)])
def test_the_second_factor_is_required_by_role(demo, settings, username, required):
    settings.DUBAN_2FA_ROLES = ["operator", "security_admin", "audit_admin", "lead_office",
                                "manager"]
    settings.DUBAN_2FA_DEPARTMENTS = False
    assert second_factor_required(User.objects.get(username=username)) is required
    settings.DUBAN_2FA_DEPARTMENTS = True
    assert second_factor_required(User.objects.get(username=username)) is True


def test_tokens_expire_and_die_with_a_password_change(demo, settings):
    liaison = User.objects.get(username="gxj.liaison")
    token = Token.objects.create(user=liaison)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/tasks/").status_code == 200
    with time_machine.travel(token.created + datetime.timedelta(
            days=settings.DUBAN_TOKEN_TTL_DAYS, seconds=1)):
        response = api.get("/api/v1/tasks/")
    assert response.status_code == 401 and "过期" in response.json()["error"]["message"]
    token = Token.objects.create(user=liaison)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    liaison.set_password("Another-pw-2026")
    liaison.save()
    assert api.get("/api/v1/tasks/").status_code == 401
    assert AuditEvent.objects.filter(kind=AuditKind.PASSWORD, username="gxj.liaison").exists()
