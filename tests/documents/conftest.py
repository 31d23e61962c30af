"""The portal's named actors (see tests/portal/conftest.py), reused for the documents."""

import io

import pytest
from openpyxl import load_workbook

from ..portal.conftest import as_user, travel, world  # noqa: F401


def workbook_of(response):
    """The response's .xlsx opened with openpyxl."""
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return load_workbook(io.BytesIO(b"".join(response) if hasattr(response, "streaming_content")
                                    else response.content))


@pytest.fixture
def open_xlsx():
    return workbook_of
