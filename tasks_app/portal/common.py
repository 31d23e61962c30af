"""Small helpers shared by the portal views: 404 for anything the user may not see."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from ..choices import FeedbackCycle
from ..models import ReportingPeriod, Task
from ..services.periods import periods_current, week_current


@contextmanager
def not_found_if_denied() -> Iterator[None]:
    """A refused or invisible object answers 404, so its existence does not leak."""
    try:
        yield
    except (PermissionDenied, ObjectDoesNotExist) as error:
        raise Http404 from error


def today():
    return timezone.localdate()


def int_param(request: HttpRequest, name: str) -> int | None:
    value = request.POST.get(name) or request.GET.get(name)
    try:
        return int(value) if value else None
    except ValueError as error:
        raise Http404 from error


def pick_department(request: HttpRequest, allowed: Iterable[int]) -> int:
    """``?department=`` when given (must be allowed), else the first allowed one."""
    allowed = sorted(allowed)
    wanted = int_param(request, "department")
    if wanted is None and allowed:
        return allowed[0]
    if wanted not in allowed:
        raise Http404
    return wanted


def period_for(request: HttpRequest, task: Task) -> ReportingPeriod:
    """``?period=`` of the task's plan when given, else the plan's current period (this
    week's for a weekly item)."""
    wanted = int_param(request, "period")
    if wanted is None and task.feedback_cycle == FeedbackCycle.WEEKLY:
        return week_current(task.plan, today())
    if wanted is None:
        return periods_current(plan_ids=[task.plan_id], day=today())[task.plan_id]
    with not_found_if_denied():
        return ReportingPeriod.objects.get(pk=wanted, plan_id=task.plan_id)


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
