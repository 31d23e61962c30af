"""督办单: drafts, signing (numbering per year without gaps), voiding, the PDF in official
layout, receipt and answer."""

import datetime
import io
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from pypdf import PdfReader

from notifications.choices import Kind
from tasks_app.choices import EventKind, SlipLevel
from tasks_app.models import SlipSequence, SupervisionSlip, TaskEvent
from tasks_app.services.lifecycle.slip_pdf import slip_pdf
from tasks_app.services.lifecycle.slips import (
    slip_answer,
    slip_issue,
    slip_receive,
    slip_sign,
    slip_void,
)

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


def issue(world, department=None, **kwargs):
    return slip_issue(task=world.task, department=department or world.department,
                      reason=kwargs.pop("reason", "推进缓慢,连续两月无实质进展。"),
                      respond_by=kwargs.pop("respond_by", datetime.date(2026, 3, 27)),
                      actor=world.lead_office, sign=kwargs.pop("sign", True), **kwargs)


def pdf_text(slip) -> str:
    reader = PdfReader(io.BytesIO(slip_pdf(slip)))
    return "".join(page.extract_text() for page in reader.pages)


def test_slips_are_numbered_per_prefix_and_year(world, travel):
    first, second = issue(world), issue(world, world.lead_department)
    assert [first.number, second.number] == ["测督〔2026〕1号", "测督〔2026〕2号"]
    travel.move_to(datetime.datetime(2027, 1, 4, 10, tzinfo=datetime.UTC))
    third = issue(world, respond_by=datetime.date(2027, 1, 8))
    assert third.number == "测督〔2027〕1号"
    assert dict(SlipSequence.objects.values_list("year", "last")) == {2026: 2, 2027: 1}


def test_a_refused_slip_uses_no_number(world):
    with pytest.raises(ValidationError):
        issue(world, reason="")
    with pytest.raises(ValidationError, match="不承担任务 7"):
        issue(world, world.third)
    assert issue(world).sequence == 1


def test_the_department_is_told_at_once_with_the_number_and_deadline(world, delivered):
    slip, sent = delivered(lambda: issue(world))
    assert {m.to[0].split("@")[0] for m in sent} == {"resp.liaison", "resp.head"}
    assert sent[0].extra_headers["X-Duban-Kind"] == Kind.SLIP
    assert "测督〔2026〕1号" in sent[0].subject and "2026年3月27日" in sent[0].body
    assert f"/slips/{slip.pk}/pdf/" in sent[0].body


def test_the_pdf_names_the_item_the_department_and_the_deadlines(world):
    slip = issue(world)
    text = pdf_text(slip)
    for expected in ("测试区管理委员会督办单", "测督〔2026〕1号", "区责任局:", "7. 推动产业集聚",
                     "完成时限：2026年12月31日", "反馈时限：2026年3月27日前", "2026年3月20日"):
        assert expected in text, expected


def test_a_slip_renders_on_one_a4_page_with_the_cjk_font_embedded(world):
    slip = issue(world, reason="推进缓慢," * 16)
    data = slip_pdf(slip)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (
        210, 297)
    fonts = {str(font["/BaseFont"]): _embedded(font) for font in _fonts(reader.pages[0])}
    assert any("Noto-Serif-CJK-SC" in name and "+" in name for name in fonts), fonts
    assert all(fonts.values()), fonts  # every font's file is in the PDF (a subset)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "slip.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(ARTIFACTS / "slip.pdf"),
                    str(ARTIFACTS / "slip")], check=True)
    assert (ARTIFACTS / "slip.png").stat().st_size > 10_000


def _embedded(font) -> bool:
    descendants = font.get("/DescendantFonts")
    described = descendants[0].get_object() if descendants else font
    descriptor = described["/FontDescriptor"].get_object()
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def _fonts(page):
    resources = page["/Resources"]
    for font in resources["/Font"].values():
        yield font.get_object()


def test_the_department_receives_then_answers(world):
    slip = issue(world)
    with pytest.raises(ValidationError, match="当前为“已签发”，不能反馈督办单"):
        slip_answer(slip=slip, actor=world.liaison, answer="已报送")
    slip_receive(slip=slip, actor=world.head)
    with pytest.raises(ValidationError, match="请填写反馈内容"):
        slip_answer(slip=slip, actor=world.liaison, answer=" ")
    slip = slip_answer(slip=slip, actor=world.liaison, answer="已补报3月进展并说明原因。")
    assert slip.state == SupervisionSlip.State.ANSWERED and slip.received_by == world.head
    steps = list(TaskEvent.objects.filter(task=world.task, kind=EventKind.SLIP).order_by("id"))
    assert [(e.before, e.after, e.number) for e in steps] == [
        ("", "draft", ""), ("draft", "issued", "测督〔2026〕1号"),
        ("issued", "received", "测督〔2026〕1号"), ("received", "answered", "测督〔2026〕1号")]
    assert [e.after_shown for e in steps] == ["待签发"] + [
        f"测督〔2026〕1号（{state}）" for state in ("已签发", "已签收", "已反馈")]
    assert slip.level == SlipLevel.MANUAL


def test_a_draft_is_unnumbered_unsent_and_numbered_in_the_order_of_signing(world, delivered):
    (first, second), sent = delivered(lambda: (issue(world, sign=False),
                                               issue(world, world.lead_department, sign=False)))
    assert sent == [] and first.sequence is None and first.state == SupervisionSlip.State.DRAFT
    assert first.number == "督办单草稿（未编号）"
    signed, sent = delivered(lambda: slip_sign(slip=second, actor=world.lead_office))
    assert (signed.number, signed.issued_by) == ("测督〔2026〕1号", world.lead_office)
    assert {m.to[0].split("@")[0] for m in sent} == {"lead.liaison", "lead.head"}
    voided = slip_void(slip=first, actor=world.lead_office, reason="已电话督促,不再发文")
    assert voided.sequence is None  # a voided draft takes no number
    assert issue(world).number == "测督〔2026〕2号"
    with pytest.raises(ValidationError, match="当前为“已签发”，不能签发督办单"):
        slip_sign(slip=signed, actor=world.lead_office)


def test_voiding_needs_a_reason_keeps_the_number_and_is_audited(world):
    slip = issue(world)
    with pytest.raises(ValidationError, match="请填写作废原因"):
        slip_void(slip=slip, actor=world.lead_office, reason=" ")
    with pytest.raises(PermissionDenied):
        slip_void(slip=slip, actor=world.head, reason="误发")
    slip = slip_void(slip=slip, actor=world.lead_office, reason="误发,已按时报送")
    slip.refresh_from_db()
    assert (slip.state, slip.number, slip.voided_by, slip.void_reason) == (
        SupervisionSlip.State.VOIDED, "测督〔2026〕1号", world.lead_office, "误发,已按时报送")
    last = TaskEvent.objects.filter(task=world.task, kind=EventKind.SLIP).latest("id")
    assert (last.before, last.after, last.number, last.reason, last.actor) == (
        "issued", "voided", "测督〔2026〕1号", "误发,已按时报送", world.lead_office)
    assert (last.before_shown, last.after_shown) == ("已签发", "测督〔2026〕1号（已作废）")
    with pytest.raises(ValidationError):
        slip_receive(slip=slip, actor=world.head)
    assert "已作废" in pdf_text(slip)
