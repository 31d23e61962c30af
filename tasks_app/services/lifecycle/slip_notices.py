"""What a signed 督办单's message says, and to whom: the addressed department's liaisons and
heads (and its robot). A slip the lead office signs is told at once, alone; the slips the
cycle signs automatically in one run are told in one message per person. Drafts are never
told to the department."""

from collections import defaultdict
from collections.abc import Callable

from common.formatting import cn_date
from common.i18n import site_language
from notifications.choices import Kind
from notifications.drafts import Draft, Recipient, drafts_render
from notifications.immediate import department_recipients, notify_now
from notifications.links import page_url

from ...models import SlipItem, SupervisionSlip, Task


def slip_items(slips: list[SupervisionSlip]) -> dict[int, list[str]]:
    """The item titles each slip lists, in order (one query)."""
    titles: dict[int, list[str]] = defaultdict(list)
    for slip_id, title in SlipItem.objects.filter(slip__in=slips).order_by(
            "slip_id", "position").values_list("slip_id", "title"):
        titles[slip_id].append(title)
    return titles


def slip_row(slip: SupervisionSlip, items: list[str]) -> dict:
    return {"number": slip.number, "item": slip.item_title, "items": items or [slip.item_title],
            "reason": slip.reason,
            "required_response": slip.required_response, "level": slip.get_level_display(),
            "item_due_on": cn_date(slip.item_due_on), "respond_by": cn_date(slip.respond_by),
            "url": page_url("portal:slip", slip.pk),
            "pdf_url": page_url("portal:slip_pdf", slip.pk)}


def _context(slips: list[SupervisionSlip], tasks: dict[int, Task]) -> dict:
    items = slip_items(slips)
    rows = [slip_row(slip, items[slip.pk]) for slip in slips]
    return {"slips": rows, "first": rows[0], "count": len(rows),
            "addressee": slips[0].addressee, "plan": tasks[slips[0].task_id].plan.code}


def slip_notify(slip: SupervisionSlip, task: Task) -> list[int]:
    """The one slip the lead office has just issued, to its department, after commit."""
    with site_language():
        context = _context([slip], {task.pk: task})
    return notify_now(kind=Kind.SLIP, key=f"slip:{slip.prefix}-{slip.year}-{slip.sequence}",
                      recipients=department_recipients([slip.department_id]),
                      context=context, url=page_url("portal:slip", slip.pk))


def slips_drafts(slips: list[SupervisionSlip], tasks: dict[int, Task],
                 recipients: Callable[[int], list[Recipient]]) -> list[Draft]:
    """One message per department recipient listing the department's new slips."""
    by_department: dict[int, list[SupervisionSlip]] = defaultdict(list)
    for slip in slips:
        by_department[slip.department_id].append(slip)
    drafts = []
    for department_id, own in by_department.items():
        context = _context(own, tasks)
        first, last = own[0], own[-1]
        key = f"slip:{first.prefix}-{first.year}-{first.sequence}-{last.sequence}"
        url = page_url("portal:slip", first.pk) if len(own) == 1 else page_url("portal:slips")
        drafts += drafts_render(kind=Kind.SLIP, key=key, recipients=recipients(department_id),
                                context=context, url=url)
    return drafts
