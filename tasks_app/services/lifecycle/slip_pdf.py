"""A 督办单 as a PDF in the layout of official documents (GB/T 9704-2012): A4 with the
standard margins, the issuing body's name in red as the masthead, the document number
under it, the red separator line, the title, the addressee, the body (the item, its due
date, the reason, the required response and its deadline), the issuing body and the date,
and the imprint at the foot. The Noto CJK fonts are embedded (subset) by WeasyPrint."""

from django.template.loader import render_to_string
from django.utils import timezone

from ...formatting import cn_date
from ...models import SupervisionSlip

MASTHEAD_WIDTH_MM = 156  # the type area (版心) is 156 mm wide
MASTHEAD_MAX_MM = 12


def issuing_body(slip: SupervisionSlip) -> str:
    plan = slip.task.plan
    if plan.issuer:
        return plan.issuer
    return plan.lead_office.name if plan.lead_office_id else "督办办公室"


def slip_html(slip: SupervisionSlip) -> str:
    body = issuing_body(slip)
    masthead = f"{body}督办单"
    size = min(MASTHEAD_MAX_MM, MASTHEAD_WIDTH_MM / max(len(masthead), 1) * 0.96)
    issued_on = timezone.localtime(slip.issued_at).date()
    return render_to_string("slips/slip_pdf.html", {
        "slip": slip, "issuer": body, "masthead": masthead, "masthead_mm": f"{size:.2f}",
        "issued_on": cn_date(issued_on), "respond_by": cn_date(slip.respond_by),
        "item_due_on": cn_date(slip.item_due_on) if slip.item_due_on else "",
    })


def slip_pdf(slip: SupervisionSlip) -> bytes:
    """The slip's PDF (rendered from the slip's own snapshot of the item and addressee)."""
    from weasyprint import HTML  # heavy import, only when a PDF is asked for

    return HTML(string=slip_html(slip)).write_pdf()
