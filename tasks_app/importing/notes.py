"""Who does a task and by when, in the styles government documents use.

- keyed: ``（责任单位：市发改委、市工信局）``, ``牵头单位：A 配合单位：B，C``,
  ``〔牵头部门:A,责任部门:B〕``, ``完成时限：2025年6月``;
- verbs: ``A牵头，B、C配合``, ``A、B分别牵头``;
- a bare list of unit names: ``（区发改局、区财政局）``;
- the document-wide rule ``列第一位的为牵头单位，下同`` (recorded, never a unit).

Unit names are kept exactly as written; 配合/协办/参与 units are responsible units.
"""

import datetime
import re
from dataclasses import dataclass, field

from departments.units import looks_like_group

from ..choices import AssignmentRole
from .common import ROLE_KEYS, split_names, split_top
from .deadlines import (
    DEADLINE_KEY,
    deadline_in_text,
    deadline_in_year,
    is_ongoing,
    parse_deadline,
)
from .document import ParsedUnit

EXTRA_KEYS = {
    "主办单位": AssignmentRole.LEAD, "主责单位": AssignmentRole.LEAD,
    "牵头责任单位": AssignmentRole.LEAD, "责任主体": AssignmentRole.RESPONSIBLE,
    "协办部门": AssignmentRole.RESPONSIBLE, "参与部门": AssignmentRole.RESPONSIBLE,
    "配合责任单位": AssignmentRole.RESPONSIBLE, "相关责任单位": AssignmentRole.RESPONSIBLE,
    "参与单位": AssignmentRole.RESPONSIBLE, "协同单位": AssignmentRole.RESPONSIBLE,
    "协同责任单位": AssignmentRole.RESPONSIBLE, "协同部门": AssignmentRole.RESPONSIBLE,
    # 主要责任单位 leads, 其他责任单位 / 协同配合单位 help (县政府重点工作任务分解)
    "主要责任单位": AssignmentRole.LEAD, "主要责任部门": AssignmentRole.LEAD,
    "牵头责任部门": AssignmentRole.LEAD, "其他责任单位": AssignmentRole.RESPONSIBLE,
    "协同配合单位": AssignmentRole.RESPONSIBLE, "协作单位": AssignmentRole.RESPONSIBLE,
    "牵头": AssignmentRole.LEAD, "配合": AssignmentRole.RESPONSIBLE,  # 牵头:A;配合:B
    "协办": AssignmentRole.RESPONSIBLE,
    # 部门分工:省发展改革委牵头,各地、各部门配合 — the verbs say the roles
    "部门分工": AssignmentRole.RESPONSIBLE, "责任分工": AssignmentRole.RESPONSIBLE,
}
MAX_NAME = 60  # longer "names" are sentences caught by mistake, not units
# lists the first-is-lead rule orders
UNDIFFERENTIATED = {"责任单位", "责任部门", "责任主体", "部门分工", "责任分工"}
UNIT_KEYS = {**ROLE_KEYS, **EXTRA_KEYS}
_KEY_ALTERNATION = "|".join(sorted(UNIT_KEYS, key=len, reverse=True))
KEYED = re.compile(rf"({_KEY_ALTERNATION}|{DEADLINE_KEY})\s*[:：]\s*")
# 列第一位的为牵头单位 / 列第一位者为牵头单位 / 排在第一位的部门为牵头部门 /
# 列第一位的责任单位为牵头单位或汇总单位 / 列第一位为牵头或汇总单位 …
FIRST_IS_LEAD = re.compile(
    r"(?:注\s*[:：]\s*)?(?:各项任务中|责任单位中|责任分解中\s*[,，]?\s*|以上)?(?:[列排]在?|排名)?"
    r"(?:第一位|首位|第一个|第一)(?:的|者)?(?:责任)?(?:单位|部门)?(?:为|是)牵头(?:单位|部门)?"
    r"(?:或汇总(?:单位|部门)?)?(?:\s*[,，;；]?\s*下同)?"
)
STAR_IS_LEAD = re.compile(r"加\s*[*＊※]\s*号?(?:的)?为牵头(?:单位|部门)")
VERBS = re.compile(
    r"^(?:由)?(?P<names>.+?)(?:(?:按职责(?:分工)?)?(?P<each>分别))?"
    r"(?P<verb>牵头负责|牵头落实|牵头|按职责分工负责|按职责负责|负责落实|负责|结合实际落实|"
    r"抓好落实|组织落实|落实|配合|协办|参与)$"
)
VERB_ROLES = {"牵头": AssignmentRole.LEAD, "牵头负责": AssignmentRole.LEAD,
              "牵头落实": AssignmentRole.LEAD}
