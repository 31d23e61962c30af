"""The audit log: sensitive acts recorded; the hash chain proves it was not edited."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit.chain import chain_verify
from audit.models import AuditEvent, AuditKind
from audit.services import audit_record

from ..portal.conftest import as_user, travel, world  # noqa: F401
from .conftest import client_for


def test_audit_verify_passes_then_names_the_row_edited_in_sql(db, capsys):
    for n in range(5):
        audit_record(AuditKind.LOGIN, username=f"user{n}", target="t", detail=f"第 {n} 条")
    call_command("audit_verify")
    assert "5 条记录" in capsys.readouterr().out
    third = AuditEvent.objects.get(seq=3)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET detail = %s WHERE id = %s",
                       ["改过的内容", third.pk])
    with pytest.raises(CommandError, match="序号 3"):
        call_command("audit_verify")
    check = chain_verify()
    assert check.broken.seq == 3 and check.reason == "hash"


def test_a_deleted_row_breaks_the_chain(db):
    for n in range(4):
        audit_record(AuditKind.LOGOUT, username=f"user{n}")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 2")
    check = chain_verify()
    assert not check.intact and check.broken.seq == 3


def test_rows_cannot_be_changed_through_the_orm(db):
    event = audit_record(AuditKind.LOGIN, username="x")
    event.detail = "y"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_downloads_are_audited(as_user, world):  # noqa: F811
    client = as_user(world.liaison)
    response = client.get("/ledger.xlsx", {"plan": world.task.plan_id})
    assert response.status_code == 200
    event = AuditEvent.objects.get(kind=AuditKind.DOWNLOAD)
    assert event.username == world.liaison.username and "/ledger.xlsx" in event.target
    assert chain_verify().intact


def test_admin_changes_and_role_changes_are_audited(demo):
    from django.contrib.auth.models import User
    from django.urls import reverse

    lead = client_for("leadoffice")
    liaison = User.objects.get(username="gxj.liaison")
    lead.post(reverse("admin:auth_user_changelist"), {
        "action": "send_password_reset", "_selected_action": [liaison.pk]})
    from departments.models import Department
    department = Department.objects.first()
    page = reverse("admin:departments_department_change", args=[department.pk])
    from ..forms import form_values
    values = form_values(lead.get(page).content.decode())
    values["code"] = department.code
    assert lead.post(page, values).status_code == 302
    event = AuditEvent.objects.filter(kind=AuditKind.ADMIN_CHANGE).latest("seq")
    assert event.username == "leadoffice" and "departments.department" in event.target
    assert chain_verify().intact


def test_prune_keeps_at_least_180_days_and_the_rest_still_verifies(db, settings):
    import datetime

    import time_machine
    from django.utils import timezone

    settings.DUBAN_AUDIT_RETENTION_DAYS = 30  # below the floor: 180 days are kept anyway
    now = timezone.now()
    for days in (400, 200, 170, 10):
        with time_machine.travel(now - datetime.timedelta(days=days)):
            audit_record(AuditKind.LOGIN, username=f"d{days}")
    call_command("audit_prune")
    kept = set(AuditEvent.objects.values_list("username", flat=True))
    assert {"d170", "d10"} <= kept and not {"d400", "d200"} & kept
    assert chain_verify().intact
