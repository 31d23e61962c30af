"""Pages: everyone's own notification history; the digest settings of managers and the
lead office (anyone else gets 404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from departments.access import access_for

from .calendar import calendar_for_key
from .forms import DigestSubscriptionForm
from .receipts import receipt_open
from .selectors import (
    digest_subscription_for,
    notification_history,
    receipts_mark,
    unread_receipts,
)
from .services import digest_subscription_update

PAGE_SIZE = 50


@login_required
def history(request):
    page = Paginator(notification_history(request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    receipts_mark(page.object_list)
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


def read(request, token: str):
    """A tracked link from an email, SMS or IM message: 已读, then on to the page. No login
    needed to count the opening (the token is the credential); the page itself asks."""
    target = receipt_open(token=token, via=request.GET.get("via", "web"))
    if target is None:
        raise Http404
    return redirect(target or "portal:home")


@login_required
def unread(request):
    """Who has not read the chases (督办台, loaded into the desk page)."""
    if not access_for(request.user).reads_everything:
        raise Http404
    return render(request, "notifications/_unread.html",
                  {"receipts": unread_receipts(timezone.now())})
