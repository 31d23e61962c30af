"""The lead office's desk (督办台): what waits in the lifecycle across all plans; and the
page where the lead office creates a supervised item (督办事项)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from departments.access import access_for
from departments.models import Department

from ..models import Plan
from ..selectors.desk import desk as desk_data
from ..selectors.desk import desk_params
from ..selectors.owed import owed_by_plan
from ..services.lifecycle.items import supervised_item_create
from .common import today
from .forms import ServiceErrorsMixin
from .forms_lifecycle import ItemForm


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """What needs a decision first; filtered by plan and department (the API's parameters)."""
    access = access_for(request.user)
    if not access.reads_everything:
        raise Http404
    params, status, errors = desk_params(request.GET), 200, None
    try:
        data = desk_data(today(), drafts=access.is_lead_office, params=params)
    except ValidationError as error:
        status, errors = 400, error.message_dict
        data = desk_data(today(), drafts=access.is_lead_office)
    return render(request, "portal/desk.html", {
        "desk": data, "today": today(), "lead_office": access.is_lead_office,
        "filter_errors": errors}, status=status)


@login_required
def desk_reports(request: HttpRequest) -> HttpResponse:
    """The desk's owed reports per plan, a page of plans: 待报送 and 逾期未报 (loaded by htmx
    with the desk's own parameters; ``plans`` is the page)."""
    if not access_for(request.user).reads_everything:
        raise Http404
    return render(request, "portal/_desk_reports.html",
                  {"owed": owed_by_plan(today(), request.GET.get("plans"))})


class _ItemForm(ServiceErrorsMixin, ItemForm):
    pass


@login_required
@require_http_methods(["GET", "POST"])
def item_new(request: HttpRequest) -> HttpResponse:
    """A new 督办事项 from a meeting, an instruction or a document (lead office only)."""
    if not access_for(request.user).is_lead_office:
        raise Http404
    choices = {"plans": Plan.objects.filter(is_active=True).order_by("-signed_on", "code"),
               "departments": Department.objects.filter(is_active=True).order_by("name")}
    form = _ItemForm(request.POST or None, **choices)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            units = {d.pk: d for d in choices["departments"]}
            try:
                task = supervised_item_create(
                    plan=Plan.objects.get(pk=data["plan"]), data=form.item_data(),
                    actor=request.user, lead_department=units.get(data["lead_department"]),
                    departments=[units[pk] for pk in data["departments"] if pk in units])
            except PermissionDenied as error:
                raise Http404 from error
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("已新建督办事项，等待各部门签收。"))
                return redirect("portal:task", pk=task.pk)
        status = 422
    return render(request, "portal/item_new.html", {"form": form}, status=status)
