"""Who may see and do what: computed once per request from the user's memberships."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User

from .choices import Role
from .models import Membership


@dataclass(frozen=True)
class Access:
    """A user's standing in Duban. Department ids are those the user works for."""

    user_id: int | None
    liaison_of: frozenset[int] = field(default_factory=frozenset)
    head_of: frozenset[int] = field(default_factory=frozenset)
    is_lead_office: bool = False
    is_manager: bool = False

    @property
    def department_ids(self) -> frozenset[int]:
        return self.liaison_of | self.head_of

    @property
    def reads_everything(self) -> bool:
        return self.is_lead_office or self.is_manager

    def works_for(self, department_id: int) -> bool:
        return department_id in self.department_ids

    def heads(self, department_id: int) -> bool:
        return department_id in self.head_of


NOBODY = Access(user_id=None)


def access_for(user: User | AnonymousUser) -> Access:
    """The user's :class:`Access`, cached on the user object (one query per request)."""
    if not user.is_authenticated:
        return NOBODY
    cached = getattr(user, "_duban_access", None)
    if cached is not None:
        return cached
    liaison, head, lead_office, manager = set(), set(), user.is_superuser, False
    for role, department_id in Membership.objects.filter(user=user).values_list(
        "role", "department_id"
    ):
        if role == Role.LIAISON:
            liaison.add(department_id)
        elif role == Role.HEAD:
            head.add(department_id)
        elif role == Role.LEAD_OFFICE:
            lead_office = True
        elif role == Role.MANAGER:
            manager = True
    access = Access(user.pk, frozenset(liaison), frozenset(head), lead_office, manager)
    user._duban_access = access
    return access
