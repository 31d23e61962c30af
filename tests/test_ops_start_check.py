"""ops/start_check.py: run.sh skips prepare_run only when nothing it depends on changed —
files, environment, and what prepare_run left in the database (read without Django)."""

import os

import pytest
from django.contrib.auth.models import User
from django.db import connection

from ops import start_check
from ops.management.commands.prepare_run import stamp_write

from .e2e_services import database_url
from .factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def stamp(tmp_path, monkeypatch):
    monkeypatch.setattr(start_check, "STAMP", tmp_path / "prepared.json")
    monkeypatch.setattr(start_check, "static_built", lambda: True)
    monkeypatch.setenv("DATABASE_URL", database_url())
    monkeypatch.delenv("DUBAN_DEMO_PASSWORD", raising=False)
    monkeypatch.delenv("DUBAN_DEMO_PASSWORD_RENEW", raising=False)
    UserFactory(username="leadoffice")
    import ops.management.commands.prepare_run as prepare
    monkeypatch.setattr(prepare, "STAMP", start_check.STAMP)
    stamp_write(["演示账号密码：pw"])
    return start_check.STAMP


def test_nothing_changed_prints_the_last_output(stamp, capsys):
    assert start_check.main() == 0
    assert capsys.readouterr().out == "演示账号密码：pw\n"


def test_a_changed_password_in_the_database_is_noticed(stamp):
    User.objects.filter(username="leadoffice").update(password="md5$x$y")
    assert start_check.unchanged() is None


def test_a_migration_not_applied_any_more_is_noticed(stamp):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'audit'")
    assert start_check.unchanged() is None


def test_the_environment_and_renew_are_noticed(stamp, monkeypatch):
    assert start_check.unchanged() is not None
    storage = os.environ.get("DUBAN_STATICFILES_STORAGE", "")
    monkeypatch.setenv("DUBAN_STATICFILES_STORAGE", "other.Storage")
    assert start_check.unchanged() is None
    monkeypatch.setenv("DUBAN_STATICFILES_STORAGE", storage)
    assert start_check.unchanged() is not None
    monkeypatch.setenv("DUBAN_DEMO_PASSWORD_RENEW", "1")
    assert start_check.unchanged() is None


def test_no_stamp_or_no_database_means_prepare(tmp_path, monkeypatch):
    monkeypatch.setattr(start_check, "STAMP", tmp_path / "missing.json")
    assert start_check.main() == 1
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'absent.sqlite3'}")
    assert start_check._connect() is None
    assert not (tmp_path / "absent.sqlite3").exists()  # not created by the check
