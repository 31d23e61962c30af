"""The header of a work plan reported without a document number (a news report of a plan).

``2023年,哈尔滨新区将突出抓好十个方面工作…`` gives the year and the issuer; the plan is
titled ``哈尔滨新区2023年工作计划`` and gets a stable generated code (common.generated_code).
"""

import re

from django.utils.translation import gettext

from .common import generated_code
from .document import ImportFailed, ParsedPlan

LEAD_SENTENCE = re.compile(r"(?P<year>\d{4})年\s*[,，]\s*(?P<issuer>[\u4e00-\u9fa5]{2,15}?)将")


def work_plan_header(lines: list[tuple[int, str]], source_format: str) -> ParsedPlan:
    """Header fields from the first sentence naming the year and the issuer."""
    match = next((m for _, line in lines[:20] if (m := LEAD_SENTENCE.search(line))), None)
    if match is None:
        raise ImportFailed(gettext("未找到计划年度和发布单位"
                                   "（应有“2023年，哈尔滨新区将……”这样的导语）"),
                           lines[0][0] if lines else 1)
    year, issuer = int(match.group("year")), match.group("issuer")
    title = f"{issuer}{year}年工作计划"
    return ParsedPlan(
        code=generated_code(issuer, title, year), title=title, source_format=source_format,
        issuer=issuer, period_start=year, period_end=year,
    )
