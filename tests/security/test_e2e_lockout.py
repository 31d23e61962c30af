"""Brute force across web processes: two gunicorn servers (the production configuration)
share one database and one Redis. Wrong passwords sent to both in turn are counted
together (django-axes keeps its counts in the database every process reads), so the account
and the address lock after the limit, not after the limit times the number of processes,
and the lock answers on every process and every login door."""

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from ..e2e_services import redis_start
from ..factories import UserFactory
from ..forms import form_values
from ..web_processes import gunicorn_start, web_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
LIMIT = 10
PASSWORD = "right-pw-1"


def _login(base: str, username: str, password: str, ip: str, door: str = "/accounts/login/"):
    """One login attempt by a fresh browser from ``ip`` (the proxy's X-Forwarded-For)."""
    session = requests.Session()
    headers = {"X-Forwarded-For": ip}
    page = session.get(f"{base}{door}", headers=headers, timeout=30)
    fields = form_values(page.text) if page.status_code == 200 else {}
    fields |= {"username": username, "password": password}
    return session.post(f"{base}{door}", data=fields, headers=headers | {"Referer": base + door},
                        allow_redirects=False, timeout=30)


def test_thirty_wrong_passwords_over_two_processes_lock_account_and_address(tmp_path):
    hasher = PBKDF2PasswordHasher()  # the web processes verify with the production hashers
    encoded = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    for username in ("target", "bystander", "elsewhere"):
        user = UserFactory(username=username)
        user.password = encoded
        user.save(update_fields=["password"])
    redis_process, broker = redis_start(tmp_path)
    env = web_env(DUBAN_CACHE_URL=broker.rsplit("/", 1)[0] + "/1", CELERY_BROKER_URL=broker,
                  DUBAN_BEHIND_PROXY="1", DUBAN_LOGIN_FAILURE_LIMIT=str(LIMIT))
    started = [redis_process]
    try:
        web1, base1 = gunicorn_start("web1", tmp_path, env)
        started.append(web1)
        web2, base2 = gunicorn_start("web2", tmp_path, env)
        started.append(web2)
        webs = (base1, base2)

        statuses = [_login(webs[n % 2], "target", f"wrong-{n}", "10.0.0.1").status_code
                    for n in range(30)]
        # Counted together: the limit-th failure locks, whichever process saw the others.
        assert statuses[:LIMIT - 1] == [200] * (LIMIT - 1), statuses
        assert statuses[LIMIT - 1:] == [429] * (30 - LIMIT + 1), statuses

        for base in webs:
            # The account is locked for the right password from any address …
            locked = _login(base, "target", PASSWORD, "10.9.9.9")
            assert locked.status_code == 429 and "已被锁定" in locked.text
            assert _login(base, "target", PASSWORD, "10.9.9.9",
                          door="/admin/login/").status_code == 429
            token = requests.post(f"{base}/api/v1/auth/token/", timeout=30,
                                  json={"username": "target", "password": PASSWORD},
                                  headers={"X-Forwarded-For": "10.9.9.9"})
            assert token.status_code in (400, 429) and "token" not in token.json()
            # … and the attacking address for any account.
            assert _login(base, "bystander", PASSWORD, "10.0.0.1").status_code == 429
        # Someone else, from elsewhere, is not affected.
        assert _login(base2, "elsewhere", PASSWORD, "10.1.1.1").status_code == 302
    finally:
        for process in reversed(started):
            process.stop()
    for web in started[1:]:
        assert "Traceback" not in web.output(), web.output()
