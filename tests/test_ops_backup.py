"""manage.py backup and restore: a populated database and its media into one archive, then
back into an empty database (every table dropped), compared table by table and file by
file; retention keeps the newest archives."""

import io
import tarfile
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings

from notifications.models import Notification
from ops.backup import backups_prune

from .cycle_support import World, cycle_at, moment

pytestmark = pytest.mark.django_db(transaction=True)


def _snapshot() -> dict[str, list[str]]:
    """Every row of every table, as text, in a stable order."""
    tables = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            tables[table] = sorted(repr(row) for row in cursor.fetchall())
    return tables


def _drop_everything() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in connection.introspection.table_names():
                cursor.execute(f"DROP TABLE {connection.ops.quote_name(table)}")
    assert connection.introspection.table_names() == []


def _media() -> dict[str, bytes]:
    def walk(prefix=""):
        try:
            directories, files = default_storage.listdir(prefix)
        except FileNotFoundError:
            return
        for name in files:
            path = f"{prefix}/{name}" if prefix else name
            with default_storage.open(path, "rb") as handle:
                yield path, handle.read()
        for directory in directories:
            yield from walk(f"{prefix}/{directory}" if prefix else directory)
    return dict(walk())


@pytest.fixture
def media_root(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield tmp_path / "media"


def test_a_backup_restores_every_table_and_file_into_an_empty_database(tmp_path, media_root):
    with time_machine.travel(moment(3, 2), tick=False), transaction.atomic():
        World()
    cycle_at(moment(3, 26, 9))  # notifications, periods and their history
    assert Notification.objects.exists()
    default_storage.save("attachments/2026/03/进展报告.pdf", ContentFile(b"%PDF-1.7 test"))
    default_storage.save("evidence/照片.png", ContentFile(bytes(range(256)) * 40))
    before, files = _snapshot(), _media()
    assert len(files) == 2 and sum(len(rows) for rows in before.values()) > 100

    call_command("backup", "--dir", str(tmp_path / "backups"), "--keep", "3")
    archives = list((tmp_path / "backups").glob("duban-*.tar.gz"))
    assert len(archives) == 1
    with tarfile.open(archives[0]) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and "media/evidence/照片.png" in names

    _drop_everything()
    for name in files:
        default_storage.delete(name)
    assert _media() == {}

    call_command("restore", str(archives[0]), "--yes")
    assert _snapshot() == before
    assert _media() == files
    User.objects.create(username="after-restore")  # sequences continue after the restored ids


def test_retention_keeps_the_newest_archives(tmp_path):
    for stamp in ("20260101-010000", "20260102-010000", "20260103-010000"):
        (tmp_path / f"duban-{stamp}.tar.gz").write_bytes(b"old")
    removed = backups_prune(tmp_path, keep=2)
    assert [path.name for path in removed] == ["duban-20260101-010000.tar.gz"]
    assert sorted(p.name for p in Path(tmp_path).iterdir()) == [
        "duban-20260102-010000.tar.gz", "duban-20260103-010000.tar.gz"]


def test_a_backup_of_another_engine_is_refused(tmp_path, media_root):
    call_command("backup", "--dir", str(tmp_path))
    archive = next(tmp_path.glob("duban-*.tar.gz"))
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    rewritten = tmp_path / "other.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(rewritten, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                data = data.replace(f'"{connection.vendor}"'.encode(), f'"{other}"'.encode())
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    with pytest.raises(Exception, match="备份来自"):
        call_command("restore", str(rewritten), "--yes")
