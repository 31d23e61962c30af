"""Hostile files are refused fast, in bounded memory, with a Chinese 4xx; nothing is saved."""

import io
import time
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tasks_app.models import ImportDraft, Plan, ProgressReport
from tasks_app.services.reports import validate_attachment

from ..documents.test_report_sheet import FILLED, download, fill, send
from ..portal.conftest import as_user, travel, world  # noqa: F401
from .conftest import client_for

pytestmark = pytest.mark.django_db


def zip_bomb(inflated_mb: int = 300) -> bytes:
    """A real .xlsx-shaped zip bomb: a sheet of ``inflated_mb`` MB of rows, a few hundred kB
    on disk, written in chunks so the test itself stays small."""
    buffer = io.BytesIO()
    row = b'<row r="1"><c r="A1" t="inlineStr"><is><t>' + b"A" * 1000 + b"</t></is></c></row>"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(b"<worksheet><sheetData>")
            chunk = row * 1024
            for _ in range(inflated_mb * 1024 * 1024 // len(chunk)):
                member.write(chunk)
            member.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def _refused(response, text: str) -> str:
    assert response.status_code in (400, 413, 422), response.status_code
    html = response.content.decode()
    assert text in html, html[:3000]
    return html


def test_a_zip_bomb_sheet_is_refused_fast_in_bounded_memory(as_user, world):  # noqa: F811
    bomb = zip_bomb()
    assert len(bomb) < 2 * 1024 * 1024
    client = as_user(world.liaison)
    tracemalloc.start()
    started = time.monotonic()
    try:
        response = send(client, world, bomb)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 5
    assert peak < 200 * 1024 * 1024 and peak < 10 * len(bomb) + 50 * 1024 * 1024
    _refused(response, "可能是压缩炸弹")
    assert not ProgressReport.objects.exists()


def _replace_member(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, content if item.filename == name else source.read(item))
    return buffer.getvalue()


MALFORMED = [
    ("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row r='4'><c r='A4'"),
    ("xl/worksheets/sheet1.xml", b"\x00\x01 not xml at all"),
    ("xl/workbook.xml", b"<workbook><sheets><sheet name='x' sheetId='1'"),
    ("xl/_rels/workbook.xml.rels", b"<Relationships><Relationship Id="),
    ("xl/styles.xml", b"<styleSheet><numFmts count='1'><numFmt numFmtId='x'/></styleSheet>"),
    ("[Content_Types].xml", b"<Types><Override PartName="),
]


@pytest.mark.parametrize("member, content", MALFORMED)
def test_malformed_xml_inside_a_sheet_answers_a_clear_4xx(as_user, world, member, content):  # noqa: F811
    client = as_user(world.liaison)
    book = fill(download(client, world), **FILLED)
    buffer = io.BytesIO()
    book.save(buffer)
    broken = _replace_member(buffer.getvalue(), member, content)
    _refused(send(client, world, broken), "无法读取该 Excel 文件")
    assert not ProgressReport.objects.exists()


def test_a_zip_bomb_attachment_is_refused():
    with pytest.raises(ValidationError, match="可能是压缩炸弹"):
        validate_attachment(SimpleUploadedFile("材料.docx", zip_bomb(60)))
    upload = SimpleUploadedFile("材料.xlsx", zip_bomb(1))  # small and honest: accepted
    validate_attachment(upload)
    assert upload.read(4) == b"PK\x03\x04"  # rewound for storage


@pytest.fixture
def lead(demo):
    return client_for("leadoffice")


def _import(client, name: str, data: bytes):
    return client.post(reverse("admin:tasks_app_plan_import"),
                       {"document": SimpleUploadedFile(name, data), "format": "auto"})


def test_a_broken_docx_import_is_refused_in_chinese(lead):
    plans = Plan.objects.count()
    _refused_admin(_import(lead, "方案.docx", b"PK\x03\x04 not really a zip"), "无法读取 Word 文件")
    fake = io.BytesIO()
    with zipfile.ZipFile(fake, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document><w:body><w:p>未闭合")
    _refused_admin(_import(lead, "方案.docx", fake.getvalue()), "无法读取 Word 文件")
    _refused_admin(_import(lead, "方案.docx", zip_bomb(60)), "可能是压缩炸弹")
    assert Plan.objects.count() == plans and not ImportDraft.objects.exists()


def test_a_nul_byte_in_a_plan_text_is_refused(lead):
    _refused_admin(_import(lead, "方案.txt", "一、总体要求\n第二行\x00\n".encode()), "空字符")
    assert not ImportDraft.objects.exists()


def _refused_admin(response, text: str) -> None:
    assert response.status_code == 200  # the upload page again, with the error
    assert text in response.content.decode()


def test_a_nul_in_the_calendar_address_is_a_404(client, db):
    assert client.get("/notifications/calendar/%00.ics").status_code == 404
    assert client.get("/notifications/calendar/a%00b.ics").status_code == 404


def test_an_oversized_api_body_answers_json(world):  # noqa: F811
    token = Token.objects.create(user=world.liaison)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    body = b'{"progress_text": "' + b"x" * (6 * 1024 * 1024) + b'"}'
    response = api.post("/api/v1/reports/", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert "过大" in response.json()["error"]["message"]
    assert not ProgressReport.objects.exists()
