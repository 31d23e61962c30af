"""What a 督办单's message says, and to whom: the addressed department's liaisons and heads
(and its robot). Issued by the lead office, it goes out at once; issued by the cycle, the
cycle stores the drafts with the rest of its run."""

from notifications.choices import Kind
from notifications.drafts import Draft, Recipient, draft_render
from notifications.immediate import department_recipients, notify_now
from notifications.links import page_url

from ...formatting import cn_date
from ...models import SupervisionSlip, Task


def slip_context(slip: SupervisionSlip, task: Task) -> dict:
    return {"slip": slip, "task": task, "level": slip.get_level_display(),
            "respond_by": cn_date(slip.respond_by), "item_due_on": cn_date(slip.item_due_on),
            "pdf_url": page_url("portal:slip_pdf", slip.pk),
            "heading": f"督办单 {slip.number}"}


def slip_key(slip: SupervisionSlip) -> str:
    return f"slip:{slip.prefix}-{slip.year}-{slip.sequence}"


def slip_notify(slip: SupervisionSlip, task: Task) -> list[int]:
    return notify_now(kind=Kind.SLIP, key=slip_key(slip),
                      recipients=department_recipients([slip.department_id]),
                      context=slip_context(slip, task), url=page_url("portal:slip", slip.pk))


def slip_drafts(slip: SupervisionSlip, task: Task, recipients: list[Recipient]) -> list[Draft]:
    context, url = slip_context(slip, task), page_url("portal:slip", slip.pk)
    return [draft_render(kind=Kind.SLIP, key=slip_key(slip), recipient=recipient,
                         context=context, url=url) for recipient in recipients]
