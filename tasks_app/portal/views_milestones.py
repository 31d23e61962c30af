"""The lead department's planning page: a task's dated 节点 (add, change, complete, delete)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from departments.access import access_for
from departments.models import Department

from ..choices import AssignmentRole
from ..models import Milestone
from ..permissions import department_ids_on_task, plans_milestones
from ..selectors import portal as selectors
from ..services.milestones import (
    milestone_create,
    milestone_data,
    milestone_delete,
    milestone_update,
)
from .common import not_found_if_denied
from .forms import MilestoneForm


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
