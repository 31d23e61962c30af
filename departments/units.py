"""Resolving unit names as documents write them to departments and groups.

Names are never rewritten: a name is either a department's own name, one of its
aliases, a group's name, or new. New names that merely *look like* a known department
(区/市 prefix, brackets) are proposed as aliases by :func:`similar_department`, never merged.
"""

import itertools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import models, transaction
from django.db.models import Value
from django.utils.translation import gettext

from .choices import DepartmentKind, DepartmentLevel, UnitMatch
from .models import Department, DepartmentAlias, DepartmentGroup

_GROUP_PATTERN = re.compile(r"^(?:全区|区内|市内|全市|驻区)?各(?:相关|有关|级|)")
# 区直各部门, 全区经济运行各专班, 市级各有关部门, 区级相关部门, 相关地市政府, 有关部门和单位,
# 区疫情防控指挥部成员单位, 国务院有关部门, 市相关单位 …
_COLLECTIVE = re.compile(r"各|成员单位$|(?:相关|有关)(?:部门|单位)"
                         r"|^(?:[省市区县]级|市直|区直|县直|省直|其他|其它)?(?:相关|有关)")
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")


def looks_like_group(name: str) -> bool:
    """各相关部门, 全区各相关部门, 区内各相关国企 … name a collective, not one unit."""
    return bool(_GROUP_PATTERN.match(name) or _COLLECTIVE.search(name))


def guess_kind(name: str) -> tuple[str, str]:
    """A first guess of (kind, level) for a unit seen for the first time."""
    if name.startswith("市") or "分局" in name:
        return DepartmentKind.CITY_BRANCH, DepartmentLevel.CITY
    if name.startswith(("区委", "区纪委", "党工委")):
        return DepartmentKind.PARTY_ORGAN, DepartmentLevel.DISTRICT
    if name.endswith("大厅"):
        return DepartmentKind.SERVICE_HALL, DepartmentLevel.DISTRICT
    if name.endswith(("基地", "园区", "产业园")):
        return DepartmentKind.BASE, DepartmentLevel.DISTRICT
    if name.endswith(("公司", "集团", "国企")):
        return DepartmentKind.ENTERPRISE, DepartmentLevel.OTHER
    if name.endswith(("办", ")", "）")):
        return DepartmentKind.OFFICE, DepartmentLevel.DISTRICT
    if name.endswith("局"):
        return DepartmentKind.DISTRICT_BUREAU, DepartmentLevel.DISTRICT
    return DepartmentKind.OTHER, DepartmentLevel.OTHER


def core_name(name: str) -> str:
    """The name without 区/市 prefix and bracketed parts: for *suggesting* aliases only."""
    stripped = _BRACKETS.sub("", name)
    return re.sub(r"^(?:区|市|全区)", "", stripped)


@dataclass
class Unit:
    """A resolved unit: exactly one of ``department`` / ``group`` is set once saved."""

    name: str
    department: Department | None = None
    group: DepartmentGroup | None = None
    via_alias: bool = False

    @property
    def is_new(self) -> bool:
        unit = self.department or self.group
        return unit is None or unit.pk is None


@dataclass(frozen=True)
class UnitStatus:
    """How a name matches before an import: ``department`` names the alias's target."""

    name: str
    match: str  # UnitMatch
    department: str = ""

    @property
    def label(self) -> str:
        label = str(UnitMatch(self.match).label)
        return f"{label} → {self.department}" if self.department else label


