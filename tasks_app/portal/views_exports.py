"""Export jobs in the portal: ask for a large ledger, watch it being built, download it.
A job is visible only to the user who asked for it (404 for anyone else)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from ..documents.xlsx import XLSX_TYPE, attachment_disposition
from ..models import ExportJob
from ..services.exports import export_ledger_start, ledger_params


def _own_job(request: HttpRequest, pk: int) -> ExportJob:
    return get_object_or_404(ExportJob, pk=pk, owner=request.user)


@login_required
@require_http_methods(["GET", "POST"])
def export_ledger(request: HttpRequest) -> HttpResponse:
    """GET: what will be exported and a button; POST: queue the job, go to its page."""
    source = request.POST if request.method == "POST" else request.GET
    try:
        params = ledger_params(source)
    except ValidationError as error:
        return render(request, "portal/export_new.html",
                      {"errors": error.message_dict, "params": []}, status=400)
    if request.method == "POST":
        job = export_ledger_start(owner=request.user, params=params)
        return redirect("portal:export", pk=job.pk)
    pairs = [(name, value) for name, given in params.items()
             for value in (given if isinstance(given, list) else [given])]
    return render(request, "portal/export_new.html", {"params": pairs, "errors": {}})


@login_required
@require_GET
def exports(request: HttpRequest) -> HttpResponse:
    jobs = ExportJob.objects.filter(owner=request.user)[:20]
    return render(request, "portal/exports.html", {"jobs": jobs})


@login_required
@require_GET
def export(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's page; its status box refreshes itself (htmx) until the job is finished."""
    return render(request, "portal/export.html", {"job": _own_job(request, pk)})


@login_required
@require_GET
def export_status(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "portal/_export_status.html", {"job": _own_job(request, pk)})


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _own_job(request, pk)
    if job.state != ExportJob.State.DONE or not job.file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, content_type=XLSX_TYPE)
    response["Content-Disposition"] = attachment_disposition(job.filename)
    response["Cache-Control"] = "private, no-store"
    return response
