"""Pages: everyone's own notification history; the digest settings of managers and the
lead office (anyone else gets 404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from departments.access import access_for

from .calendar import calendar_for_key
from .forms import DigestSubscriptionForm
from .selectors import digest_subscription_for, notification_history
from .services import digest_subscription_update

PAGE_SIZE = 50


@login_required
def history(request):
    page = Paginator(notification_history(request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "notifications/history.html", {
        "page": page, "can_subscribe": access_for(request.user).reads_everything,
    })


def _initial(subscription) -> dict:
    if subscription is None:
        return {"frequency": "weekly"}
    return {"frequency": subscription.frequency, "plans": list(subscription.plans.all()),
            "drivers": list(subscription.drivers.all()),
            "departments": list(subscription.departments.all())}


@login_required
def digest(request):
    if not access_for(request.user).reads_everything:
        raise Http404
    form = DigestSubscriptionForm(request.POST or None,
                                  initial=_initial(digest_subscription_for(request.user)))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            digest_subscription_update(
                user=request.user, frequency=data["frequency"], plans=list(data["plans"]),
                drivers=list(data["drivers"]), departments=list(data["departments"]))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, gettext("摘要设置已保存。"))
            return redirect("notifications:digest")
    return render(request, "notifications/digest.html", {"form": form})


def calendar_feed(request, key: str) -> HttpResponse:
    """The secret calendar address: no login (calendar apps cannot log in), the key is the
    credential; an unknown key is a 404."""
    text = calendar_for_key(key)
    if text is None:
        raise Http404
    response = HttpResponse(text.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="duban.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
