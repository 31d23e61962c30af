"""Write paths for people: the roster import (one transaction), invitations, activation.

History is kept in :class:`PersonEvent`; nobody is deleted — a person who leaves is
deactivated and loses their roles, and a liaison's or head's open messages move to the
successor named in the same roster.
"""

import datetime
import json

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django.utils.translation import gettext

from audit.models import AuditKind
from audit.services import audit_record

from .access import access_for
from .choices import PersonAction, Role
from .models import DepartmentGroup, Membership, Person, PersonEvent, RosterImport
from .outbox import Invitation, outbox
from .roster import PersonPlan, roster_parse, roster_plan


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset token with its own salt and validity (``DUBAN_INVITATION_DAYS``).

    The token hashes the password and last login, so it stops working once used.
    """

    key_salt = "duban.departments.invitation"

    def check_token(self, user, token) -> bool:
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token):
                break
        else:
            return False
        age = self._num_seconds(self._now()) - ts
        return age <= settings.DUBAN_INVITATION_DAYS * 24 * 3600


invitation_tokens = InvitationTokenGenerator()


def require_lead_office(user: User) -> None:
    if not access_for(user).is_lead_office:
        raise PermissionDenied(gettext("只有牵头办公室可以管理人员名单。"))


def roster_draft_create(*, file_name: str, data: bytes, user: User) -> RosterImport:
    """Parse the upload (file-level problems raise) and keep it for the preview."""
    require_lead_office(user)
    rows = roster_parse(file_name, data)
    return RosterImport.objects.create(file_name=file_name[:255], rows=rows, uploaded_by=user)


def _username(person: PersonPlan, taken) -> str:
    base = (person.email or person.mobile)[:140]
    name, n = base, 1
    while taken(name):
        n += 1
        name = f"{base}-{n}"
    return name


def _event(user: User, action: str, *, actor: User, draft: RosterImport | None = None,
           department_id: int | None = None, role: str = "", detail: str = "",
           other: User | None = None) -> PersonEvent:
    return PersonEvent(user=user, action=action, department_id=department_id, role=role,
                       detail=detail[:500], other=other, actor=actor, roster_import=draft)


def _apply_person(person: PersonPlan, *, events: list) -> User:
    user = person.user
    if user is None:
        user = User(username=_username(
            person, lambda name: User.objects.filter(username__iexact=name).exists()))
        user.set_unusable_password()
        events.append((user, PersonAction.CREATED, {}))
    elif person.changes:
        events.append((user, PersonAction.CHANGED, {"detail": "；".join(person.changes)}))
    if person.reactivate:
        events.append((user, PersonAction.REACTIVATED, {}))
    user.first_name, user.last_name = person.name[:150], ""
    if person.email:
        user.email = person.email
    user.is_active = True
    if any(role == Role.LEAD_OFFICE for _, role in person.roles):
        user.is_staff = True  # the lead office works in the admin
    user.save()
    if any(role == Role.LEAD_OFFICE for _, role in person.added or person.roles):
        office = Group.objects.filter(name=LEAD_OFFICE_GROUP).first()
        if office:
            user.groups.add(office)
    profile, _ = Person.objects.get_or_create(user=user)
    profile.mobile = person.mobile or profile.mobile
    profile.dingtalk_userid = person.dingtalk or profile.dingtalk_userid
    profile.wecom_userid = person.wecom or profile.wecom_userid
    profile.left_at = None
    profile.save()
    added = person.added if person.user else sorted(person.roles, key=str)
    Membership.objects.bulk_create(
        [Membership(user=user, department_id=d, role=r) for d, r in added])
    for department_id, role in person.removed:
        Membership.objects.filter(  # department_id None: the lead office (IS NULL)
            user=user, department_id=department_id, role=role).delete()  # type: ignore[misc]
        events.append((user, PersonAction.ROLE_REMOVED,
                       {"department_id": department_id, "role": role}))
    for department_id, role in added:
        events.append((user, PersonAction.ROLE_ADDED,
                       {"department_id": department_id, "role": role}))
    return user


# The Django group holding the lead office's admin permissions (seeds.demo creates it).
LEAD_OFFICE_GROUP = "牵头督办办公室"

@transaction.atomic
def roster_confirm(*, draft: RosterImport, user: User) -> dict:
    """Apply the roster in one transaction; any problem raises and nothing is saved.

    The plan is worked out again from the database as it is now, so a preview that went
    stale cannot apply outdated changes. New people get an invitation.
    """
    require_lead_office(user)
    draft = RosterImport.objects.select_for_update().get(pk=draft.pk)
    if draft.confirmed_at:
        raise ValidationError(gettext("该名单已经导入。"))
    plan = roster_plan(draft.rows, actor=user)
    if plan.problems:
        raise ValidationError(gettext("名单有 %(count)s 处问题，未导入任何数据。") % {
            "count": len(plan.problems)})
    now = timezone.now()
    events: list = []
    new_users, users_by_plan = [], {}
    for planned in plan.people:
        applied = _apply_person(planned, events=events)
        users_by_plan[id(planned)] = applied
        if planned.is_new:
            new_users.append(applied)
    for leaver in plan.deactivated:
        roles = list(Membership.objects.filter(user=leaver).values_list("department_id", "role"))
        Membership.objects.filter(user=leaver).delete()
        for department_id, role in roles:
            events.append((leaver, PersonAction.ROLE_REMOVED,
                           {"department_id": department_id, "role": role}))
        events.append((leaver, PersonAction.DEACTIVATED, {}))
        User.objects.filter(pk=leaver.pk).update(is_active=False)
        Person.objects.update_or_create(user=leaver, defaults={"left_at": now})
    moved = 0
    for handover in plan.handovers:
        successor = users_by_plan[id(handover.new)]
        where = {"department_id": handover.department.pk, "role": handover.role}
        events.append((handover.old, PersonAction.HANDOVER_OUT, {**where, "other": successor}))
        events.append((successor, PersonAction.HANDOVER_IN, {**where, "other": handover.old}))
        moved += outbox().pending_hand_over(handover.old, successor)
    if plan.deactivated:  # whatever a leaver still had pending is not sent to them
        outbox().pending_drop(plan.deactivated, gettext("收件人已停用"))
    for change in plan.groups:
        group = change.group or DepartmentGroup.objects.create(name=change.name)
        group.members.add(*change.added)
        group.members.remove(*change.removed)
    PersonEvent.objects.bulk_create([
        _event(person_user, action, actor=user, draft=draft, **extra)
        for person_user, action, extra in events])
    summary = {"new": len(plan.new), "changed": len(plan.changed),
               "unchanged": len(plan.unchanged), "deactivated": len(plan.deactivated),
               "handovers": len(plan.handovers), "moved_messages": moved,
               "groups": len(plan.groups)}
    draft.confirmed_at, draft.summary = now, summary
    draft.save(update_fields=["confirmed_at", "summary"])
    summary["invited"] = len(invitations_send(users=new_users, actor=user, draft=draft))
    audit_record(AuditKind.ROLE, user=user, target=f"名单导入 #{draft.pk} {draft.file_name}",
                 detail=json.dumps(summary, ensure_ascii=False))
    return summary


def invitation_url(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return settings.SITE_URL + reverse("invitation_accept",
                                       args=[uid, invitation_tokens.make_token(user)])


def invitations_send(*, users: list[User], actor: User,
                     draft: RosterImport | None = None) -> list[User]:
    """Email (and SMS, when a mobile is known and SMS is configured) a one-time link to set a
    password, through the outbox. People who already set a password are skipped."""
    require_lead_office(actor)
    now = timezone.now()
    sent, invitations, events = [], [], []
    valid_until = timezone.localtime(now + datetime.timedelta(
        days=settings.DUBAN_INVITATION_DAYS))
    for user in users:
        if not user.is_active or user.has_usable_password():
            continue
        profile, _ = Person.objects.select_for_update().get_or_create(user=user)
        profile.invitations_sent += 1
        profile.invited_at = now
        profile.save(update_fields=["invitations_sent", "invited_at"])
        url = invitation_url(user)
        key = f"invitation:{profile.invitations_sent}"
        context = {"username": user.username, "valid_until": valid_until,
                   "roles": [str(m) for m in user.memberships.select_related("department")]}
        invitations.append(Invitation(user=user, key=key, url=url, context=context,
                                      mobile=profile.mobile))
        events.append(_event(user, PersonAction.INVITED, actor=actor, draft=draft))
        sent.append(user)
    outbox().invitations_store(invitations, now=now)
    PersonEvent.objects.bulk_create(events)
    return sent


@transaction.atomic
def invitations_resend(*, users: list[User], actor: User) -> list[User]:
    return invitations_send(users=users, actor=actor)


@transaction.atomic
def invitation_accepted(*, user: User) -> None:
    """The person set their password through the invitation link."""
    profile, _ = Person.objects.get_or_create(user=user)
    if profile.activated_at is None:
        profile.activated_at = timezone.now()
        profile.save(update_fields=["activated_at"])
        PersonEvent.objects.create(user=user, action=PersonAction.ACTIVATED, actor=user)
