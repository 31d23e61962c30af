"""The roster (人员名单): parse an uploaded .xlsx/.csv and work out what confirming it would
change. Reading only — ``departments.people.roster_confirm`` writes.

A roster lists everyone who works in Duban: one row per person and role (姓名, 部门, 角色,
手机, 邮箱, optional 钉钉/企业微信 user ids and the 部门组 the row's department belongs to).
A person is recognised by e-mail, else by mobile; an active person with a role who is not in
the file has left and is deactivated (never deleted).
"""

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from .choices import Role
from .contacts import im_userid_check, mobile_normal
from .models import Department, DepartmentAlias, DepartmentGroup, Membership, Person

MAX_ROWS = 5000
GROUP_SEPARATORS = re.compile(r"[、,，;；]+")

# Column → accepted header spellings (compared without spaces, case and "(选填)").
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名",),
    "department": ("部门", "单位", "所在部门"),
    "role": ("角色", "职责"),
    "mobile": ("手机", "手机号", "手机号码"),
    "email": ("邮箱", "电子邮箱", "邮件"),
    "dingtalk": ("钉钉用户id", "钉钉id", "钉钉userid"),
    "wecom": ("企业微信用户id", "企业微信id", "企业微信userid"),
    "groups": ("部门组", "所属部门组"),
}
REQUIRED = ("name", "department", "role")
TEMPLATE_HEADERS = ("姓名", "部门", "角色", "手机", "邮箱", "钉钉用户ID（选填）",
                    "企业微信用户ID（选填）", "部门组（选填）")

ROLE_WORDS: dict[str, str] = {
    "联络员": Role.LIAISON, "负责人": Role.HEAD, "部门负责人": Role.HEAD,
    "领导": Role.MANAGER, "管理领导": Role.MANAGER,
    "牵头办公室": Role.LEAD_OFFICE, "牵头督办办公室": Role.LEAD_OFFICE,
}
DEPARTMENT_ROLES = (Role.LIAISON, Role.HEAD)
HANDOVER_ROLES = (Role.LIAISON, Role.HEAD)


def _column_labels() -> dict[str, str]:
    return {"name": _("姓名"), "department": _("部门"), "role": _("角色"), "mobile": _("手机"),
            "email": _("邮箱"), "dingtalk": _("钉钉用户ID"), "wecom": _("企业微信用户ID"),
            "groups": _("部门组"), "": ""}


def _normal(header: object) -> str:
    text = re.sub(r"[(（][^)）]*[)）]", "", str(header or ""))
    return re.sub(r"\s+", "", text).lower()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a mobile typed as a number in Excel
    return str(value).strip()


def _table(file_name: str, data: bytes) -> list[list[object]]:
    lower = file_name.lower()
    if lower.endswith(".xlsx"):
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:
            raise ValidationError({"file": _("无法读取该 Excel 文件：%(error)s") % {
                "error": error}}) from error
        sheet = book["人员名单"] if "人员名单" in book.sheetnames else book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    if lower.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return list(csv.reader(io.StringIO(data.decode(encoding))))
            except UnicodeDecodeError:
                continue
        raise ValidationError({"file": _("无法识别 CSV 文件的编码，请保存为 UTF-8。")})
    raise ValidationError({"file": _("请上传 .xlsx 或 .csv 文件。")})


def _header(table: list[list[object]]) -> tuple[int, dict[str, int]]:
    """The header row (within the first 20) and the column of each known header."""
    for number, row in enumerate(table[:20]):
        names = [_normal(cell) for cell in row]
        columns = {}
        for key, spellings in HEADERS.items():
            found = [i for i, name in enumerate(names) if name in spellings]
            if found:
                columns[key] = found[0]
        if "name" in columns:
            return number, columns
    raise ValidationError({"file": _("没有找到表头行（须包含“姓名”列）。")})


def roster_parse(file_name: str, data: bytes) -> list[dict]:
    """The file's rows as dicts of text (``line`` is the row number in the file)."""
    table = _table(file_name, data)
    index, columns = _header(table)
    missing = [_column_labels()[key] for key in REQUIRED if key not in columns]
    if missing:
        raise ValidationError({"file": _("缺少必填列：%(columns)s") % {
            "columns": "、".join(missing)}})
    rows = []
    for line, row in enumerate(table[index + 1:], start=index + 2):
        values = {key: _text(row[col]) if col < len(row) else "" for key, col in columns.items()}
        if not any(values.values()):
            continue
        rows.append({"line": line, **{key: values.get(key, "") for key in HEADERS}})
    if not rows:
        raise ValidationError({"file": _("名单中没有人员。")})
    if len(rows) > MAX_ROWS:
        raise ValidationError({"file": _("名单超过 %(max)s 行。") % {"max": MAX_ROWS}})
    return rows


