"""Bulletin and assessment pages: thin views over the records selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from departments.access import access_for
from tasks_app.documents.presenters import bulletin_tables

from ..documents.assessment import assessment_filename, assessment_pdf, assessment_workbook
from ..documents.bulletin import bulletin_filename, bulletin_pdf, bulletin_workbook
from ..documents.pdf import pdf_download
from ..documents.stored import stored_pdf, stored_xlsx
from ..documents.xlsx import download
from ..models import Assessment, Bulletin, DepartmentScore
from ..portal.bar_charts import bulletin_charts
from ..portal.charts import progress_chart
from ..record_dates import quarter_months
from ..selectors.overview import plan_progress_series
from ..selectors.records import bulletin_index, ranking, visible_assessments, visible_bulletins
from ..services.assessments import score_contest

RECORDS_PAGE_SIZE = 50  # newest first; four years of a city's quarters are pages away


@login_required
def bulletin_list(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    bulletins = Paginator(bulletin_index(access), RECORDS_PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "records/bulletin_list.html", {
        "bulletins": bulletins, "access": access})


@login_required
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = get_object_or_404(visible_bulletins(access_for(request.user)), pk=pk)
    last_month = quarter_months(bulletin.year, bulletin.quarter)[-1]
    return render(request, "records/bulletin_detail.html", {
        "bulletin": bulletin, "content": bulletin.content,
        "tables": bulletin_tables(bulletin.content), "charts": bulletin_charts(bulletin.content),
        "progress": progress_chart(plan_progress_series(bulletin.plan, last_month), last_month)})


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    assessments = Paginator(visible_assessments(access_for(request.user)),
                            RECORDS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "records/assessment_list.html", {"assessments": assessments})


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
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("已提出申诉：%(department)s，请等待牵头办公室答复。")
                         % {"department": score.department.name})
    return redirect("records:assessment", pk=assessment.pk)


# ---------------------------------------------------------------- downloads (same visibility)


def _bulletin(request: HttpRequest, pk: int) -> Bulletin:
    return get_object_or_404(visible_bulletins(access_for(request.user)), pk=pk)


def _assessment(request: HttpRequest, pk: int) -> Assessment:
    return get_object_or_404(visible_assessments(access_for(request.user)), pk=pk)


@login_required
def bulletin_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin(request, pk)
    return pdf_download(stored_pdf(bulletin, bulletin_pdf), bulletin_filename(bulletin, "pdf"))


@login_required
def bulletin_xlsx_view(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin(request, pk)
    return download(stored_xlsx(bulletin, bulletin_workbook),
                    bulletin_filename(bulletin, "xlsx"))


@login_required
def assessment_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    return pdf_download(stored_pdf(assessment, assessment_pdf),
                        assessment_filename(assessment, "pdf"))


@login_required
def assessment_xlsx_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    return download(stored_xlsx(assessment, assessment_workbook),
                    assessment_filename(assessment, "xlsx"))
