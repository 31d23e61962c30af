"""What the preview warns of before an import: a result that may be wrong is never silent.

Pure functions of a :class:`ParsedPlan` (no database): the corpus score uses them to check
that every document is either read exactly or flagged.
"""

from django.utils.translation import gettext

from .document import SCORE_THRESHOLD, ParsedPlan

DOUBTFUL = "存疑的单位名称"  # notes.py lists names that look like no unit under this prefix
LONG_TITLE = 60  # a longer title has probably swallowed the next sentence or item


def plan_warnings(plan: ParsedPlan) -> list[str]:
    """Reasons to check the preview closely, in the words the preview shows."""
    warnings = []
    score = plan.score
    if score is not None and score.score < SCORE_THRESHOLD:
        warnings.append(gettext("识别得分 %(score)s，低于 %(threshold)s：导入前须确认结果无误") % {
            "score": score.score, "threshold": SCORE_THRESHOLD})
    tasks = plan.tasks
    unassigned = [task.number for task in tasks if not task.units]
    if unassigned and len(unassigned) < len(tasks):
        warnings.append(gettext(
            "%(count)s 项任务未读出责任单位（第 %(numbers)s 项），请核对原文") % {
            "count": len(unassigned), "numbers": "、".join(map(str, unassigned[:20]))})
    first = min((task.line for task in tasks), default=0)
    doubtful = [text for _, text in plan.unparsed if text.startswith(DOUBTFUL)]
    if doubtful:
        warnings.append(gettext("%(count)s 个名称不像单位，未导入：%(names)s") % {
            "count": len(doubtful),
            "names": "、".join(text.split(":", 1)[-1] for text in doubtful[:10])})
    between = sum(1 for line, text in plan.unparsed
                  if line > first and not text.startswith(DOUBTFUL))
    if between:
        warnings.append(gettext("任务之间有 %(count)s 行未能识别（见“未识别的行”）")
                        % {"count": between})
    long_titles = [task.number for task in tasks if len(task.title) > LONG_TITLE]
    if long_titles:
        warnings.append(gettext("第 %(numbers)s 项任务的标题超过 %(limit)s 字，可能未正确断句") % {
            "numbers": "、".join(map(str, long_titles[:20])), "limit": LONG_TITLE})
    seen: dict[str, int] = {}
    repeated = [task.number for task in tasks if seen.setdefault(task.title, task.number)
                != task.number]
    if repeated:  # a task cell merged over several rows (PDF/Excel) is read once per row
        warnings.append(gettext("第 %(numbers)s 项任务与前面的任务标题相同，请核对是否重复") % {
            "numbers": "、".join(map(str, repeated[:20]))})
    return warnings
