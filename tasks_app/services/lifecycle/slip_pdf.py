"""A 督办单 as a PDF in official-document layout, through the one PDF path of the project
(tasks_app.documents.pdf: GB/T 9704 stylesheet, WeasyPrint, Noto CJK fonts embedded): the
issuing body's red mark with the slip's number, the red line, the title, the addressee, the
body (the items, their due dates, the reason, the required response and its deadline), the
issuing body and the date of signing, the signer (签发人), and the imprint. Rendered from
the slip's own snapshot of the items and the addressee, so a later change of the task does
not change an issued slip."""

from django.utils import timezone
from django.utils.translation import gettext as _

from common.formatting import cn_date

from ...documents.pdf import Letterhead, issuer_of, render_pdf
from ...models import SupervisionSlip


def _mark(state: str) -> str:
    """A draft is marked as such; a voided slip keeps its number and is marked 作废."""
    return {SupervisionSlip.State.DRAFT: _("草稿（未签发）"),
            SupervisionSlip.State.VOIDED: _("已作废")}.get(SupervisionSlip.State(state), "")


def slip_letterhead(slip: SupervisionSlip) -> Letterhead:
    issuer = issuer_of(slip.task.plan)
    return Letterhead(issuer=issuer, mark=_("%(issuer)s督办单") % {"issuer": issuer},
                      number=slip.number, title=_("督办单"),
                      date=timezone.localtime(slip.issued_at).date() if slip.issued_at else None)


def slip_pdf(slip: SupervisionSlip) -> bytes:
    return render_pdf("documents/slip.html", {
        "slip": slip, "letterhead": slip_letterhead(slip),
        "respond_by": cn_date(slip.respond_by),
        "item_due_on": cn_date(slip.item_due_on) if slip.item_due_on else "",
        "items": list(slip.items.all()),
        "draft": _mark(slip.state),
        "signer": (slip.issued_by.get_full_name() or slip.issued_by.username)
        if slip.issued_by else "",
    })
