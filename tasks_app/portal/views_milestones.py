"""The lead department's planning page: a task's dated 节点 (add, change, complete, delete),
and the same by Excel (download, upload, preview, confirm)."""

import datetime
from dataclasses import asdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from departments.access import access_for
from departments.models import Department

from ..choices import AssignmentRole
from ..documents.milestone_sheet import (
    milestone_entries,
    milestone_filename,
    milestone_problem_rows,
    milestone_workbook,
)
from ..documents.xlsx import download
from ..models import Milestone
from ..permissions import department_ids_on_task, plans_milestones
from ..selectors import portal as selectors
from ..services.milestone_sheets import MilestoneEntry, milestones_save_bulk
from ..services.milestones import (
    milestone_create,
    milestone_data,
    milestone_delete,
    milestone_update,
)
from ..services.report_sheets import SheetRejected
from .common import not_found_if_denied
from .forms import MilestoneForm, SheetFileForm


def _form(milestone: Milestone | None, choices, data=None) -> MilestoneForm:
    prefix = f"m{milestone.pk}" if milestone else "new"
    initial = {}
    if milestone is not None:
        initial = {"title": milestone.title, "due_on": milestone.due_on,
                   "completed_on": milestone.completed_on, "version": milestone.version,
                   "departments": [d.pk for d in milestone.departments.all()]}
    return MilestoneForm(data, prefix=prefix, initial=initial, departments=choices)


@login_required
@require_http_methods(["GET", "POST"])
def milestones(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request.user)
    with not_found_if_denied():
        task = selectors.visible_task(access, pk)
    ids = department_ids_on_task(task)
    leads = {d for d, role in ids.items() if role == AssignmentRole.LEAD}
    if not plans_milestones(access, leads_task=bool(leads & access.department_ids)):
        raise Http404
    choices = list(Department.objects.filter(pk__in=ids).order_by("name")
                   .values_list("pk", "name"))
    rows = list(task.milestones.prefetch_related("departments"))
    forms = {m.pk: _form(m, choices) for m in rows}
    new_form = _form(None, choices)
    status = 200
    if request.method == "POST":
        target = request.POST.get("milestone", "new")
        milestone = None
        if target != "new":
            milestone = get_object_or_404(Milestone, pk=target, task=task)
        reason = _("牵头部门在门户调整节点")
        form = _form(milestone, choices, request.POST)
        if request.POST.get("action") == "delete" and milestone is not None:
            form.full_clean()  # only the version is read
            try:
                milestone_delete(milestone=milestone, actor=request.user, reason=reason,
                                 expected_version=form.cleaned_data.get("version"))
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("已删除节点：%(title)s") % {"title": milestone.title})
                return redirect("portal:milestones", pk=task.pk)
        elif form.is_valid():
            data = milestone_data(form.cleaned_data)
            try:
                if milestone is None:
                    milestone_create(task=task, data=data, actor=request.user, reason=reason)
                else:
                    milestone_update(milestone=milestone, data=data, actor=request.user,
                                     reason=reason,
                                     expected_version=form.cleaned_data.get("version"))
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("节点已保存。"))
                return redirect("portal:milestones", pk=task.pk)
        status = 400
        if milestone is None:
            new_form = form
        else:
            forms[milestone.pk] = form
    return render(request, "portal/milestones.html", {
        "task": task, "rows": [(m, forms[m.pk]) for m in rows], "new_form": new_form,
    }, status=status)


# ---------------------------------------------------------------- Excel: download, upload,
# preview (every row checked by the services, nothing kept), confirm (all or nothing)

SHEET_SALT = "duban.milestone-sheet"
SHEET_MAX_AGE = 3600


def _planned_task(request: HttpRequest, pk: int):
    """The task, when the user plans its 节点 (lead office, its lead department); and its
    departments (id → role)."""
    access = access_for(request.user)
    with not_found_if_denied():
        task = selectors.visible_task(access, pk)
    ids = department_ids_on_task(task)
    leads = {d for d, role in ids.items() if role == AssignmentRole.LEAD}
    if not plans_milestones(access, leads_task=bool(leads & access.department_ids)):
        raise Http404
    return task, ids


@login_required
@require_GET
def milestones_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    task, _ids = _planned_task(request, pk)
    rows = list(task.milestones.prefetch_related("departments"))
    return download(milestone_workbook(task, rows), milestone_filename(task))


@login_required
@require_http_methods(["GET", "POST"])
def milestones_upload(request: HttpRequest, pk: int) -> HttpResponse:
    task, ids = _planned_task(request, pk)
    reason = _("牵头部门在门户以 Excel 调整节点")
    form, problems, preview, payload, status = SheetFileForm(), [], None, "", 200
    if request.method == "POST" and "confirm" in request.POST:
        try:
            data = signing.loads(request.POST["confirm"], salt=SHEET_SALT,
                                 max_age=SHEET_MAX_AGE)
        except signing.BadSignature:
            messages.error(request, _("预览已过期，请重新上传。"))
            return redirect("portal:milestones_upload", pk=task.pk)
        if data["user"] != request.user.pk or data["task"] != task.pk:
            raise Http404
        entries = [_entry(entry) for entry in data["entries"]]
        try:
            result = milestones_save_bulk(task=task, entries=entries, user=request.user,
                                          reason=reason)
        except SheetRejected as error:
            problems, status = milestone_problem_rows(error.problems), 422
        else:
            messages.success(request, _("节点已导入：新增 %(created)d 个，修改 %(changed)d 个，"
                                        "未改动 %(same)d 个。") % {
                "created": len(result.created), "changed": len(result.changed),
                "same": len(result.unchanged)})
            return redirect("portal:milestones", pk=task.pk)
    elif request.method == "POST":
        form = SheetFileForm(request.POST, request.FILES)
        if form.is_valid():
            names = dict(Department.objects.filter(pk__in=ids).values_list("name", "pk"))
            try:
                entries = milestone_entries(form.cleaned_data["file"], task, names)
                preview = milestones_save_bulk(task=task, entries=entries, user=request.user,
                                               reason=reason, dry_run=True)
            except SheetRejected as error:
                problems, status = milestone_problem_rows(error.problems), 422
            else:
                payload = signing.dumps({
                    "user": request.user.pk, "task": task.pk,
                    "entries": [_plain(entry) for entry in entries]}, salt=SHEET_SALT)
        else:
            status = 422
    return render(request, "portal/milestones_upload.html", {
        "task": task, "form": form, "problems": problems, "preview": preview,
        "payload": payload}, status=status)


def _plain(entry: MilestoneEntry) -> dict:
    """An entry as JSON values (dates as ISO text) for the signed preview."""
    values = asdict(entry)
    return {**values, **{name: values[name].isoformat() if values[name] else None
                         for name in ("due_on", "completed_on")}}


def _entry(values: dict) -> MilestoneEntry:
    dates = {name: datetime.date.fromisoformat(values[name]) if values[name] else None
             for name in ("due_on", "completed_on")}
    return MilestoneEntry(**{**values, **dates,
                             "department_ids": tuple(values["department_ids"])})
