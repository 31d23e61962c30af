"""A 督办单 as a PDF in official-document layout, through the one PDF path of the project
(tasks_app.documents.pdf: GB/T 9704 stylesheet, WeasyPrint, Noto CJK fonts embedded): the
issuing body's red mark with the slip's number, the red line, the title, the addressee, the
body (the item, its due date, the reason, the required response and its deadline), the
issuing body and the date, and the imprint. Rendered from the slip's own snapshot of the
item and the addressee, so a later change of the task does not change an issued slip."""

from django.utils import timezone
from django.utils.translation import gettext as _

from ...documents.pdf import Letterhead, issuer_of, render_pdf
from ...formatting import cn_date
from ...models import SupervisionSlip


def slip_letterhead(slip: SupervisionSlip) -> Letterhead:
    issuer = issuer_of(slip.task.plan)
    return Letterhead(issuer=issuer, mark=_("%(issuer)s督办单") % {"issuer": issuer},
                      number=slip.number, title=_("督办单"),
                      date=timezone.localtime(slip.issued_at).date())


def slip_pdf(slip: SupervisionSlip) -> bytes:
    return render_pdf("documents/slip.html", {
        "slip": slip, "letterhead": slip_letterhead(slip),
        "respond_by": cn_date(slip.respond_by),
        "item_due_on": cn_date(slip.item_due_on) if slip.item_due_on else "",
    })
