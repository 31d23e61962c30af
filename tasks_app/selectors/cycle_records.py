"""Read paths for the cycle's records: meetings, quarterly bulletins, annual assessments.

Departments see every meeting but only the decisions addressed to them, and bulletins and
assessments once published; managers and the lead office see everything.
"""

from django.db.models import CharField, Exists, OuterRef, Prefetch, QuerySet, Value
from django.db.models.functions import Cast, Concat

from departments.access import Access
from notifications.choices import Kind
from notifications.models import Notification

from ..models import Assessment, Bulletin, DepartmentScore, Meeting, MeetingDecision
from .records import BULLETIN_DOCUMENTS, visible_assessments, visible_bulletins


def meeting_list(access: Access) -> QuerySet[Meeting]:
    decisions = MeetingDecision.objects.prefetch_related("departments").order_by("id")
    if not access.reads_everything:
        addressed = MeetingDecision.departments.through.objects.filter(
            meetingdecision_id=OuterRef("pk"), department_id__in=access.department_ids)
        decisions = decisions.filter(Exists(addressed))
    return Meeting.objects.prefetch_related(
        Prefetch("decisions", decisions, to_attr="visible_decisions"))


def bulletin_list(access: Access, *, content: bool = False) -> QuerySet[Bulletin]:
    """The bulletins the user may read (:func:`.records.visible_bulletins`); ``content``:
    with their documents (a bulletin's page), else without (lists)."""
    bulletins = Bulletin.objects.all()
    return visible_bulletins(access, bulletins if content
                             else bulletins.defer(*BULLETIN_DOCUMENTS))


def assessment_list(access: Access, *, scores: bool = False) -> QuerySet[Assessment]:
    """The assessments the user may read (:func:`.records.visible_assessments`); ``scores``:
    with every department's score (an assessment's page), else without (lists)."""
    assessments = Assessment.objects.all()
    if scores:
        ranked = DepartmentScore.objects.select_related("department").order_by(
            "rank", "department__name")
        assessments = assessments.prefetch_related(Prefetch("scores", ranked))
    return visible_assessments(access, assessments)


def assessments_final_unannounced() -> list[Assessment]:
    """Finalised assessments whose final ranking has not been emailed yet (one query)."""
    announced = Notification.objects.filter(
        kind=Kind.ASSESSMENT,
        dedupe_key__startswith=Concat(Value("assessment:"), Cast(OuterRef("pk"), CharField()),
                                      Value(f":{Assessment.State.FINAL}:")))
    return list(Assessment.objects.filter(state=Assessment.State.FINAL, plan__is_active=True)
                .filter(~Exists(announced)).select_related("plan"))
