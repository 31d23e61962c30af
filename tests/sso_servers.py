"""A real OpenLDAP server (Debian's slapd) and a real OpenID Connect provider (a second Django
process running django-oauth-toolkit) on 127.0.0.1, each in a temporary directory and
stopped by its own handle."""

import socket
import subprocess
import sys
import textwrap
from pathlib import Path

from .e2e_services import Process, free_port, wait_for

SLAPD = "/usr/sbin/slapd"
SUFFIX = "dc=duban,dc=test"
ROOT_DN, ROOT_PW = f"cn=admin,{SUFFIX}", "root-secret"


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Slapd:
    """slapd -h ldap://127.0.0.1:PORT/ -f CONF with an mdb database under ``root``."""

    def __init__(self, root: Path):
        self.root, self.port = root, free_port()
        self.uri = f"ldap://127.0.0.1:{self.port}/"
        (root / "db").mkdir(parents=True)
        self.conf = root / "slapd.conf"
        self.conf.write_text(textwrap.dedent(f"""\
            include /etc/ldap/schema/core.schema
            include /etc/ldap/schema/cosine.schema
            include /etc/ldap/schema/inetorgperson.schema
            modulepath /usr/lib/ldap
            moduleload back_mdb
            pidfile {root}/slapd.pid
            database mdb
            maxsize 10485760
            suffix "{SUFFIX}"
            rootdn "{ROOT_DN}"
            rootpw {ROOT_PW}
            directory {root}/db
            access to attrs=userPassword by anonymous auth by self write by * none
            access to * by * read
            """))
        self.process = Process("slapd", [SLAPD, "-h", self.uri, "-f", str(self.conf), "-d", "0"],
                               root)
        wait_for(lambda: _listening(self.port), 20, "slapd 启动")

    def add_people(self, people: list[dict]) -> None:
        import ldap
        import ldap.modlist

        connection = ldap.initialize(self.uri)
        connection.simple_bind_s(ROOT_DN, ROOT_PW)
        connection.add_s(SUFFIX, ldap.modlist.addModlist(
            {"objectClass": [b"dcObject", b"organization"], "dc": [b"duban"],
             "o": [b"Duban"]}))
        connection.add_s(f"ou=people,{SUFFIX}", ldap.modlist.addModlist(
            {"objectClass": [b"organizationalUnit"], "ou": [b"people"]}))
        for person in people:
            connection.add_s(f"uid={person['uid']},ou=people,{SUFFIX}", ldap.modlist.addModlist({
                "objectClass": [b"inetOrgPerson"], "uid": [person["uid"].encode()],
                "cn": [person["cn"].encode()], "sn": [person["cn"][:1].encode()],
                "mail": [person["mail"].encode()],
                "userPassword": [person["password"].encode()]}))
        connection.unbind_s()

    def stop(self) -> None:
        self.process.stop()


PROVIDER_SETTINGS = "tests.oidc_provider.settings"


class OidcProvider:
    """``django-admin runserver`` of tests/oidc_provider on its own port and database."""

    def __init__(self, root: Path, *, redirect_uri: str, users: list[dict]):
        self.root, self.port = root, free_port()
        root.mkdir(parents=True, exist_ok=True)
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {"PROVIDER_DB": str(root / "provider.sqlite3"), "PROVIDER_URL": self.url,
                    "DJANGO_SETTINGS_MODULE": PROVIDER_SETTINGS, "PYTHONUNBUFFERED": "1",
                    "PATH": "/usr/bin:/bin"}
        django_admin = [sys.executable, "-m", "django"]
        subprocess.run([*django_admin, "migrate", "-v", "0"], check=True, env=self.env,
                       cwd=Path(__file__).parent.parent, timeout=120)
        setup = subprocess.run(
            [sys.executable, "-m", "tests.oidc_provider.setup", redirect_uri,
             *[f"{u['username']}|{u['password']}|{u['email']}|{u['name']}" for u in users]],
            check=True, env=self.env, cwd=Path(__file__).parent.parent, timeout=60,
            capture_output=True, text=True)
        self.client_id, self.client_secret = setup.stdout.split()
        self.process = Process("oidc-provider", [*django_admin, "runserver", "--noreload",
                                                 f"127.0.0.1:{self.port}"], root, env=self.env)
        wait_for(lambda: _listening(self.port), 30, "OIDC 身份提供方启动")

    def settings(self) -> dict:
        base = f"{self.url}/o"
        return {"OIDC_RP_CLIENT_ID": self.client_id, "OIDC_RP_CLIENT_SECRET": self.client_secret,
                "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{base}/authorize/",
                "OIDC_OP_TOKEN_ENDPOINT": f"{base}/token/",
                "OIDC_OP_USER_ENDPOINT": f"{base}/userinfo/",
                "OIDC_OP_JWKS_ENDPOINT": f"{base}/.well-known/jwks.json",
                "OIDC_RP_SIGN_ALGO": "RS256"}

    def stop(self) -> None:
        self.process.stop()
