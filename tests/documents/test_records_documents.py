"""The quarterly bulletin and the annual assessment as PDF and .xlsx."""

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from departments.choices import Role
from tasks_app.documents.assessment import assessment_pdf
from tasks_app.documents.bulletin import bulletin_pdf
from tasks_app.models import Bulletin

from ..factories import MembershipFactory

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


def pdf_text(content: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def keep(name: str, content: bytes) -> None:
    """Keep the file for a person to look at (test-artifacts/, not committed)."""
    if os.environ.get("DUBAN_KEEP_DOCUMENTS"):
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / name).write_bytes(content)


def embedded_fonts(reader: PdfReader) -> set[str]:
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts") or [font]
            for item in descendants:
                descriptor = item.get_object().get("/FontDescriptor")
                if descriptor and any(k in descriptor for k in
                                      ("/FontFile", "/FontFile2", "/FontFile3")):
                    fonts.add(str(font["/BaseFont"]))
    return fonts


def test_the_bulletin_pdf_is_an_official_document_with_chinese_fonts(records):
    content = bulletin_pdf(records.bulletin)
    keep("bulletin.pdf", content)
    text, reader = pdf_text(content)
    assert content.startswith(b"%PDF")
    for expected in ("督办通报", "2026年第1期", "2026年第1季度督办工作通报", "2026年4月10日",
                     "一、总体情况", "二、各部门任务推进和按时报送情况", "三、未按时报送的部门",
                     "四、进度滞后的任务", "五、目标指标监测情况", "哈经开委发〔2023〕1号",
                     "项目用地指标尚未落实"):
        assert expected in text.replace(" ", ""), expected
    lagging = records.bulletin.content["lagging"][0]
    assert lagging["title"][:10] in text.replace("\n", "").replace(" ", "")
    named = records.bulletin.content["named_departments"]
    assert named and named[0]["name"] in text
    fonts = {font.replace("-", "") for font in embedded_fonts(reader)}
    assert any("NotoSerifCJKSC" in font for font in fonts), fonts


def test_the_assessment_pdf_lists_the_ranking_and_the_rules(records):
    content = assessment_pdf(records.assessment)
    keep("assessment.pdf", content)
    text, _reader = pdf_text(content)
    flat = text.replace(" ", "").replace("\n", "")
    assert "关于2026年度督办工作考核结果的通报" in flat
    assert "2027年1月20日" in flat and "一、评分规则" in flat and "报送及时性" in flat
    first = records.assessment.scores.order_by("rank").select_related("department").first()
    assert first.department.name in flat and str(first.total) in flat


def test_the_bulletin_workbook_has_its_sections(records, open_xlsx, client):
    client.force_login(records.office)
    book = open_xlsx(client.get(reverse("records:bulletin_xlsx", args=[records.bulletin.pk])))
    assert book.sheetnames == ["总体情况", "各部门", "进度滞后任务", "目标指标",
                               "未按时报送部门", "逾期后补报部门", "已中止任务"]
    drivers = list(book["总体情况"].iter_rows(min_row=4, values_only=True))
    content = records.bulletin.content
    assert drivers[-1][:2] == ("合计", content["totals"]["tasks"])
    lagging = [row[0] for row in book["进度滞后任务"].iter_rows(min_row=4, values_only=True)]
    assert lagging == [task["number"] for task in content["lagging"]]


def test_the_assessment_workbook_has_the_ranking_and_components(records, open_xlsx, client):
    client.force_login(records.office)
    book = open_xlsx(client.get(reverse("records:assessment_xlsx",
                                        args=[records.assessment.pk])))
    ranking = list(book["考核结果"].iter_rows(min_row=4, values_only=True))
    scores = list(records.assessment.scores.order_by("rank", "-total", "department__name")
                  .select_related("department"))
    assert [(r[0], r[1]) for r in ranking] == [(s.rank, s.department.name) for s in scores]
    components = list(book["得分构成"].iter_rows(min_row=4, values_only=True))
    assert len(components) == sum(len(s.components) for s in scores)


def test_downloads_follow_the_pages_visibility(records, client):
    draft = Bulletin.objects.create(plan=records.plan, year=2026, quarter=2)
    liaison = MembershipFactory(role=Role.LIAISON).user
    client.force_login(liaison)
    published = client.get(reverse("records:bulletin_pdf", args=[records.bulletin.pk]))
    assert published.status_code == 200 and published["Content-Type"] == "application/pdf"
    for name in ("bulletin_pdf", "bulletin_xlsx"):
        assert client.get(reverse(f"records:{name}", args=[draft.pk])).status_code == 404
    page = client.get(reverse("records:bulletin", args=[records.bulletin.pk])).content.decode()
    assert reverse("records:bulletin_pdf", args=[records.bulletin.pk]) in page
    client.logout()
    url = reverse("records:assessment_pdf", args=[records.assessment.pk])
    assert client.get(url).status_code == 302  # to the login page
