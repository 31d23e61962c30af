"""Second factor pages: enrol a TOTP authenticator, confirm a code; the lockout answer."""

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .otp import confirmed_device, device_verify


def _next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, {request.get_host()}, request.is_secure()):
        return wanted
    return settings.LOGIN_REDIRECT_URL


@login_required
def otp(request: HttpRequest) -> HttpResponse:
    """Confirm the code of the user's authenticator, enrolling one first if there is none."""
    if request.user.is_verified():
        return redirect(_next(request))
    device = confirmed_device(request.user)
    enrolling = device is None
    if enrolling:
        device = (TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
                  or TOTPDevice.objects.create(user=request.user, name=_("身份验证器"),
                                               confirmed=False))
    error = ""
    if request.method == "POST":
        if device_verify(device, request.POST.get("code", "")):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next(request))
        error = _("验证码不正确或已过期，请输入身份验证器上当前显示的 6 位数字。")
    context = {"enrolling": enrolling, "error": error, "next": _next(request)}
    if enrolling:
        context["qr"] = segno.make(device.config_url, error="m").svg_data_uri(scale=4)
        context["secret"] = device.config_url.split("secret=")[1].split("&")[0]
    return render(request, "security/otp.html", context)


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What a locked-out account or address sees (django-axes' lockout answer), in Chinese."""
    hours = settings.AXES_COOLOFF_TIME
    message = (_("登录失败次数过多，账号或来源地址已被锁定。请在 %(hours)s 小时后重试，"
                 "或联系安全管理员解锁。") % {"hours": f"{hours:g}"} if hours else
               _("登录失败次数过多，账号或来源地址已被锁定。请联系安全管理员解锁。"))
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "locked_out", "message": message, "fields": {}}},
                            status=429, json_dumps_params={"ensure_ascii": False})
    return render(request, "security/locked_out.html", {"message": message}, status=429)