def roster_template() -> bytes:
    """The downloadable template: headers, two example rows, the allowed roles."""
    book = Workbook()
    sheet = book.active
    sheet.title = "人员名单"
    sheet.append(TEMPLATE_HEADERS)
    sheet.append(("张三", "区工信局", "联络员", "13800000001", "zhangsan@example.gov.cn", "",
                  "", "各相关部门"))
    sheet.append(("李四", "区工信局", "负责人", "13800000002", "lisi@example.gov.cn", "", "",
                  ""))
    for column, width in zip("ABCDEFGH", (10, 20, 12, 14, 28, 18, 20, 24), strict=True):
        sheet.column_dimensions[column].width = width
    notes = book.create_sheet("说明")
    for line in (
        "角色填写：联络员、负责人、领导、牵头办公室（领导和牵头办公室可不填部门）。",
        "手机和邮箱至少填一项；同一人担任多个角色时写多行。",
        "部门须为系统中已有的部门名称或别名；部门组（如 各相关部门）可填多个，用顿号分隔。",
        "名单应包含全部人员：不在名单中的现有人员将被停用（保留历史，不删除）。",
    ):
        notes.append((line,))
    notes.column_dimensions["A"].width = 90
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    message: str


@dataclass
class PersonPlan:
    """One person of the file and what confirming changes for them."""

    name: str
    email: str
    mobile: str
    dingtalk: str
    wecom: str
    lines: list[int]
    roles: set[tuple[int | None, str]] = field(default_factory=set)
    user: User | None = None
    changes: list[str] = field(default_factory=list)
    added: list[tuple[int | None, str]] = field(default_factory=list)
    removed: list[tuple[int | None, str]] = field(default_factory=list)
    reactivate: bool = False
    labels: dict[str, list[str]] = field(default_factory=dict)  # roles/added/removed, shown

    @property
    def is_new(self) -> bool:
        return self.user is None

    @property
    def is_changed(self) -> bool:
        return bool(self.user and (self.changes or self.added or self.removed
                                   or self.reactivate))


@dataclass(frozen=True)
class Handover:
    department: Department
    role: str
    old: User
    new: PersonPlan

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


@dataclass
class GroupChange:
    name: str
    group: DepartmentGroup | None
    added: list[Department]
    removed: list[Department]


@dataclass
class RosterPlan:
    problems: list[Problem]
    people: list[PersonPlan]
    deactivated: list[User]
    handovers: list[Handover]
    groups: list[GroupChange]
    departments: dict[int, Department]

    @property
    def new(self) -> list[PersonPlan]:
        return [p for p in self.people if p.is_new]

    @property
    def changed(self) -> list[PersonPlan]:
        return [p for p in self.people if p.is_changed]

    @property
    def unchanged(self) -> list[PersonPlan]:
        return [p for p in self.people if not p.is_new and not p.is_changed]

    @property
    def has_changes(self) -> bool:
        return bool(self.new or self.changed or self.deactivated
                    or any(g.added or g.removed or g.group is None for g in self.groups))


def _departments() -> tuple[dict[str, Department], dict[int, Department]]:
    by_name = {d.name: d for d in Department.objects.all()}
    by_id = {d.pk: d for d in by_name.values()}
    for alias in DepartmentAlias.objects.all():
        by_name.setdefault(alias.alias, by_id[alias.department_id])
    return by_name, by_id


def _check_row(row: dict, departments: dict[str, Department], add) -> tuple | None:
    """The row's (identity, department, role) or None after naming its problems."""
    ok = True
    if not row["name"]:
        add(row, "name", _("姓名不能为空"))
        ok = False
    role = ROLE_WORDS.get(re.sub(r"\s+", "", row["role"]))
    if role is None:
        add(row, "role", _("角色“%(role)s”无法识别，应为 联络员、负责人、领导 或 牵头办公室") % {
            "role": row["role"]})
        ok = False
    department = None
    if row["department"]:
        department = departments.get(row["department"])
        if department is None:
            add(row, "department", _("部门“%(name)s”不存在（请先在后台添加部门或别名）") % {
                "name": row["department"]})
            ok = False
        elif not department.is_active:
            add(row, "department", _("部门“%(name)s”已停用") % {"name": department.name})
            ok = False
    elif role in DEPARTMENT_ROLES:
        add(row, "department", _("联络员和负责人必须填写部门"))
        ok = False
    try:
        mobile = mobile_normal(row["mobile"])
    except ValidationError as error:
        add(row, "mobile", error.messages[0])
        mobile, ok = row["mobile"], False
    for column, label in (("dingtalk", _("钉钉用户ID")), ("wecom", _("企业微信用户ID"))):
        try:
            im_userid_check(row[column], label)
        except ValidationError as error:
            add(row, column, error.messages[0])
            ok = False
    email = row["email"].lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            add(row, "email", _("邮箱“%(email)s”格式不正确") % {"email": row["email"]})
            ok = False
    if not email and not mobile:
        add(row, "email", _("手机和邮箱至少填写一项"))
        ok = False
    if row["groups"] and department is None and ok:
        add(row, "groups", _("只有填写了部门的行才能加入部门组"))
        ok = False
    if not ok:
        return None
    where = department.pk if role in DEPARTMENT_ROLES else None
    return email, mobile, where, role, department


