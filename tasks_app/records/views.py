"""Bulletin and assessment pages: thin views over the records selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from departments.access import access_for

from ..models import Assessment, DepartmentScore
from ..selectors.records import ranking, visible_assessments, visible_bulletins
from ..services.assessments import score_contest
from .presenters import bulletin_tables


@login_required
def bulletin_list(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    return render(request, "records/bulletin_list.html", {
        "bulletins": visible_bulletins(access), "access": access})


@login_required
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = get_object_or_404(visible_bulletins(access_for(request.user)), pk=pk)
    return render(request, "records/bulletin_detail.html", {
        "bulletin": bulletin, "content": bulletin.content,
        "tables": bulletin_tables(bulletin.content)})


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    return render(request, "records/assessment_list.html", {
        "assessments": visible_assessments(access_for(request.user))})


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request.user)
    assessment = get_object_or_404(visible_assessments(access), pk=pk)
    scores = list(ranking(assessment))
    open_for_contest = assessment.state == Assessment.State.PUBLISHED
    for score in scores:
        score.can_contest = (open_for_contest and access.heads(score.department_id)
                             and score.contest_state != DepartmentScore.ContestState.CONTESTED)
    return render(request, "records/assessment_detail.html", {
        "assessment": assessment, "scores": scores})


@login_required
@require_POST
def score_contest_view(request: HttpRequest, pk: int, score_pk: int) -> HttpResponse:
    assessment = get_object_or_404(visible_assessments(access_for(request.user)), pk=pk)
    score = get_object_or_404(assessment.scores.select_related("assessment", "department"),
                              pk=score_pk)
    try:
        score_contest(score=score, user=request.user, reason=request.POST.get("reason", ""))
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        messages.error(request, ";".join(error.messages))
    else:
        messages.success(request, _("已提出申诉:%(department)s,请等待牵头办公室答复。")
                         % {"department": score.department.name})
    return redirect("records:assessment", pk=assessment.pk)
