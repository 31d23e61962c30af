"""等保 三员分立: who administers what, and who must use a second factor.

- 系统管理员 (operator): a Django superuser; runs the system, nothing else is implied.
- 安全管理员 (security admin): accounts, Duban roles and memberships, lockouts, 2FA devices.
- 审计管理员 (audit admin): reads and exports the audit log; changes nothing.
- 牵头督办办公室 (lead office): plans, tasks, departments and Duban people, through the
  restricted user admin (no superuser, staff, permission, group or token fields).

The groups and their permissions are (re)written after every migrate, so a permission a
group must not have cannot be added to it for long.
"""

from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.db.models import Q

from audit.models import AUDIT_ADMIN_GROUP
from departments.access import access_for
from departments.choices import Role

LEAD_OFFICE_GROUP = "牵头督办办公室"
SECURITY_ADMIN_GROUP = "安全管理员"
ADMIN_ROLE_GROUPS = (SECURITY_ADMIN_GROUP, AUDIT_ADMIN_GROUP)

OPERATOR, SECURITY_ADMIN, AUDIT_ADMIN = "operator", "security_admin", "audit_admin"
_USER_PERMISSIONS = Q(content_type__app_label="auth",
                      codename__in=["view_user", "add_user", "change_user"])


def _permissions(app_labels: tuple[str, ...] = (), *codenames: tuple[str, str]) -> Q:
    query = Q(content_type__app_label__in=app_labels)
    for app_label, codename in codenames:
        query |= Q(content_type__app_label=app_label, codename=codename)
    return query


ROLE_PERMISSIONS: dict[str, Q] = {
    LEAD_OFFICE_GROUP: _permissions(("tasks_app", "departments", "notifications"))
    | _USER_PERMISSIONS,
    SECURITY_ADMIN_GROUP: _USER_PERMISSIONS | _permissions(
        (), ("departments", "view_department"), ("departments", "view_membership"),
        ("departments", "add_membership"), ("departments", "change_membership"),
        ("departments", "delete_membership"), ("axes", "view_accessattempt"),
        ("axes", "delete_accessattempt"), ("axes", "view_accesslog"),
        ("otp_totp", "view_totpdevice"), ("otp_totp", "delete_totpdevice")),
    AUDIT_ADMIN_GROUP: _permissions((), ("audit", "view_auditevent")),
}


@transaction.atomic
def lead_office_group() -> Group:
    return admin_roles_ensure()[LEAD_OFFICE_GROUP]


@transaction.atomic
def admin_roles_ensure() -> dict[str, Group]:
    """The role groups with exactly their permissions (created when missing)."""
    groups = {}
    for name, permissions in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(permissions))
        groups[name] = group
    return groups


def is_protected_account(user: User) -> bool:
    """Accounts only the operator (superuser) may change: operators and 三员 admins."""
    return user.is_superuser or user.groups.filter(name__in=ADMIN_ROLE_GROUPS).exists()


def roles_of(user: User) -> set[str]:
    """The user's role names: operator, security_admin, audit_admin and Duban roles."""
    roles: set[str] = set()
    if user.is_superuser:
        roles.add(OPERATOR)
    names = set(user.groups.values_list("name", flat=True))
    if SECURITY_ADMIN_GROUP in names:
        roles.add(SECURITY_ADMIN)
    if AUDIT_ADMIN_GROUP in names:
        roles.add(AUDIT_ADMIN)
    access = access_for(user)
    if access.is_lead_office:
        roles.add(Role.LEAD_OFFICE)
    if access.is_manager:
        roles.add(Role.MANAGER)
    if access.liaison_of:
        roles.add(Role.LIAISON)
    if access.head_of:
        roles.add(Role.HEAD)
    return roles


def second_factor_required(user: User) -> bool:
    """Whether this user must confirm a TOTP code after the password (settings decide)."""
    required = {role for role in settings.DUBAN_2FA_ROLES if role}
    if not (required or settings.DUBAN_2FA_DEPARTMENTS):
        return False
    roles = roles_of(user)
    if roles & required:
        return True
    return settings.DUBAN_2FA_DEPARTMENTS and bool(roles & {Role.LIAISON, Role.HEAD})


@transaction.atomic
def staff_sync(user: User) -> None:
    """Admin access follows Duban roles: a lead-office membership gives the lead office's
    admin group and staff status; losing it takes them away (unless the operator gave the
    account other groups or permissions)."""
    group = Group.objects.filter(name=LEAD_OFFICE_GROUP).first()
    lead_office = user.memberships.filter(role=Role.LEAD_OFFICE).exists()
    if group is not None:
        if lead_office:
            user.groups.add(group)
        else:
            user.groups.remove(group)
    staff = (lead_office or user.is_superuser or user.groups.exists()
             or user.user_permissions.exists())
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
