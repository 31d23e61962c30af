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
from django.views.decorators.http import require_GET

from departments.access import access_for
from notifications.receipts import receipt_read_in_app
from notifications.selectors import (
    digest_subscription_for,
    notification_history,
    notification_own,
    receipts_mark,
    unread_receipts,
)

from ..cycle.urge import urge_department_choices, urge_preview_text, urge_send, urge_targets
from ..services.calendar_feed import calendar_for_key
from ..services.digest_subscriptions import digest_subscription_update
from .forms_digest import DigestSubscriptionForm

PAGE_SIZE = 50


@login_required
def history(request):
    page = Paginator(notification_history(request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    receipts_mark(page.object_list)
    return render(request, "notifications/history.html", {
        "page": page, "can_subscribe": access_for(request.user).reads_everything,
    })


@require_GET
@login_required
def notice(request, pk: int):
    """One of my messages, in full. Opening it here reads it (已读), as opening its link from
    an email or IM does, so unread escalation does not chase someone who read it in Duban."""
    notification = notification_own(request.user, pk)
    if notification is None:
        raise Http404
    receipt_read_in_app(user=request.user, dedupe_key=notification.dedupe_key)
    receipts_mark([notification])
    body = notification.body_text
    if notification.url and notification.web_url != notification.url:
        body = body.replace(notification.url, notification.web_url)
    return render(request, "notifications/notice.html",
                  {"n": notification, "body": body})


def _initial(subscription) -> dict:
    if subscription is None:
        return {"frequency": "weekly"}
    return {"frequency": subscription.frequency, "weekday": subscription.weekday,
            "send_time": subscription.send_time, "contents": subscription.contents,
            "plans": list(subscription.plans.all()),
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
                drivers=list(data["drivers"]), departments=list(data["departments"]),
                weekday=data["weekday"], send_time=data["send_time"],
                contents=data["contents"])
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


@login_required
def unread(request):
    """Who has not read the chases (督办台, loaded into the desk page)."""
    if not access_for(request.user).reads_everything:
        raise Http404
    return render(request, "notifications/_unread.html",
                  {"receipts": unread_receipts(timezone.now())})


def _ids(values: list[str]) -> list[int]:
    return sorted({int(v) for v in values if v.isdigit()})


@login_required
def urge(request):
    """一键催办: choose departments (or come with tasks/departments selected on the overview,
    the desk or the admin task list), see recipients, channels and text, add a note, send."""
    if not access_for(request.user).is_lead_office:
        raise Http404
    data = request.POST if request.method == "POST" else request.GET
    department_ids, task_ids = _ids(data.getlist("department")), _ids(data.getlist("task"))
    plan_id = (_ids([data.get("plan", "")]) or [None])[0]
    note = data.get("note", "")
    if request.method == "POST":
        try:
            result = urge_send(user=request.user, department_ids=department_ids,
                               task_ids=task_ids, plan_id=plan_id, note=note)
        except ValidationError as error:
            messages.error(request, "".join(error.messages))
        else:
            text = gettext("已催办 %(departments)s 个部门，发出 %(messages)s 条消息。") % result
            if result["skipped"]:
                text += gettext("%(n)s 个部门今天已催办过相同任务，未重复发送。") % {
                    "n": result["skipped"]}
            if result["unreachable"]:
                text += gettext("以下部门没有联络员或负责人：%(names)s。") % {
                    "names": "、".join(result["unreachable"])}
            messages.success(request, text)
            return redirect(request.POST.get("next") or "notifications:urge")
    targets = urge_targets(user=request.user, department_ids=department_ids,
                           task_ids=task_ids, plan_id=plan_id)
    preview = None
    if targets:
        sample = next((t for t in targets if t.recipients), None)
        if sample is not None:
            preview = urge_preview_text(sample, note=note, user=request.user)
    return render(request, "notifications/urge.html", {
        "targets": targets, "preview": preview, "note": note, "plan_id": plan_id,
        "task_ids": task_ids, "department_ids": department_ids,
        "choices": urge_department_choices() if not targets else [],
        "next": data.get("next", ""),
    })
