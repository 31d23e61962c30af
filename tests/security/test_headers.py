"""CSP on every page, no inline script the pages need; proxy headers trusted only by setting."""

import re

import pytest
from django.conf import settings as django_settings

from ..portal.conftest import as_user, travel, world  # noqa: F401
from .conftest import client_for

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def _no_inline_script(response) -> None:
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split(
        "script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html)
    assert not INLINE_HANDLER.search(re.sub(r"<(svg|pre)[\s\S]*?</\1>", "", html))


def test_portal_pages_carry_a_csp_without_inline_script(as_user, world):  # noqa: F811
    for user, paths in ((world.liaison, ["/", f"/tasks/{world.task.pk}/", "/slips/",
                                         "/accounts/profile/", "/todo/"]),
                        (world.manager, ["/overview/", "/desk/", "/bulletins/"])):
        client = as_user(user)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            _no_inline_script(response)


def test_login_admin_and_api_docs_carry_the_csp(client, demo):
    _no_inline_script(client.get("/accounts/login/"))
    lead = client_for("leadoffice")
    for path in ("/admin/", "/admin/tasks_app/task/", "/admin/auth/user/", "/api/docs/",
                 "/api/redoc/"):
        response = lead.get(path)
        assert response.status_code == 200, path
        _no_inline_script(response)


@pytest.mark.parametrize("behind_proxy", [False, True])
def test_x_forwarded_proto_is_trusted_only_behind_a_proxy(client, db, settings, behind_proxy):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = (
        ("HTTP_X_FORWARDED_PROTO", "https") if behind_proxy else None)
    response = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    # Without the setting a forged header does not make plain http look like https.
    assert response.status_code == (200 if behind_proxy else 301)


def test_the_production_default_does_not_trust_the_header():
    assert not django_settings.DUBAN_BEHIND_PROXY
    assert getattr(django_settings, "SECURE_PROXY_SSL_HEADER", None) is None
