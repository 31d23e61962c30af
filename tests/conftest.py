from pathlib import Path

import pytest
from django.conf import settings

from tasks_app.importing import parse_document, read_document
from tasks_app.importing.loader import plan_load
from tasks_app.models import Plan

PRIMARY_SEED = Path(settings.BASE_DIR) / "seeds" / "hjkwf-2023-1-implementation-plan.txt"
PRIMARY_CODE = "哈经开委发〔2023〕1号"


@pytest.fixture
def primary_plan(db) -> Plan:
    """哈经开委发〔2023〕1号 imported exactly as the run command does."""
    return plan_load(parse_document(read_document(PRIMARY_SEED))).plan


@pytest.fixture
def primary_text() -> str:
    return read_document(PRIMARY_SEED)


@pytest.fixture(autouse=True)
def _fresh_calendar(request, django_db_blocker):
    """Each test starts with the working-day calendar of the test database already read
    (tasks_app.workdays keeps it per process), so query counts do not depend on which test
    ran before; a test that changes the calendar leaves no copy of it behind."""
    from tasks_app import workdays

    workdays.forget()
    uses_db = request.node.get_closest_marker("django_db") or {
        "db", "transactional_db", "live_server"} & set(request.fixturenames)
    if uses_db:
        request.getfixturevalue("django_db_setup")
        with django_db_blocker.unblock():
            workdays.year_known(2000)
    yield
    workdays.forget()


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request in English (LocaleMiddleware)
    leaves English active in the thread, and a later test calling a service directly would
    get English messages."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the process's own): a snapshot or a throttle
    count cached by one test is not read by the next."""
    from django.core.cache import cache

    cache.clear()
    yield