def _match(person: PersonPlan, by_email: dict, by_mobile: dict, by_username: dict,
           add_line) -> None:
    email_user = by_email.get(person.email) if person.email else None
    email_user = email_user or (by_username.get(person.email) if person.email else None)
    mobile_user = by_mobile.get(person.mobile) if person.mobile else None
    if email_user and mobile_user and email_user.pk != mobile_user.pk:
        add_line(person.lines[0], "mobile", _("手机号已属于另一人员（%(name)s）") % {
            "name": mobile_user})
        return
    person.user = email_user or mobile_user


def _person_changes(person: PersonPlan, profile: Person | None) -> list[str]:
    user = person.user
    changes = []
    if user.first_name != person.name or user.last_name:
        changes.append(_("姓名：%(old)s → %(new)s") % {"old": user.get_full_name() or "—",
                                                        "new": person.name})
    if person.email and user.email.lower() != person.email:
        changes.append(_("邮箱：%(old)s → %(new)s") % {"old": user.email or "—",
                                                        "new": person.email})
    for label, old, new in ((_("手机"), profile.mobile if profile else "", person.mobile),
                            (_("钉钉用户ID"), profile.dingtalk_userid if profile else "",
                             person.dingtalk),
                            (_("企业微信用户ID"), profile.wecom_userid if profile else "",
                             person.wecom)):
        if new and old != new:
            changes.append(_("%(field)s：%(old)s → %(new)s") % {
                "field": label, "old": old or "—", "new": new})
    return changes


