"""The header of a plan in the common government style: title, number, issuer, date, year.

Lines before the first heading or task are the header; the title is the 《…》 of a
``关于印发《…》的通知`` or the first line naming a 方案/计划/清单…; the issuer is the line
above a date line ``2024年3月1日``. A plan without a document number gets a generated code.
"""

import re

from .common import DOC_NUMBER, clean_line, generated_code, parse_chinese_date
from .document import ParsedPlan
from .notes import find_rule

TITLE_WORDS = re.compile(r"(?:方案|计划|安排|要点|清单|分工|任务|意见|措施|举措)")
IN_NOTICE = re.compile(r"《([^《》]+)》")
NOTICE_OF = re.compile(r"关于印发\s*(.+?)\s*的通知$")
WEB_NOISE = re.compile(r"^(?:当前位置|您的位置|您现在的位置|所在位置|首页|索\s*引\s*号|发布时间|"
                       r"发布日期|来源|分享|浏览|字号|打印|.{0,12}(?:网|文库)\b)|>\s*$|--")
SIGNED = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
PERIOD = re.compile(r"(\d{4})\s*(?:[-—–－~至]|年\s*[-—–－~至])\s*(\d{4})\s*年")
YEAR = re.compile(r"(\d{4})\s*年")
BODY_START = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十]+[)）]|\d{1,3}\s*(?:[.．](?!\d)|、))"
)


def list_header(
    lines: list[tuple[int, str]], source_format: str, *, body_start: re.Pattern = BODY_START
) -> tuple[ParsedPlan, list[tuple[int, str]]]:
    """The plan's header fields and the remaining (body) lines."""
    start = next((i for i, (_, line) in enumerate(lines) if body_start.match(clean_line(line))),
                 len(lines))
    head, body = lines[:start], lines[start:]
    tail = _signature(body)
    head, body = head + tail, body[: len(body) - len(tail)]
    texts = [clean_line(line) for _, line in head]
    # the plan's own number stands on a short line; one cited in a sentence is another's
    code = next((m.group(0) for text in texts
                 if len(text) <= 60 and "《" not in text and (m := DOC_NUMBER.search(text))), "")
    code = re.sub(r"^(?:发文字号|文件编号|文号|字号)", "", code)
    title_index = _title_index(texts)
    title = texts[title_index] if title_index is not None else "未命名计划"
    if title_index is not None and "印发" in title and (notice := IN_NOTICE.search(title)):
        title = notice.group(1)
    elif title_index is not None and (notice := NOTICE_OF.search(title)):
        title = notice.group(1)  # 长兴县人民政府办公室关于印发2023年…责任分解的通知
    title = re.sub(r"(?<=[\u4e00-\u9fa5])\s+(?=[\u4e00-\u9fa5])", "", title)  # 分解 和 → 分解和
    signed_index = next((i for i, text in enumerate(texts) if SIGNED.match(text)), None)
    signed_on = parse_chinese_date(texts[signed_index]) if signed_index is not None else None
    issuer = _issuer(texts, title_index, signed_index)
    period = PERIOD.search(title)
    year = YEAR.search(title)
    start_year = int(period.group(1)) if period else int(year.group(1)) if year else (
        signed_on.year if signed_on else None)
    end_year = int(period.group(2)) if period else start_year
    plan = ParsedPlan(
        code=code or generated_code(issuer, title, start_year,
                                    extra=_untitled_key(title, body)), title=title,
        source_format=source_format, issuer=issuer, signed_on=signed_on,
        period_start=start_year, period_end=end_year,
    )
    used = {title_index, signed_index, signed_index - 1 if signed_index else None}
    used |= {i for i, text in enumerate(texts) if code and code in text}
    for index, text in enumerate(texts):  # 列第一位的为牵头单位 stated in the notice
        if (rule := find_rule(text)) and rule not in plan.rules:
            plan.rules.append(rule)
            used.add(index)
    plan.unparsed.extend(item for i, item in enumerate(head) if i not in used)
    return plan, body


def _untitled_key(title: str, body: list[tuple[int, str]]) -> str:
    """Untitled plans differ by their first lines, so their generated codes differ too."""
    return "" if title != "未命名计划" else "".join(line for _, line in body[:3])


def _signature(body: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The issuer and date lines closing the document, when it ends with them."""
    if len(body) >= 2 and SIGNED.match(clean_line(body[-1][1])):
        issuer = clean_line(body[-2][1])
        return body[-2:] if not BODY_START.match(issuer) and len(issuer) <= 40 else body[-1:]
    return []


def _issuer(texts: list[str], title_index: int | None, signed_index: int | None) -> str:
    """The line above the date (not the title), or the 发文单位 of a 关于印发 title."""
    if signed_index and signed_index - 1 != title_index:
        return texts[signed_index - 1]
    title = texts[title_index] if title_index is not None else ""
    match = re.match(r"^(.{2,30}?)关于印发", title)
    return match.group(1).strip() if match else ""


def _title_index(texts: list[str]) -> int | None:
    """The title line; a web page's breadcrumb, site name or metadata is never the title."""
    for index, text in enumerate(texts):
        if "印发" in text and (IN_NOTICE.search(text) or NOTICE_OF.search(text)) \
                and len(text) <= 80 and not WEB_NOISE.search(text):
            return index
    for index, text in enumerate(texts):
        if TITLE_WORDS.search(text) and len(text) <= 80 and not text.endswith(("。", "：", ":")) \
                and not WEB_NOISE.search(text):
            return index
    return 0 if texts and len(texts[0]) <= 80 else None
