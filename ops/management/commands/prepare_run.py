"""Everything run.sh does before starting the processes, in one Python process (each
``manage.py`` start costs seconds on a busy machine): migrate when needed, static files
when changed, the primary plan, the demo accounts with a password kept in var/. At the end
it writes var/prepared.json, with which ``ops.start_check`` lets the next start skip it all
when nothing changed."""

import hashlib
import io
import json
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from ops.start_check import STAMP, database_markers, files_fingerprint
from ops.staticfiles import static_ensure
from seeds.demo import demo_accounts_ensure

PRIMARY_PLAN = Path(settings.BASE_DIR) / "seeds" / "hjkwf-2023-1-implementation-plan.txt"


def demo_password(path: Path, given: str | None, renew: bool) -> str:
    """The given password, else the one kept in ``path``, else a new one (then kept)."""
    if given:
        password = given
    elif path.exists() and not renew and path.read_text().strip():
        return path.read_text().strip()
    else:
        password = secrets.token_urlsafe(9)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n")
    path.chmod(0o600)
    return password


def known_hash(path: Path, password: str) -> str | None:
    """The demo accounts' stored hash when it is the hash of ``password`` (written by the
    last start), so that a restart does not spend seconds hashing the same password again."""
    if not path.exists():
        return None
    digest, _, encoded = path.read_text().strip().partition("\t")
    if digest != hashlib.sha256(password.encode()).hexdigest():
        return None
    stored = User.objects.filter(username="leadoffice").values_list("password", flat=True)
    return encoded if encoded and list(stored) == [encoded] else None


def migrations_pending() -> bool:
    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def stamp_write(output: list[str]) -> None:
    """What the next start compares with (see ops.start_check), and what it prints then."""
    with connection.cursor() as cursor:
        database = database_markers(cursor)
    STAMP.write_text(json.dumps({"files": files_fingerprint(), "database": database,
                                 "output": output}, ensure_ascii=False))
    STAMP.chmod(0o600)  # it holds the demo password, as var/demo_password does


class Command(BaseCommand):
    requires_system_checks = []  # the web process runs them; seconds saved at every start

    @property
    def help(self) -> str:
        return _("启动前准备：按需迁移数据库和生成静态文件，导入主方案，创建演示账号"
                 "（密码保存在 var/demo_password，重启后不变）。")

    def add_arguments(self, parser):
        parser.add_argument("--password", default=os.environ.get("DUBAN_DEMO_PASSWORD") or None,
                            help=_("演示账号密码（默认沿用 var/demo_password）"))
        parser.add_argument("--new-password", action="store_true",
                            default=os.environ.get("DUBAN_DEMO_PASSWORD_RENEW") == "1",
                            help=_("重新生成演示账号密码"))

    def handle(self, *args, password: str | None, new_password: bool, **options):
        if migrations_pending():
            call_command("migrate", interactive=False, verbosity=0)
        if static_ensure():
            self.stderr.write(_("静态文件已重新生成"))
        out = io.StringIO()
        call_command("import_plan", str(PRIMARY_PLAN), stdout=out)
        output = out.getvalue().splitlines()[-2:]
        output.append(_("演示账号（用户名 / 角色 / 部门）："))
        password = demo_password(Path(settings.BASE_DIR) / "var" / "demo_password",
                                 password, new_password)
        hash_file = Path(settings.BASE_DIR) / "var" / "demo_password.hash"
        accounts, password = demo_accounts_ensure(password,
                                                  encoded=known_hash(hash_file, password))
        stored = User.objects.filter(username="leadoffice").values_list("password", flat=True)
        hash_file.write_text(f"{hashlib.sha256(password.encode()).hexdigest()}\t{stored[0]}\n")
        hash_file.chmod(0o600)
        output += [f"{account.username}\t{account.role}\t{account.department}"
                   for account in accounts]
        output.append(_("演示账号密码：%(password)s") % {"password": password})
        for line in output:
            self.stdout.write(line)
        stamp_write(output)
