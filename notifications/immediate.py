"""Messages that go out at once, not at the next cycle tick: a leader's instruction, a
督办单, a decision on a department's request. The same rows, templates and senders as the
cycle: the Notification rows are written in the caller's transaction (a unique dedupe key
each) and handed to the workers after commit. Should the hand-over fail, the next tick
hands them out again.
"""

from collections.abc import Iterable

from django.utils import timezone

from common.i18n import site_language
from departments.choices import Role
from departments.models import Membership

from .channels.routing import COPY_CHANNELS
from .dispatch import enqueue
from .drafts import Draft, Recipient, draft_render, drafts_store
from .models import Notification, WebhookEndpoint


def department_recipients(department_ids: Iterable[int], *,
                          roles: Iterable[str] = (Role.LIAISON, Role.HEAD),
                          robots: bool = True) -> list[Recipient]:
    """The people of these departments in ``roles`` and (``robots``) the departments' group
    robots, each once. 2 queries (1 without robots)."""
    roles = list(roles)
    ids = set(department_ids)
    people = (Membership.objects.filter(department_id__in=ids, role__in=roles,
                                        user__is_active=True)
              .exclude(user__email="")
              .values_list("user_id", "user__email", "user__last_name", "user__first_name",
                           "user__username").order_by("user_id").distinct())
    found = [Recipient(user_id=user_id, address=email, name=f"{last}{first}" or username)
             for user_id, email, last, first, username in people]
    if robots:
        hooks = WebhookEndpoint.objects.filter(department_id__in=ids, is_active=True)
        found += [Recipient(webhook_id=hook.pk, address=hook.url, name=hook.name)
                  for hook in hooks.order_by("pk")]
    return list(dict.fromkeys(found))


def notify_now(*, kind: str, key: str, recipients: Iterable[Recipient], context: dict,
               url: str) -> list[int]:
    """Write one message per recipient and send them after commit. Returns their ids
    (a message whose key was already used is not written again nor resent). Messages are
    in the site's language (the recipients'), not the language of whoever acted."""
    with site_language():
        drafts: list[Draft] = [draft_render(kind=kind, key=key, recipient=recipient,
                                            context=context, url=url)
                               for recipient in dict.fromkeys(recipients)]
    if not drafts:
        return []
    now = timezone.now()
    drafts_store(drafts, today=timezone.localdate(now))
    keys = [d.dedupe_key for d in drafts]
    keys += [f"{k}:{channel}" for k in keys for channel in COPY_CHANNELS]  # SMS/IM copies
    fresh = Notification.objects.filter(dedupe_key__in=keys,
                                        next_attempt_at__isnull=True, attempts=0)
    ids = sorted(fresh.values_list("id", flat=True))
    Notification.objects.filter(pk__in=ids).update(next_attempt_at=now)
    enqueue(ids, now)
    return ids
