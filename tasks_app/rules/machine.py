"""The state machines of the 督办 lifecycle: one transition table per object.

A transition names the action, the states it may start from, the state it leads to and
the roles allowed to take it. :meth:`Machine.check` is the one gate every service passes:
a role not allowed is refused with PermissionDenied, a state that does not allow the action
with a ValidationError — both in Chinese, naming who may act or what the state is.

Roles are relative to the department concerned (see :func:`actor_roles`): the liaison and
the head of that department, the lead department (a department holding a lead part), the
lead office, the managers, and the system (the cycle, acting without a user).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from common.i18n import StrOrPromise
from departments.access import access_for

from ..exceptions import StaleVersion

LIAISON = "liaison"
HEAD = "head"
LEAD_DEPARTMENT = "lead_department"
LEAD_OFFICE = "lead_office"
MANAGER = "manager"
SYSTEM = "system"
ROLE_LABELS = {  # as in "只有本部门负责人可以……" (who may act)
    LIAISON: pgettext_lazy("who", "本部门联络员"), HEAD: pgettext_lazy("who", "本部门负责人"),
    LEAD_DEPARTMENT: pgettext_lazy("who", "牵头部门"),
    LEAD_OFFICE: pgettext_lazy("who", "牵头办公室"), MANAGER: pgettext_lazy("who", "领导"),
    SYSTEM: pgettext_lazy("who", "督办系统"),
}
ROLE_ORDER = list(ROLE_LABELS)


def actor_roles(actor: User | None, department_id: int | None, *,
                lead: bool = False) -> frozenset[str]:
    """What ``actor`` is with respect to ``department_id``'s part (``lead``: a lead part).

    No actor is the system (the cycle). A department user of another department has no
    role at all.
    """
    if actor is None:
        return frozenset({SYSTEM})
    access = access_for(actor)
    roles = set()
    if department_id in access.liaison_of:
        roles.add(LIAISON)
    if department_id in access.head_of:
        roles.add(HEAD)
    if lead and department_id is not None and access.works_for(department_id):
        roles.add(LEAD_DEPARTMENT)
    if access.is_lead_office:
        roles.add(LEAD_OFFICE)
    if access.is_manager:
        roles.add(MANAGER)
    return frozenset(roles)


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str | None]  # None: a new object
    target: str | None  # None: the service decides (e.g. resume restores the earlier state)
    roles: frozenset[str]
    verb: StrOrPromise

    @property
    def to(self) -> str:
        """The target state, for a transition that names one (not one the service decides)."""
        if self.target is None:
            raise ValueError(f"{self.action}: the service decides the state")
        return self.target


def transition(action: str, sources: Iterable[str | None], target: str | None,
               roles: Iterable[str], verb: StrOrPromise) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), verb)


class Machine:
    """A transition table for one kind of object whose states are ``labels``."""

    def __init__(self, noun: StrOrPromise, labels: type[TextChoices],
                 transitions: list[Transition]):
        self.noun = noun
        self.labels = labels
        self.table = {t.action: t for t in transitions}

    def label(self, state: str | None) -> str:
        return str(self.labels(state).label) if state else _("（新建）")

    def allowed(self, action: str, state: str | None, roles: frozenset[str]) -> bool:
        step = self.table[action]
        return bool(step.roles & roles) and state in step.sources

    def check_role(self, action: str, roles: frozenset[str]) -> Transition:
        """The transition for ``action`` if ``roles`` may take it, else PermissionDenied."""
        step = self.table[action]
        if not step.roles & roles:
            who = pgettext("alternatives", "或").join(
                str(ROLE_LABELS[r]) for r in ROLE_ORDER if r in step.roles)
            raise PermissionDenied(_("只有%(who)s可以%(action)s。")
                                   % {"who": who, "action": step.verb})
        return step

    def check(self, action: str, state: str | None, roles: frozenset[str]) -> Transition:
        """The transition for ``action`` from ``state`` by someone with ``roles``, or an
        error: PermissionDenied for the role, ValidationError for the state."""
        step = self.check_role(action, roles)
        if state not in step.sources:
            raise ValidationError({"state": _("%(object)s当前为“%(state)s”，不能%(action)s。") % {
                "object": self.noun, "state": self.label(state), "action": step.verb}})
        return step

    def actions_from(self, state: str | None, roles: frozenset[str]) -> list[str]:
        """The actions open to ``roles`` in ``state`` (what a page offers)."""
        return [a for a in self.table if self.allowed(a, state, roles)]


def check_version(obj, expected_version: int | None) -> None:
    """Refuse a write that expects an older version of ``obj`` (someone acted first)."""
    if expected_version is not None and obj.version != expected_version:
        raise StaleVersion()
