"""Read paths for the cycle's records: meetings, quarterly bulletins, annual assessments.

Departments see every meeting but only the decisions addressed to them, and bulletins and
assessments once published; managers and the lead office see everything.
"""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from departments.access import Access

from ..models import Assessment, Bulletin, DepartmentScore, Meeting, MeetingDecision


def meeting_list(access: Access) -> QuerySet[Meeting]:
    decisions = MeetingDecision.objects.prefetch_related("departments").order_by("id")
    if not access.reads_everything:
        addressed = MeetingDecision.departments.through.objects.filter(
            meetingdecision_id=OuterRef("pk"), department_id__in=access.department_ids)
        decisions = decisions.filter(Exists(addressed))
    return Meeting.objects.prefetch_related(
        Prefetch("decisions", decisions, to_attr="visible_decisions"))


def bulletin_list(access: Access) -> QuerySet[Bulletin]:
    if access.reads_everything:
        return Bulletin.objects.all()
    return Bulletin.objects.filter(state=Bulletin.State.PUBLISHED)


def assessment_list(access: Access) -> QuerySet[Assessment]:
    scores = DepartmentScore.objects.select_related("department").order_by(
        "rank", "department__name")
    assessments = Assessment.objects.prefetch_related(Prefetch("scores", scores))
    if access.reads_everything:
        return assessments
    return assessments.filter(state__in=[Assessment.State.PUBLISHED, Assessment.State.FINAL])
