"""Demo accounts: a lead office, a security admin, an audit admin, a manager, and a liaison
and a head for every department."""

import secrets
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q

from departments.choices import Role
from departments.models import Department, Membership
from security.roles import (  # noqa: F401 (LEAD_OFFICE_GROUP, lead_office_group re-exported)
    AUDIT_ADMIN,
    AUDIT_ADMIN_GROUP,
    LEAD_OFFICE_GROUP,
    SECURITY_ADMIN,
    SECURITY_ADMIN_GROUP,
    admin_roles_ensure,
    lead_office_group,
)
from tasks_app.models import Plan

EMAIL_DOMAIN = "duban.example"


@dataclass
class DemoAccount:
    username: str
    role: str
    department: str


def _account(username: str, encoded_password: str, *, staff: bool = False) -> User:
    user, _ = User.objects.get_or_create(
        username=username, defaults={"email": f"{username}@{EMAIL_DOMAIN}", "is_staff": staff}
    )
    user.password = encoded_password
    user.save(update_fields=["password"])
    return user


def _member(user: User, role: str, department: Department | None) -> None:
    Membership.objects.get_or_create(user=user, role=role, department=department)


@transaction.atomic
def demo_accounts_ensure(password: str | None = None, *,
                         encoded: str | None = None) -> tuple[list[DemoAccount], str]:
    """Create what is missing; (re)set every demo account's password. Returns the accounts.
    ``encoded``: the password's hash when the caller already has it (a restart)."""
    password = password or secrets.token_urlsafe(9)
    # hashed once: the same password for every demo account
    encoded = encoded or make_password(password)
    accounts: list[DemoAccount] = []
    lead_department = (
        Plan.objects.filter(lead_office__isnull=False).values_list("lead_office", flat=True).first()
    )
    lead_department = Department.objects.filter(pk=lead_department).first()
    lead = _account("leadoffice", encoded, staff=True)
    lead.groups.add(lead_office_group())
    _member(lead, Role.LEAD_OFFICE, lead_department)
    accounts.append(DemoAccount("leadoffice", Role.LEAD_OFFICE,
                                lead_department.name if lead_department else "-"))
    for username, group, role in (("security", SECURITY_ADMIN_GROUP, SECURITY_ADMIN),
                                  ("auditor", AUDIT_ADMIN_GROUP, AUDIT_ADMIN)):
        admin_user = _account(username, encoded, staff=True)
        admin_user.groups.add(admin_roles_ensure()[group])
        accounts.append(DemoAccount(username, role, "-"))
    manager = _account("manager", encoded)
    _member(manager, Role.MANAGER, None)
    accounts.append(DemoAccount("manager", Role.MANAGER, "-"))
    departments = Department.objects.filter(
        Q(assignments__isnull=False) | Q(target_assignments__isnull=False)
        | Q(led_plans__isnull=False),
        is_active=True,
    ).distinct().order_by("code")
    for department in departments:
        for role in (Role.LIAISON, Role.HEAD):
            username = f"{department.code}.{role}"
            _member(_account(username, encoded), role, department)
            accounts.append(DemoAccount(username, role, department.name))
    return accounts, password
