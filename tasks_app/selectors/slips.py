"""督办单 as the records count them: the slips of a plan signed in a quarter and not voided,
for the bulletin (listed and counted per department). Drafts and voided slips never count."""

import datetime
from collections import Counter

from common.formatting import cn_date

from ..choices import SlipLevel
from ..models import Plan, SupervisionSlip
from ..models.lifecycle import slip_number
from ..workdays import add_months


def quarter_slips(plan: Plan, months: list[datetime.date], today: datetime.date) -> dict:
    """The quarter's slips (issued within ``months``) as plain JSON. One query."""
    first = months[0]
    after = add_months(months[-1], 1)
    slips = list(SupervisionSlip.objects.filter(
        task__plan=plan, state__in=SupervisionSlip.COUNTED,
        issued_at__date__gte=first, issued_at__date__lt=after)
        .order_by("year", "sequence")
        .values("prefix", "year", "sequence", "addressee", "item_title", "level", "state",
                "respond_by"))
    levels = dict(SlipLevel.choices)
    states = dict(SupervisionSlip.State.choices)
    rows = [{
        "number": slip_number(s["prefix"], s["year"] or 0, s["sequence"] or 0),
        "department": s["addressee"],
        "item": s["item_title"], "level": str(levels.get(s["level"], s["level"])),
        "state": str(states[s["state"]]), "respond_by": cn_date(s["respond_by"]),
        "overdue": s["state"] != SupervisionSlip.State.ANSWERED and s["respond_by"] < today,
    } for s in slips]
    per_department = Counter(row["department"] for row in rows)
    answered = Counter(row["department"] for row, s in zip(rows, slips, strict=True)
                       if s["state"] == SupervisionSlip.State.ANSWERED)
    return {
        "total": len(rows), "rows": rows,
        "departments": [{"name": name, "slips": n, "answered": answered[name]}
                        for name, n in sorted(per_department.items(), key=lambda i: (-i[1], i[0]))],
    }