def roster_plan(rows: list[dict], *, actor: User) -> RosterPlan:
    """What confirming ``rows`` would change; problems by row (the plan is not applied then).

    Queries are fixed: departments, aliases, groups, users with roles or profiles.
    """
    problems: list[Problem] = []
    labels = _column_labels()

    def add(row: dict, column: str, message: str) -> None:
        problems.append(Problem(row["line"], labels[column], message))

    def add_line(line: int, column: str, message: str) -> None:
        problems.append(Problem(line, labels[column], message))

    by_name, by_id = _departments()
    people: dict[str, PersonPlan] = {}
    group_members: dict[str, set[int]] = defaultdict(set)
    seen_roles: dict[tuple, int] = {}
    for row in rows:
        checked = _check_row(row, by_name, add)
        if checked is None:
            continue
        email, mobile, where, role, department = checked
        key = email or f"mobile:{mobile}"
        person = people.get(key)
        if person is None:
            person = people[key] = PersonPlan(name=row["name"], email=email, mobile=mobile,
                                              dingtalk=row["dingtalk"], wecom=row["wecom"],
                                              lines=[])
        elif person.name != row["name"]:
            add(row, "name", _("同一邮箱/手机在第 %(line)s 行的姓名是“%(name)s”") % {
                "line": person.lines[0], "name": person.name})
            continue
        elif mobile and person.mobile and mobile != person.mobile:
            add(row, "mobile", _("同一人员在第 %(line)s 行的手机号不同") % {
                "line": person.lines[0]})
            continue
        if (key, where, role) in seen_roles:
            add(row, "role", _("与第 %(line)s 行重复") % {"line": seen_roles[key, where, role]})
            continue
        seen_roles[key, where, role] = row["line"]
        person.lines.append(row["line"])
        person.mobile = person.mobile or mobile
        person.dingtalk = person.dingtalk or row["dingtalk"]
        person.wecom = person.wecom or row["wecom"]
        person.roles.add((where, role))
        for group in GROUP_SEPARATORS.split(row["groups"]):
            if group.strip():
                group_members[group.strip()].add(department.pk)

    for field_name, label in (("mobile", "mobile"), ("dingtalk", "dingtalk"),
                              ("wecom", "wecom")):
        owners: dict[str, PersonPlan] = {}
        for person in people.values():
            value = getattr(person, field_name)
            if value and value in owners and owners[value] is not person:
                add_line(person.lines[0], label, _("与第 %(line)s 行的另一人员重复") % {
                    "line": owners[value].lines[0]})
            owners.setdefault(value, person)

    memberships: dict[int, set[tuple[int | None, str]]] = defaultdict(set)
    holders: dict[tuple[int, str], set[int]] = defaultdict(set)
    for user_id, department_id, role in Membership.objects.values_list(
            "user_id", "department_id", "role"):
        memberships[user_id].add((department_id, role))
        if role in HANDOVER_ROLES:
            holders[department_id, role].add(user_id)
    # One query for everyone the roster may match: role holders, people, any e-mail.
    users = list(User.objects.filter(
        Q(pk__in=Membership.objects.values("user_id")) | Q(person__isnull=False)
        | ~Q(email=""))
        .select_related("person").order_by("pk"))
    managed = [u for u in users if u.pk in memberships or hasattr(u, "person")]
    by_email = {**{u.email.lower(): u for u in users if u.email},
                **{u.email.lower(): u for u in managed if u.email}}
    by_username = {u.username.lower(): u for u in managed}
    by_mobile = {u.person.mobile: u for u in managed
                 if hasattr(u, "person") and u.person.mobile}

    matched: dict[int, PersonPlan] = {}
    for person in people.values():
        _match(person, by_email, by_mobile, by_username, add_line)
        if person.user is None:
            continue
        if person.user.pk in matched:
            add_line(person.lines[0], "email", _("与第 %(line)s 行是同一人员（邮箱或手机相同）") % {
                "line": matched[person.user.pk].lines[0]})
            continue
        if person.user.is_superuser:
            add_line(person.lines[0], "email", _("该邮箱属于系统管理员账号，不能通过名单管理"))
            continue
        matched[person.user.pk] = person
        profile = getattr(person.user, "person", None)
        person.changes = _person_changes(person, profile)
        current = memberships.get(person.user.pk, set())
        person.added = sorted(person.roles - current, key=str)
        person.removed = sorted(current - person.roles, key=str)
        if person.user.pk == actor.pk:  # the uploader never locks themselves out
            person.removed = [r for r in person.removed if r[1] != Role.LEAD_OFFICE]
        person.reactivate = not person.user.is_active

    deactivated = sorted((u for u in managed if u.is_active and not u.is_superuser
                          and u.pk != actor.pk and u.pk not in matched),
                         key=lambda u: (u.first_name, u.username))

    handovers = []
    after: dict[tuple[int, str], list[PersonPlan]] = defaultdict(list)
    for person in people.values():
        for department_id, role in person.roles:
            if role in HANDOVER_ROLES:
                after[department_id, role].append(person)
    users_by_id = {u.pk: u for u in managed}
    for (department_id, role), before in sorted(holders.items(), key=str):
        now_ids = {p.user.pk for p in after.get((department_id, role), []) if p.user}
        leaving = sorted(before - now_ids)
        arriving = [p for p in after.get((department_id, role), [])
                    if p.user is None or p.user.pk not in before]
        for old_id, new in zip(leaving, arriving, strict=False):
            handovers.append(Handover(by_id[department_id], role, users_by_id[old_id], new))

    groups = []
    existing: dict[str, DepartmentGroup] = {}
    existing_members: dict[str, set[int]] = defaultdict(set)
    columns = ["id", "name", "description"]
    for *row, member_id in DepartmentGroup.objects.values_list(*columns, "members__id"):
        group = existing.setdefault(row[1], DepartmentGroup.from_db("default", columns, row))
        if member_id is not None:
            existing_members[group.name].add(member_id)
    for name, member_ids in sorted(group_members.items()):
        group = existing.get(name)
        current_ids = existing_members[name] if group else set()
        groups.append(GroupChange(
            name, group,
            added=sorted((by_id[i] for i in member_ids - current_ids), key=lambda d: d.name),
            removed=sorted((by_id[i] for i in current_ids - member_ids), key=lambda d: d.name)))

    def label(role: tuple[int | None, str]) -> str:
        department_id, code = role
        name = Role(code).label
        return str(name) if department_id is None else f"{by_id[department_id].name}{name}"

    for person in people.values():
        person.labels = {"roles": sorted(map(label, person.roles)),
                         "added": [label(r) for r in person.added],
                         "removed": [label(r) for r in person.removed]}
    problems.sort(key=lambda p: p.line)
    return RosterPlan(problems, list(people.values()), deactivated, handovers, groups, by_id)