class UnitResolver:
    """Resolves names with two queries up front, then from memory; creates what is new.

    With ``dry_run`` nothing is written: new departments, groups and aliases get stand-in
    ids (negative, never saved) so a preview computes exactly what a load would do.
    """

    def __init__(self, *, dry_run: bool = False) -> None:
        self.dry_run = dry_run
        self._stand_in = itertools.count(-1, -1)
        self.departments = {d.name: d for d in Department.objects.all()}
        by_pk = {d.pk: d for d in self.departments.values()}
        self.aliases: dict[str, Department] = {}
        self.groups: dict[str, DepartmentGroup] = {}
        # Every other name in one query: aliases (with their department's id) and groups.
        aliases = DepartmentAlias.objects.values_list(
            "alias", "department_id", Value("", output_field=models.TextField()),
            Value(True, output_field=models.BooleanField())).order_by()
        groups = DepartmentGroup.objects.values_list(
            "name", "pk", "description", Value(False, output_field=models.BooleanField())
        ).order_by()
        for name, pk, description, is_alias in aliases.union(groups, all=True):
            if is_alias:
                self.aliases[name] = by_pk[pk]
            else:
                self.groups[name] = DepartmentGroup.from_db(
                    None, ["id", "name", "description"], (pk, name, description))
        self.created: list[Department | DepartmentGroup] = []
        self.new_aliases: list[DepartmentAlias] = []  # written by aliases_save()
        self._cores: dict[str, list[Department]] | None = None

    def lookup(self, name: str) -> Unit:
        """Resolve without writing; unknown names give an unsaved department or group."""
        if name in self.departments:
            return Unit(name, department=self.departments[name])
        if name in self.aliases:
            return Unit(name, department=self.aliases[name], via_alias=True)
        if name in self.groups:
            return Unit(name, group=self.groups[name])
        if looks_like_group(name):
            return Unit(name, group=DepartmentGroup(name=name))
        kind, level = guess_kind(name)
        return Unit(name, department=Department(name=name, kind=kind, level=level))

    def resolve(self, name: str) -> Unit:
        """Resolve and create what is new (inside the caller's transaction)."""
        self.resolve_all([name])
        return self.lookup(name)

    def resolve_all(self, names: Iterable[str]) -> None:
        """Create every new department and group among ``names``: two bulk inserts."""
        departments: dict[str, Department] = {}
        groups: dict[str, DepartmentGroup] = {}
        for name in names:
            unit = self.lookup(name)
            if unit.group is not None and unit.group.pk is None:
                groups.setdefault(name, unit.group)
            elif unit.department is not None and unit.department.pk is None:
                departments.setdefault(name, unit.department)
        codes = _free_codes({d.code for d in self.departments.values()}, len(departments))
        for department, code in zip(departments.values(), codes):
            department.code = code
        self._insert(DepartmentGroup, list(groups.values()))
        self._insert(Department, list(departments.values()))
        self.groups.update(groups)
        self.departments.update(departments)
        self.created += [*groups.values(), *departments.values()]
        self._cores = None

    def classify(self, name: str) -> UnitStatus:
        """Existing department, alias or group; new group; new department, or one that looks
        like a known department (proposed as an alias, never merged without a yes)."""
        unit = self.lookup(name)
        if unit.group is not None:
            return UnitStatus(name, UnitMatch.GROUP if unit.group.pk else UnitMatch.NEW_GROUP)
        if unit.via_alias:
            return UnitStatus(name, UnitMatch.ALIAS, unit.department.name)
        if unit.department.pk is not None:
            return UnitStatus(name, UnitMatch.DEPARTMENT)
        similar = self.similar_department(name)
        if similar is not None:
            return UnitStatus(name, UnitMatch.PROPOSED_ALIAS, similar.name)
        return UnitStatus(name, UnitMatch.NEW_DEPARTMENT)

    def alias_accept(self, name: str) -> Department | None:
        """Record ``name`` as an alias of the department it looks like (an accepted proposal);
        saved by :meth:`aliases_save`."""
        if self.classify(name).match != UnitMatch.PROPOSED_ALIAS:
            return None
        department = self.similar_department(name)
        self.alias_add(name, department)
        return department

    def alias_add(self, name: str, department: Department) -> None:
        """Resolve ``name`` to ``department`` from now on; saved by :meth:`aliases_save`."""
        self.new_aliases.append(DepartmentAlias(alias=name, department=department))
        self.aliases[name] = department

    def aliases_save(self) -> None:
        """Write the aliases added since the last call: one bulk insert."""
        for alias in self.new_aliases:
            alias.department_id = alias.department.pk
        self._insert(DepartmentAlias, self.new_aliases)
        self.new_aliases = []

    def _insert(self, model: type[models.Model], rows: list) -> None:
        """One bulk insert (PostgreSQL and SQLite return the ids), or stand-in ids."""
        if not self.dry_run:
            model.objects.bulk_create(rows)
            return
        for row in rows:
            row.pk = next(self._stand_in)

    def registry_apply(self, path: Path) -> list[str]:
        """Add the reference departments, aliases and groups of a JSON file that are missing.

        Returns one line per change; nothing the second time. Works from the names read at
        construction and writes in bulk: the cost does not grow with the file.
        """
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        rows = data.get("departments", [])
        changes: list[str] = []
        new_departments = []
        for row in rows:
            if row["name"] not in self.departments:
                self.departments[row["name"]] = Department(
                    name=row["name"], code=row["code"], kind=row["kind"], level=row["level"])
                new_departments.append(self.departments[row["name"]])
                changes.append(gettext("新增部门 %(name)s") % {"name": row["name"]})
        self._insert(Department, new_departments)
        for row in rows:
            for alias in row.get("aliases", []):
                if alias not in self.aliases:
                    department = self.departments[row["name"]]
                    self.alias_add(alias, department)
                    changes.append(gettext("新增别名 %(alias)s → %(name)s")
                                   % {"alias": alias, "name": department.name})
        self.aliases_save()
        parented = []
        for row in rows:
            department = self.departments[row["name"]]
            if row.get("parent") and department.parent_id is None:
                if row["parent"] not in self.departments:
                    raise Department.DoesNotExist(row["parent"])
                department.parent = self.departments[row["parent"]]
                parented.append(department)
                changes.append(gettext("设置上级单位 %(name)s → %(parent)s")
                               % {"name": row["name"], "parent": row["parent"]})
        if not self.dry_run:
            Department.objects.bulk_update(parented, ["parent"])
        new_groups = []
        for row in data.get("groups", []):
            if row["name"] not in self.groups:
                self.groups[row["name"]] = DepartmentGroup(
                    name=row["name"], description=row.get("description", ""))
                new_groups.append(self.groups[row["name"]])
                changes.append(gettext("新增部门组 %(name)s") % {"name": row["name"]})
        self._insert(DepartmentGroup, new_groups)
        self._cores = None
        return changes

    def similar_department(self, name: str) -> Department | None:
        """A known department whose core name equals this one's (a candidate alias)."""
        if self._cores is None:
            self._cores = {}
            for department in self.departments.values():
                self._cores.setdefault(core_name(department.name), []).append(department)
        candidates = self._cores.get(core_name(name), [])
        return next((d for d in candidates if d.name != name and d.pk is not None), None)


def _free_codes(taken: set[str], count: int) -> list[str]:
    """``count`` codes u001, u002 … not in ``taken``."""
    codes, number = [], len(taken) + 1
    while len(codes) < count:
        code = f"u{number:03d}"
        if code not in taken:
            codes.append(code)
        number += 1
    return codes


@transaction.atomic
def registry_load(path: Path) -> list[str]:
    """Upsert the reference departments, aliases and groups from a JSON file.

    Returns one line per change; running it twice returns nothing the second time.
    """
    return UnitResolver().registry_apply(path)
