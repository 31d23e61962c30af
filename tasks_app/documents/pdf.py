"""PDF documents in the layout of an official document (GB/T 9704《党政机关公文格式》):
an HTML template rendered with WeasyPrint, the Noto CJK fonts embedded, one stylesheet.

Shared by every PDF Duban prints (bulletin, assessment, 督办单): a template extends
``documents/official.html`` and fills its blocks; :func:`render_pdf` does the rest.
Needs Debian's libpango-1.0-0, libpangoft2-1.0-0 and fonts-noto-cjk (scripts/setup.sh).
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy

from common.formatting import cn_date

from .xlsx import download

STYLESHEET = Path(__file__).with_name("official.css")
PDF_TYPE = "application/pdf"
DEFAULT_ISSUER = gettext_lazy("督办工作办公室")


@dataclass(frozen=True)
class Letterhead:
    """The 版头 and 落款 of a document: who issues it, its number, its title and date."""

    issuer: str  # 发文机关
    mark: str  # 发文机关标志, the red header (e.g. 哈尔滨经济技术开发区督办通报)
    number: str  # 发文字号 / 期号 (e.g. 2026年第1期)
    title: str
    date: datetime.date | None

    @property
    def date_text(self) -> str:
        return cn_date(self.date)

    @property
    def mark_size(self) -> float:
        """The red header fits one line of the 156 mm 版心 (at most 30 pt)."""
        return round(max(16.0, min(30.0, 420 / max(len(self.mark), 1))), 1)


def issuer_of(plan) -> str:
    """The lead office of the plan, else its issuing body."""
    lead = getattr(plan, "lead_office", None)
    return (lead.name if lead else "") or plan.issuer or DEFAULT_ISSUER


def render_pdf(template: str, context: dict) -> bytes:
    """Render ``template`` (extending documents/official.html) to PDF bytes."""
    from weasyprint import CSS, HTML  # imported late: it loads Pango when first used
    from weasyprint.text.fonts import FontConfiguration

    html = render_to_string(template, context)
    fonts = FontConfiguration()
    stylesheet = CSS(filename=str(STYLESHEET), font_config=fonts)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[stylesheet], font_config=fonts)


def pdf_download(content: bytes, filename: str):
    return download(content, filename, PDF_TYPE)
