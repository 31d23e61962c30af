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
def _fresh_calendar():
    """Each test reads the working-day calendar of its own database (tasks_app.workdays)."""
    from tasks_app import workdays

    workdays.forget()
    yield
    workdays.forget()