NEUTRAL_VERBS = {"负责", "负责落实", "落实", "结合实际落实", "抓好落实", "组织落实"}
SUPPORT_VERBS = {"配合", "协办", "参与"}  # say nothing of roles: the first-is-lead rule may apply
TRAILING_ETC = re.compile(r"等(?:[省市区县]?(?:有关|相关)?(?:部门|单位))?$")
UNIT_SUFFIX = re.compile(
    r"(?:局|委|办|厅|中心|部|院|会|公司|集团|政府|街道|镇|乡|队|站|所|基地|馆|处|室|部门|单位|"
    r"国企|企业|分局|大厅|园区|组|署|行|社|团|校|学|台|司|区|县|市|专班|班|委员会|人大|政协|法院|"
    r"检察院|联|会|海关|科协|协会|总局|总署|银行)[)）]?$"
)
# 县发改局（牵头）、县财政局: the role written after the name
ROLE_MARK = re.compile(r"[(（](牵头|牵头单位|牵头部门|主责|配合|协办)[)）]$")


@dataclass
class Note:
    units: list[ParsedUnit] = field(default_factory=list)
    due_on: datetime.date | None = None
    due_text: str = ""  # 完成时限:6月底前 — no year: the plan's year decides (task_list)
    rule: str = ""  # the document-wide rule when the note states it
    explicit_roles: bool = False  # 牵头/配合/协办… named: the first-is-lead rule does not apply
    not_understood: list[str] = field(default_factory=list)

    def merge(self, other: "Note") -> None:
        known = {unit.name for unit in self.units}
        self.units += [unit for unit in other.units if unit.name not in known]
        self.due_on = other.due_on or self.due_on
        self.due_text = other.due_text or self.due_text
        self.rule = self.rule or other.rule
        self.explicit_roles = self.explicit_roles or other.explicit_roles
        self.not_understood += other.not_understood


def looks_like_unit(name: str) -> bool:
    core = re.sub(r"[(（][^()（）]*[)）]$", "", name)  # 区住建局(交通) → 区住建局
    return (2 <= len(name) <= 40 and bool(UNIT_SUFFIX.search(core))
            and not re.search(r"[:：。;；]", name))


def find_rule(text: str) -> str:
    match = FIRST_IS_LEAD.search(text)
    return match.group(0) if match else ""


def parse_note(content: str, *, bare_names: bool = True) -> Note | None:
    """The units, deadline and rule of a note's content; None when it is not a note.

    With ``bare_names`` a plain list of unit names (``区发改局、区财政局``) is a note too.
    """
    note = Note(rule=find_rule(content))
    rest = FIRST_IS_LEAD.sub("", content).strip(" ,，;；。\u3000")
    if not rest:
        return note if note.rule else None
    pieces = KEYED.split(rest)
    if len(pieces) > 1:
        if pieces[0].strip(" ,，;；。"):
            note.not_understood.append(pieces[0].strip())
        by_key: dict[str, list[ParsedUnit]] = {}
        for key, value in zip(pieces[1::2], pieces[2::2]):
            before = len(note.units)
            _keyed(note, key, value.strip(" ,，;；。\u3000"))
            by_key.setdefault(key, []).extend(note.units[before:])
        _main_leads(note, by_key)
        return note
    leftovers: list[str] = []
    groups = _verb_groups(rest, leftovers)
    if groups:
        for leftover in leftovers:  # (A负责,B配合;2024年9月底前完成): the deadline is read
            if due := deadline_in_text(leftover):
                note.due_on = due
            else:
                note.not_understood.append(leftover)
        verbs = {verb for _, verb in groups}
        # A负责,B配合: beside the units that help, the one that is 负责 leads
        main = (verbs & NEUTRAL_VERBS and verbs & SUPPORT_VERBS and not verbs & set(VERB_ROLES))
        for names, verb in groups:
            role = AssignmentRole.LEAD if main and verb in NEUTRAL_VERBS else VERB_ROLES.get(
                verb, AssignmentRole.RESPONSIBLE)
            _add(note, names, role)
        note.explicit_roles = any(verb not in NEUTRAL_VERBS for _, verb in groups)
        return note
    names = split_names(rest)
    if bare_names and len(names) > 1 and (due := deadline_in_text(names[-1])):
        names, note.due_on = names[:-1], due  # (区发改局、区财政局，2024年6月底前完成)
    if bare_names and names and all(looks_like_unit(name) for name in names):
        _add(note, "、".join(names), AssignmentRole.RESPONSIBLE)
        return note
    return note if note.rule else None


def _verb_groups(text: str, leftovers: list[str] | None = None) -> list[tuple[str, str]] | None:
    """``A牵头，B、C配合`` → [("A", "牵头"), ("B、C", "配合")]; None unless all have a verb.

    ``A会同B负责`` → A leads, B is responsible. With ``leftovers`` a closing clause that names
    no unit (``不再做分工``) is handed back there instead of spoiling the note.
    """
    groups, pending = [], []
    for clause in split_top(text, ",，;；"):
        match = VERBS.match(clause)
        if match:
            names, verb = "、".join([*pending, match.group("names")]), match.group("verb")
            lead, together, others = names.partition("会同")
            if together and lead and others:
                groups += [(lead, "牵头"), (others, verb if verb not in VERB_ROLES else "配合")]
            else:
                groups.append((names, verb))
            pending = []
        else:
            pending.append(clause)
    if groups and pending and leftovers is not None and not any(
            looks_like_unit(name) or looks_like_group(name)
            for clause in pending for name in split_names(clause)):
        leftovers += pending
        pending = []
    return groups if groups and not pending else None


