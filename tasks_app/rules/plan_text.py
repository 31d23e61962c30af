"""Schedule settings a plan's own text demands, decided when the plan is first imported."""

import re

# "党工委、管委会每季度专题研究重点项目……", "每季度召开一次专题研究会议", "季度专题研究"
QUARTERLY_REVIEW = re.compile(r"每(个)?季度[^。；;\n]{0,30}?专题研究|季度专题研究")


def demands_quarterly_review(text: str) -> bool:
    """Whether the plan requires a quarterly 专题研究 (党工委、管委会)."""
    return bool(QUARTERLY_REVIEW.search(text or ""))


def schedule_from_text(text: str) -> dict[str, bool]:
    """The Schedule fields to set on a new plan whose text demands them."""
    return {"quarterly_review": True} if demands_quarterly_review(text) else {}
