"""Read paths for the records pages: who may read which bulletin and assessment.

Published bulletins and published or final assessments are for every logged-in user;
drafts only for the lead office and managers. Anything else is invisible (404).
"""

from django.db.models import QuerySet

from departments.access import Access

from ..models import Assessment, Bulletin, DepartmentScore

# A bulletin's documents, left out of lists (a city plan's content is ~140 KB).
BULLETIN_DOCUMENTS = ("content", "department_rates")


def visible_bulletins(access: Access, queryset: QuerySet[Bulletin] | None = None,
                      ) -> QuerySet[Bulletin]:
    """The bulletins the user may read, of ``queryset`` (default: all, newest first, with
    their plans)."""
    bulletins = (Bulletin.objects.select_related("plan").order_by("-year", "-quarter", "plan_id")
                 if queryset is None else queryset)
    if access.reads_everything:
        return bulletins
    if access.user_id is None:
        return bulletins.none()
    return bulletins.filter(state=Bulletin.State.PUBLISHED)


def bulletin_index(access: Access) -> QuerySet[Bulletin]:
    """The list page's bulletins, without their documents."""
    return visible_bulletins(access).defer(*BULLETIN_DOCUMENTS)


def visible_assessments(access: Access, queryset: QuerySet[Assessment] | None = None,
                        ) -> QuerySet[Assessment]:
    """The assessments the user may read, of ``queryset`` (default: all, newest first, with
    their plans)."""
    assessments = (Assessment.objects.select_related("plan").order_by("-year", "plan_id")
                   if queryset is None else queryset)
    if access.reads_everything:
        return assessments
    if access.user_id is None:
        return assessments.none()
    return assessments.exclude(state=Assessment.State.DRAFT)


def ranking(assessment: Assessment) -> QuerySet[DepartmentScore]:
    """The assessment's scores in rank order, with their departments (one query)."""
    return (assessment.scores.select_related("department")
            .order_by("rank", "-total", "department__name"))
