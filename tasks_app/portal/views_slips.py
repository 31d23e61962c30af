"""督办单 in the portal: the list (the lead office sees all, drafts included; a department
its own signed slips), one slip with signing and voiding (lead office), receipt and answer
(department), and its PDF."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..models import SupervisionSlip
from ..rules.machine import actor_roles
from ..rules.tables import SLIP
from ..selectors.lifecycle import visible_slips
from ..services.lifecycle.slip_pdf import slip_pdf as render_pdf
from ..services.lifecycle.slips import slip_answer, slip_receive, slip_sign, slip_void
from .common import int_param
from .forms_lifecycle import SlipAnswerForm, SlipVoidForm

SLIPS_SHOWN = 300


@login_required
def slips(request: HttpRequest) -> HttpResponse:
    """督办单 by year (this year by default), newest first, with counts by state."""
    visible = visible_slips(request.user)
    years = sorted({y for y in visible.values_list("year", flat=True) if y}, reverse=True)
    year = int_param(request, "year") or (years[0] if years else None)
    # Drafts (only the lead office sees them) come first: they wait for signing.
    shown = Q(year=year) | Q(sequence__isnull=True, state=SupervisionSlip.State.DRAFT)
    rows = list(visible.filter(shown).order_by(F("sequence").desc(nulls_first=True), "pk")
                [:SLIPS_SHOWN])
    counts = {state: sum(1 for s in rows if s.state == state)
              for state in SupervisionSlip.State.values}
    return render(request, "portal/slips.html", {
        "slips": rows, "signed": sum(1 for s in rows if s.sequence), "years": years,
        "year": year, "counts": counts, "states": SupervisionSlip.State.choices})


def _slip(request: HttpRequest, pk: int) -> SupervisionSlip:
    return get_object_or_404(visible_slips(request.user).select_related(
        "issued_by", "received_by", "answered_by", "voided_by", "drafted_by",
        "task__plan__lead_office"), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def slip(request: HttpRequest, pk: int) -> HttpResponse:
    item = _slip(request, pk)
    form, void_form, status = SlipAnswerForm(), SlipVoidForm(), 200
    if request.method == "POST":
        action = request.POST.get("action")
        form = SlipAnswerForm(request.POST)
        void_form = SlipVoidForm(request.POST)
        try:
            if action == "sign":
                signed = slip_sign(slip=item, actor=request.user)
                messages.success(request, _("已签发督办单 %(number)s，已通知主送部门。")
                                 % {"number": signed.number})
            elif action == "void" and void_form.is_valid():
                slip_void(slip=item, actor=request.user, reason=void_form.cleaned_data["reason"])
                messages.success(request, _("督办单已作废。"))
            elif action == "receive":
                slip_receive(slip=item, actor=request.user)
                messages.success(request, _("已签收督办单。"))
            elif action == "answer" and form.is_valid():
                slip_answer(slip=item, actor=request.user, answer=form.cleaned_data["answer"])
                messages.success(request, _("已反馈督办单。"))
            else:
                raise Http404
            return redirect("portal:slip", pk=pk)
        except (ValidationError, PermissionDenied) as error:
            status = 403 if isinstance(error, PermissionDenied) else 422
            for message in getattr(error, "messages", [str(error)]):
                messages.error(request, message)
            item.refresh_from_db()
    actions = SLIP.actions_from(item.state, actor_roles(request.user, item.department_id))
    return render(request, "portal/slip.html", {
        "slip": item, "form": form, "void_form": void_form, "actions": actions,
        "items": list(item.items.all())}, status=status)


@login_required
def slip_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    item = _slip(request, pk)
    response = HttpResponse(render_pdf(item), content_type="application/pdf")
    name = quote(_("督办单%(year)s-%(number)s.pdf") % {"year": item.year, "number": item.sequence}
                 if item.sequence else _("督办单草稿-%(id)s.pdf") % {"id": item.pk})
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{name}"
    return response
