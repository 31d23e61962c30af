"""Single sign-on against real servers on 127.0.0.1: Debian's slapd (LDAP) and a second
Django process running django-oauth-toolkit's OpenID Connect provider. The directory proves
who someone is; the roster's account (matched by e-mail) is the one signed in, with its
roles; nobody gets an account or a role from the directory unless the setting allows it."""

import re

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User

from departments.choices import Role
from departments.models import Person

from .factories import DepartmentFactory, MembershipFactory, UserFactory
from .sso_servers import SUFFIX, OidcProvider, Slapd

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


@pytest.fixture
def directory(tmp_path, settings):
    slapd = Slapd(tmp_path / "ldap")
    slapd.add_people([
        {"uid": "zhangsan", "cn": "张三", "mail": "zhangsan@district.gov.cn",
         "password": "ldap-Secret-1"},
        {"uid": "lisi", "cn": "李四", "mail": "lisi@district.gov.cn",
         "password": "ldap-Secret-2"},
    ])
    settings.DUBAN_LDAP_URI = slapd.uri
    settings.DUBAN_LDAP_USER_BASE = f"ou=people,{SUFFIX}"
    yield slapd
    slapd.stop()


@pytest.fixture
def zhangsan():
    """张三 as the roster created him: username = e-mail, no password, liaison of 区工信局."""
    user = User.objects.create(username="zhangsan@district.gov.cn", first_name="张三",
                               email="zhangsan@district.gov.cn")
    user.set_unusable_password()
    user.save()
    Person.objects.create(user=user, mobile="13800000001")
    MembershipFactory(user=user, department=DepartmentFactory(name="区工信局"),
                      role=Role.LIAISON)
    return user


def _signed_in(client):
    return client.session.get(SESSION_KEY)


def test_ldap_sign_in_matches_the_roster_account_by_email(client, directory, zhangsan):
    response = client.post(LOGIN, {"username": "zhangsan", "password": "ldap-Secret-1"})
    assert response.status_code == 302
    assert _signed_in(client) == str(zhangsan.pk)
    zhangsan.refresh_from_db()
    assert zhangsan.memberships.get().role == Role.LIAISON  # roles stay Duban's
    assert str(zhangsan) == "张三"


def test_ldap_refuses_a_wrong_password_and_unknown_people(client, directory, zhangsan):
    assert client.post(LOGIN, {"username": "zhangsan", "password": "nope"}).status_code == 200
    assert not _signed_in(client)
    # 李四 is in the directory but not in Duban: no account unless the setting allows it
    assert client.post(LOGIN, {"username": "lisi", "password": "ldap-Secret-2"}).status_code \
        == 200
    assert not User.objects.filter(email="lisi@district.gov.cn").exists()


def test_ldap_may_create_accounts_without_roles(client, directory, settings):
    settings.DUBAN_SSO_CREATE_USERS = True
    assert client.post(LOGIN, {"username": "lisi", "password": "ldap-Secret-2"}).status_code \
        == 302
    lisi = User.objects.get(email="lisi@district.gov.cn")
    assert lisi.username == "lisi@district.gov.cn" and lisi.first_name == "李四"
    assert not lisi.memberships.exists() and not lisi.has_usable_password()


def test_a_deactivated_person_cannot_sign_in_through_ldap(client, directory, zhangsan):
    zhangsan.is_active = False
    zhangsan.save()
    assert client.post(LOGIN, {"username": "zhangsan", "password": "ldap-Secret-1"}).status_code \
        == 200
    assert not _signed_in(client)


def test_local_passwords_still_work_with_ldap_on(client, directory):
    UserFactory(username="leadoffice")
    assert client.post(LOGIN, {"username": "leadoffice", "password": "pw"}).status_code == 302


def test_without_settings_sso_is_off(client, zhangsan, settings):
    assert client.get("/oidc/authenticate/").status_code == 404
    assert "统一身份认证登录" not in client.get(LOGIN).content.decode()


@pytest.mark.django_db(transaction=True)
def test_oidc_sign_in_through_a_real_provider(live_server, tmp_path, settings, zhangsan):
    provider = OidcProvider(tmp_path / "oidc", redirect_uri=f"{live_server.url}/oidc/callback/",
                            users=[{"username": "zs001", "password": "Provider-Pw-1",
                                    "email": "zhangsan@district.gov.cn", "name": "张三"}])
    try:
        settings.DUBAN_OIDC_ENABLED = True
        for name, value in provider.settings().items():
            setattr(settings, name, value)
        browser = requests.Session()
        login_page = browser.get(f"{live_server.url}{LOGIN}")
        assert "统一身份认证登录" in login_page.text
        answer = browser.get(f"{live_server.url}/oidc/authenticate/")
        assert answer.url.startswith(f"{provider.url}/login/")  # the provider asks who
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer.text).group(1)
        nxt = re.search(r'name="next" value="([^"]*)"', answer.text).group(1)
        done = browser.post(answer.url, data={
            "csrfmiddlewaretoken": token, "username": "zs001", "password": "Provider-Pw-1",
            "next": nxt.replace("&amp;", "&")}, headers={"Referer": answer.url})
        assert done.url.rstrip("/") == live_server.url, done.url
        assert "张三" in done.text  # signed in to Duban as the roster's 张三
        assert User.objects.count() == 1
    finally:
        provider.stop()