SUPPORT_KEYS = {key for key, role in UNIT_KEYS.items()
                if role == AssignmentRole.RESPONSIBLE and key not in UNDIFFERENTIATED
                and re.search(r"配合|协办|参与|协同", key)}


def _main_leads(note: Note, by_key: dict[str, list[ParsedUnit]]) -> None:
    """``责任单位:A;配合单位:B``: beside its 配合单位 and with no 牵头单位 named, the 责任单位
    is the one that leads."""
    if any(UNIT_KEYS.get(key) == AssignmentRole.LEAD for key in by_key) or not any(
            key in SUPPORT_KEYS and units for key, units in by_key.items()):
        return
    for key in UNDIFFERENTIATED & set(by_key):
        for unit in by_key[key]:
            unit.role = AssignmentRole.LEAD
        note.explicit_roles = True


def _keyed(note: Note, key: str, value: str) -> None:
    groups = _verb_groups(value) if key in UNIT_KEYS else None
    if groups and (len(groups) > 1 or groups[0][1] not in NEUTRAL_VERBS):
        # 责任单位:A、B分别牵头,C配合 — the verbs say the roles, not the key
        for names, verb in groups:
            _add(note, names, VERB_ROLES.get(verb, AssignmentRole.RESPONSIBLE))
        note.explicit_roles = True
        return
    if key in UNIT_KEYS:
        each = VERBS.match(value)
        if each and each.group("each"):
            value = each.group("names")
        _add(note, value, UNIT_KEYS[key])
        note.explicit_roles = note.explicit_roles or key not in UNDIFFERENTIATED
    elif value and (due := parse_deadline(value)):
        note.due_on = due
    elif value and deadline_in_year(value, 2000):
        note.due_text = value
    elif value and not is_ongoing(value):
        note.not_understood.append(f"{key}:{value}")


# 各区、县级市人民政府 / 各省、自治区、直辖市人民政府: one collective, 各 governs the whole list
COLLECTIVE_LIST = re.compile(r"各[\u4e00-\u9fa5]{1,3}(?:、[^、,，;；各]{1,4}){0,2}"
                             r"、[^、,，;；各]{1,12}?(?:人民政府|政府|管委会|办事处)")
# 各区、县级市 / 各有关区、县级市 / 各省、自治区、直辖市: levels of government listed under one 各
_LEVEL = r"(?:县级市|自治区|直辖市|自治州|新区|开发区|街道|乡镇|区|县|市|镇|乡|旗|州|盟)"
COLLECTIVE_LEVELS = re.compile(rf"各(?:有关|相关)?{_LEVEL}(?:、{_LEVEL})+(?=$|[,，;；、)）])")
# 各县（市、区）党委、政府: the party committees and the governments of each, one collective
PARTY_AND_GOVERNMENT = re.compile(r"各[^,，;；]{1,12}?党委、(?:人民)?政府")
KEEP = "\u2063"  # stands for 、 inside a collective while the list is split


def unit_names(text: str) -> list[str]:
    """Names of a list: 、，; separate, so does 及 between two names; 区财政局等(部门) →
    区财政局; a collective phrase (各区、县级市人民政府) stays one name."""
    for collective in (PARTY_AND_GOVERNMENT, COLLECTIVE_LIST, COLLECTIVE_LEVELS):
        text = collective.sub(lambda m: m.group(0).replace("、", KEEP), text)
    names = []
    for name in (part.replace(KEEP, "、") for part in split_names(text)):
        for part in re.split(r"(?<=[\u4e00-\u9fa5)）])及(?=[\u4e00-\u9fa5])", name):
            part = part.strip()
            stripped = TRAILING_ETC.sub("", part)
            if len(stripped) >= 2 or (stripped and stripped == part):
                names.append(stripped)
    return names


def _add(note: Note, names: str, role: str) -> None:
    known = {unit.name for unit in note.units}
    for name in unit_names(names):
        if mark := ROLE_MARK.search(name):
            name = name[: mark.start()].strip()
            note.explicit_roles = True
            if mark.group(1).startswith(("牵头", "主责")):
                note.units = [u for u in note.units if u.name != name]
                known.discard(name)
                note.units.append(ParsedUnit(name=name, role=AssignmentRole.LEAD,
                                             collective=looks_like_group(name)))
                known.add(name)
                continue
        if len(name) > MAX_NAME:
            note.not_understood.append(f"单位名称过长：{name}")
        elif not looks_like_unit(name) and not looks_like_group(name):
            # 不再做分工, 下同, a sentence: never a department without a person's yes
            note.not_understood.append(f"存疑的单位名称（未导入）：{name}")
        elif name not in known:
            known.add(name)
            note.units.append(ParsedUnit(name=name, role=role, collective=looks_like_group(name)))


def apply_first_is_lead(note: Note) -> None:
    """The document-wide rule: in a plain list of units, the first one listed leads."""
    if note.units and not note.explicit_roles:
        note.units[0].role = AssignmentRole.LEAD
