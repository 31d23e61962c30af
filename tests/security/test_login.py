"""Brute force is stopped (per account and per address, across workers), 2FA, idle sessions."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from audit.models import AuditEvent, AuditKind

from .conftest import PASSWORD

LOGIN = "/accounts/login/"


def _post(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password},
                       REMOTE_ADDR=ip)


def test_thirty_wrong_passwords_lock_the_account_and_the_address(demo, settings):
    settings.AXES_FAILURE_LIMIT = 10
    attacker = Client()
    statuses = [_post(attacker, "gxj.liaison", f"wrong-{n}").status_code for n in range(30)]
    assert statuses[0] == 200 and statuses[-1] == 429
    # The right password no longer works — from another "worker" (a fresh client), from
    # another address (the account is locked) …
    locked = _post(Client(), "gxj.liaison", PASSWORD, ip="10.9.9.9")
    assert locked.status_code == 429 and "已被锁定" in locked.content.decode()
    # … and the attacking address cannot try other accounts either.
    assert _post(Client(), "gxj.head", PASSWORD).status_code == 429
    # The admin login and the token endpoint answer the same.
    assert Client().post("/admin/login/", {"username": "gxj.liaison", "password": PASSWORD},
                         REMOTE_ADDR="10.9.9.9").status_code == 429
    api = APIClient().post("/api/v1/auth/token/", {"username": "gxj.liaison",
                                                    "password": PASSWORD},
                           format="json", REMOTE_ADDR="10.9.9.9")
    assert api.status_code in (400, 429) and "token" not in api.json()
    assert AuditEvent.objects.filter(kind=AuditKind.LOCKOUT).exists()
    assert AuditEvent.objects.filter(kind=AuditKind.LOGIN_FAILED).count() >= 10
    # An unrelated person elsewhere still logs in.
    assert _post(Client(), "gxj.head", PASSWORD, ip="10.1.1.1").status_code == 302


def test_the_security_admin_unlocks(demo, settings):
    from axes.models import AccessAttempt

    from .conftest import client_for
    settings.AXES_FAILURE_LIMIT = 3
    for n in range(3):
        _post(Client(), "gxj.liaison", f"wrong-{n}")
    assert _post(Client(), "gxj.liaison", PASSWORD, ip="10.2.2.2").status_code == 429
    security = client_for("security")
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = security.post("/admin/axes/accessattempt/", {
        "action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert response.status_code == 302
    assert _post(Client(), "gxj.liaison", PASSWORD, ip="10.2.2.2").status_code == 302
    assert AuditEvent.objects.filter(kind=AuditKind.ROLE, username="security").exists()


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_the_lead_office_must_enrol_and_confirm_a_second_factor(demo, settings):
    settings.DUBAN_2FA_ROLES = ["lead_office", "manager", "operator"]
    client = Client()
    assert _post(client, "leadoffice", PASSWORD).status_code == 302
    page = client.get("/admin/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/2fa/")
    enrol = client.get(page["Location"])
    assert "二维码" in enrol.content.decode()
    assert client.get("/api/v1/tasks/").status_code == 403
    device = TOTPDevice.objects.get(user__username="leadoffice")
    assert "验证码不正确" in client.post("/accounts/2fa/", {"code": "000000"}).content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp makes the next try wait after a failure
    assert client.post("/accounts/2fa/", {"code": _code(device)}).status_code == 302
    assert client.get("/admin/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    # A token needs the code too.
    api = APIClient()
    refused = api.post("/api/v1/auth/token/", {"username": "leadoffice", "password": PASSWORD},
                       format="json")
    assert refused.status_code == 400 and "otp" in refused.json()["error"]["fields"]
    # Departments log in with the password only (DUBAN_2FA_DEPARTMENTS off).
    liaison = Client()
    _post(liaison, "gxj.liaison", PASSWORD)
    assert liaison.get("/").status_code == 200


def test_an_idle_session_ends(demo, settings):
    settings.DUBAN_SESSION_IDLE_MINUTES = 30
    start = datetime.datetime(2026, 12, 1, 9, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client = Client()
        _post(client, "gxj.liaison", PASSWORD)
        assert client.get("/").status_code == 200
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get("/").status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_logins_and_logouts_are_audited(demo):
    client = Client()
    _post(client, "gxj.liaison", PASSWORD, ip="10.3.3.3")
    client.post("/accounts/logout/")
    login = AuditEvent.objects.filter(kind=AuditKind.LOGIN, username="gxj.liaison").get()
    assert login.ip == "10.3.3.3"
    assert AuditEvent.objects.filter(kind=AuditKind.LOGOUT, username="gxj.liaison").exists()


@pytest.mark.parametrize("behind_proxy, expected", [(False, "10.4.4.4"), (True, "203.0.113.9")])
def test_forwarded_headers_are_trusted_only_behind_a_proxy(demo, settings, behind_proxy,
                                                           expected):
    settings.DUBAN_BEHIND_PROXY = behind_proxy
    client = Client()
    client.post(LOGIN, {"username": "gxj.liaison", "password": PASSWORD},
                REMOTE_ADDR="10.4.4.4", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert AuditEvent.objects.filter(kind=AuditKind.LOGIN).get().ip == expected
    assert User.objects.get(username="gxj.liaison").last_login is not None
