"""Backups that restore: the database (pg_dump for PostgreSQL, SQLite's online backup API)
and every media file, into one dated archive ``duban-YYYYmmdd-HHMMSS.tar.gz``; the oldest
archives beyond ``keep`` are removed. Media go through Django's storage, so the same code
backs up local disk and S3-compatible object storage."""

import datetime
import io
import json
import os
import posixpath
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

PREFIX = "duban-"
SUFFIX = ".tar.gz"


class BackupError(Exception):
    """A dump or restore step failed; the message says which and why."""


def _pg_environment() -> tuple[list[str], dict]:
    db = connection.settings_dict
    arguments = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432),
                 "-U", db["USER"] or "postgres", "-d", db["NAME"]]
    environment = {**os.environ}
    if db["PASSWORD"]:
        environment["PGPASSWORD"] = db["PASSWORD"]
    return arguments, environment


def _run(command: list[str], environment: dict) -> None:
    done = subprocess.run(command, env=environment, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name}: {done.stderr.strip()[-2000:]}")


def _dump_database(target: Path) -> str:
    """Write the database to ``target``; returns the archive member's name."""
    if connection.vendor == "postgresql":
        arguments, environment = _pg_environment()
        _run(["pg_dump", "-Fc", "--no-owner", "--no-privileges", "-f", str(target),
              *arguments], environment)
        return "database.pgdump"
    if connection.vendor == "sqlite":
        # A connection of its own: a consistent copy of what is committed, while others write
        # (Django's connection may be inside a transaction, which the backup API refuses).
        source, destination = sqlite3.connect(connection.settings_dict["NAME"]), \
            sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            source.close()
            destination.close()
        return "database.sqlite3"
    raise BackupError(f"不支持的数据库：{connection.vendor}")


def _media_names(prefix: str = "") -> list[str]:
    try:
        directories, files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return []
    names = [posixpath.join(prefix, name) for name in files]
    for directory in directories:
        names += _media_names(posixpath.join(prefix, directory))
    return sorted(names)


def backup_create(directory: Path, keep: int) -> Path:
    """One archive with the database and every media file; keeps the ``keep`` newest."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    archive = directory / f"{PREFIX}{stamp}{SUFFIX}"
    partial = archive.with_name(archive.name + ".partial")
    media = _media_names()
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / "database"
        member = _dump_database(dump)
        manifest = {"created_at": timezone.now().isoformat(), "engine": connection.vendor,
                    "database": member, "media": media}
        with tarfile.open(partial, "w:gz") as tar:
            _add_bytes(tar, "manifest.json", json.dumps(manifest, ensure_ascii=False,
                                                        indent=1).encode())
            tar.add(dump, arcname=member)
            for name in media:
                with default_storage.open(name, "rb") as handle:
                    _add_bytes(tar, f"media/{name}", handle.read())
    partial.rename(archive)  # only complete archives carry the final name
    backups_prune(directory, keep)
    return archive


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(datetime.datetime.now().timestamp()), 0o600
    tar.addfile(info, io.BytesIO(data))


def backups_prune(directory: Path, keep: int) -> list[Path]:
    """Remove all but the ``keep`` newest archives (names sort by date)."""
    archives = sorted(directory.glob(f"{PREFIX}*{SUFFIX}"))
    doomed = archives[:-keep] if keep > 0 else []
    for path in doomed:
        path.unlink()
    return doomed


def backup_restore(archive: Path) -> dict:
    """Replace the database with the archive's and write back every media file."""
    with tarfile.open(archive, "r:gz") as tar, tempfile.TemporaryDirectory() as scratch:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        if manifest["engine"] != connection.vendor:
            raise BackupError(f"备份来自 {manifest['engine']}，当前数据库是 {connection.vendor}")
        dump = Path(scratch) / "database"
        dump.write_bytes(tar.extractfile(manifest["database"]).read())
        _restore_database(dump)
        for name in manifest["media"]:
            data = tar.extractfile(f"media/{name}").read()
            if default_storage.exists(name):
                default_storage.delete(name)
            saved = default_storage.save(name, ContentFile(data))
            if saved != name:
                raise BackupError(f"媒体文件 {name} 被保存为 {saved}")
    return manifest


def _restore_database(dump: Path) -> None:
    if connection.vendor == "postgresql":
        connection.close()
        arguments, environment = _pg_environment()
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", "--exit-on-error", *arguments, str(dump)], environment)
        return
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
