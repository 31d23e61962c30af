"""Numeric goals written in running text: annual targets and item-level quantified goals.

- growth: ``全区地区生产总值增长6.5%左右`` → 地区生产总值, 6.5, %, 左右, kind growth;
- in step: ``城乡居民人均可支配收入与GDP增速同步`` → no value, qualifier 与GDP增速同步;
- quantity: ``力争全年招商引资项目数量突破100个`` → 招商引资项目数量, 100, 个, 力争突破.

A clause is a goal only when the whole clause reads as one (a name, a verb or a 力争/确保/计划
lead, a number, a unit, an optional 以上/左右): ``瞄准世界500强`` or ``10万吨污水厂项目建设``
are not goals. Names are the clause's own words without region prefix or lead words.
"""

import re
from decimal import Decimal

from ..choices import TargetKind
from .common import REGION_PREFIX, split_top
from .document import ParsedPlan, ParsedTarget

LEAD = r"(?P<lead>力争|确保|计划|预计)?(?:实现|完成)?(?:全年|年内)?"
QUALIFIER = r"(?P<qualifier>左右|以上|以内|以下)?"
GROWTH = re.compile(
    rf"^{LEAD}(?P<name>.+?)(?P<verb>同比增长|增长|增速|提高|下降)(?:达到)?"
    rf"(?P<value>\d+(?:\.\d+)?)(?P<unit>%|个百分点){QUALIFIER}$"
)
IN_STEP = re.compile(r"^(?P<name>.+?)(?:增长|增速)?(?P<qualifier>与.{1,12}?同步)$")
UNITS = (r"万平方米|平方米|万千瓦|千瓦|万吨|吨|万亩|亩|公里|千米|亿美元|万美元|亿元|万元|元|"
         r"万户|户|万人|人次|人|名|家|个|项|所|套|座|条|场|次|件|台|辆|张|只|批")
QUANTITY = re.compile(
    rf"^{LEAD}(?P<name>.+?)(?P<verb>突破|达到|超过|不少于|不低于|超|达)?"
    rf"(?P<value>\d+(?:\.\d+)?|[一二两三四五六七八九十]?[十百千万])(?P<unit>{UNITS}){QUALIFIER}$"
)
CN_VALUES = {"十": 10, "百": 100, "千": 1000, "万": 10000}
CN_DIGIT = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
            "九": 9}
GENERIC_NAMES = ("总数", "总量", "总额", "规模", "数量")


def _value(text: str) -> Decimal:
    if text[0].isdigit():
        return Decimal(text)
    multiplier = CN_VALUES[text[-1]]
    return Decimal(CN_DIGIT.get(text[0], 1) * multiplier)


MAX_NAME = 30  # a longer "name" is a sentence that merely ends in a number


def _name(raw: str) -> str:
    return REGION_PREFIX.sub("", raw).strip()


def clause_target(clause: str, *, line: int, year: int | None,
                  strict: bool = True) -> ParsedTarget | None:
    """The goal a clause states, or None. ``strict`` needs a verb, a lead or a qualifier."""
    clause = clause.strip()
    target = _clause_target(clause, line=line, year=year, strict=strict)
    return target if target is not None and len(target.name) <= MAX_NAME else None


def _clause_target(clause: str, *, line: int, year: int | None,
                   strict: bool) -> ParsedTarget | None:
    if match := GROWTH.match(clause):
        return ParsedTarget(
            name=_name(match.group("name")), value=Decimal(match.group("value")),
            unit=match.group("unit"), year=year, line=line, kind=TargetKind.GROWTH,
            qualifier=match.group("qualifier") or "", source_text=clause,
        )
    if match := IN_STEP.match(clause):
        return ParsedTarget(name=_name(match.group("name")), value=None, unit="", year=year,
                            line=line, kind=TargetKind.GROWTH,
                            qualifier=match.group("qualifier"), source_text=clause)
    match = QUANTITY.match(clause)
    if not match or re.search(r"[“”\"《》()（）]", match.group("name")):
        return None
    lead, verb, qualifier = (match.group(n) or "" for n in ("lead", "verb", "qualifier"))
    if strict and not (lead or verb or qualifier):
        return None
    return ParsedTarget(
        name=_name(match.group("name")), value=_value(match.group("value")),
        unit=match.group("unit"), year=year, line=line, kind=TargetKind.QUANTITY,
        qualifier=qualifier or (lead if lead == "力争" else "") + verb or lead,
        source_text=clause,
    )


def line_targets(text: str, *, line: int, year: int | None) -> list[ParsedTarget] | None:
    """Every goal of a line listing annual targets; None when any clause is not a goal."""
    found = []
    for clause in split_top(text.rstrip("。"), ",，;；"):
        target = clause_target(clause, line=line, year=year, strict=False)
        if target is None:
            return None
        found.append(target)
    return found or None


def item_targets(text: str, *, line: int, year: int | None,
                 driver_number: int | None) -> list[ParsedTarget]:
    """The quantified goals inside an item's text, each with the sentence it comes from.

    A bare 总数/总量 (``确保全年净增高新技术企业200家以上,总数突破1500家``) is named after
    the goal before it in the same sentence: 高新技术企业总数.
    """
    found: list[ParsedTarget] = []
    for sentence in re.findall(r"[^。！；;]+[。！；;]?", text):
        previous: ParsedTarget | None = None
        for clause in split_top(sentence.rstrip("。！；;"), ",，、"):
            target = clause_target(clause, line=line, year=year)
            if target is None:
                continue
            if target.name in GENERIC_NAMES and previous is not None:
                target.name = re.sub(r"^(?:净增|新增|累计)", "", previous.name) + target.name
            target.source_text = sentence.strip()
            target.driver_number = driver_number
            found.append(target)
            previous = target
    return found


def targets_add(plan: ParsedPlan, found: list[ParsedTarget]) -> None:
    """Add goals to the plan; a second goal with a name already taken for the same year is
    listed as not understood rather than overwriting the first (targets are keyed by name)."""
    taken = {(target.name, target.year) for target in plan.targets}
    for target in found:
        if (target.name, target.year) in taken:
            plan.unparsed.append((target.line, f"指标重名：{target.source_text}"))
        else:
            taken.add((target.name, target.year))
            plan.targets.append(target)
