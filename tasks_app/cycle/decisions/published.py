"""Emails for a published quarterly bulletin and a published (or finalised) assessment.

The records services publish what is due and return the newly published rows; the cycle's
bulletin and assessment steps pass them here. A bulletin goes to the lead office and the
managers (and their robots); an assessment also to the heads of every department scored.
"""

from collections import defaultdict

from common.formatting import cn_datetime
from notifications.choices import Kind
from notifications.drafts import Draft, draft_render
from notifications.links import page_url

from ...models import Assessment, Bulletin, DepartmentScore
from ..context import CycleContext


def bulletin_drafts(ctx: CycleContext, bulletins: list[Bulletin]) -> list[Draft]:
    drafts = []
    for bulletin in bulletins:
        context = {"bulletin": bulletin, "plan": bulletin.plan,
                   "published": cn_datetime(bulletin.published_at or ctx.now)}
        for recipient in ctx.audience.leaders + ctx.audience.manager_hooks:
            drafts.append(draft_render(
                kind=Kind.BULLETIN, key=f"bulletin:{bulletin.pk}", recipient=recipient,
                context=context, url=page_url("records:bulletin", bulletin.pk)))
    return drafts


def assessment_drafts(ctx: CycleContext, assessments: list[Assessment]) -> list[Draft]:
    if not assessments:
        return []
    scores = defaultdict(list)
    for score in (DepartmentScore.objects.filter(assessment__in=assessments)
                  .select_related("department").order_by("rank", "department__name")):
        scores[score.assessment_id].append(score)
    drafts = []
    for assessment in assessments:
        ranking = scores[assessment.pk]
        heads = [head for score in ranking for head in ctx.audience.heads[score.department_id]]
        recipients = list(dict.fromkeys(ctx.audience.leaders + heads))
        context = {"assessment": assessment, "plan": assessment.plan, "ranking": ranking,
                   "contestable": assessment.state == Assessment.State.PUBLISHED}
        for recipient in recipients + ctx.audience.manager_hooks:
            drafts.append(draft_render(
                kind=Kind.ASSESSMENT, key=f"assessment:{assessment.pk}:{assessment.state}",
                recipient=recipient, context=context,
                url=page_url("records:assessment", assessment.pk)))
    return drafts
