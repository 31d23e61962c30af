"""Session idle timeout and the second-factor gate, for every request with a session."""

import time
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .roles import second_factor_required

SEEN_KEY = "_duban_seen"
SECOND_FACTOR_KEY = "_duban_2fa"
_STAMP_EVERY = 60  # seconds: the session is written at most once a minute for the idle clock
# Reachable before the second factor is confirmed.
_OPEN_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/admin/logout/", "/i18n/", "/static/")


def session_started(request: HttpRequest, user) -> None:
    """At login: start the idle clock and note whether a second factor is due, so the
    pages after it need not write the session."""
    if request is not None and hasattr(request, "session"):
        request.session[SEEN_KEY] = int(time.time())
        if any(settings.DUBAN_2FA_ROLES) or settings.DUBAN_2FA_DEPARTMENTS:
            request.session[SECOND_FACTOR_KEY] = second_factor_required(user)


class SessionLifetimeMiddleware:
    """Logs out a session idle for DUBAN_SESSION_IDLE_MINUTES (0: never). The absolute
    lifetime is SESSION_COOKIE_AGE, counted from login (the session key changes then)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        idle = settings.DUBAN_SESSION_IDLE_MINUTES * 60
        if idle and request.user.is_authenticated:
            now = int(time.time())
            seen = request.session.get(SEEN_KEY)
            if seen is not None and now - seen > idle:
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse({"error": {
                        "code": "session_expired",
                        "message": _("长时间未操作，登录已失效，请重新登录。"), "fields": {}}},
                        status=401, json_dumps_params={"ensure_ascii": False})
                return redirect(f"{reverse('login')}?next={quote(request.get_full_path())}")
            if seen is None or now - seen >= _STAMP_EVERY:
                request.session[SEEN_KEY] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    """Until the TOTP code is confirmed, a user whose role requires it reaches only the
    second-factor pages (and logout). The answer is kept in the session, so the role
    check costs nothing after the first request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (user.is_authenticated and not user.is_verified()
                and not request.path.startswith(_OPEN_PREFIXES)
                and self._required(request)):
            if request.path.startswith("/api/"):
                return JsonResponse({"error": {
                    "code": "second_factor_required",
                    "message": _("请先在门户完成动态验证码（双因素）验证。"), "fields": {}}},
                    status=403, json_dumps_params={"ensure_ascii": False})
            return redirect(f"{reverse('security:otp')}?next={quote(request.get_full_path())}")
        return self.get_response(request)

    @staticmethod
    def _required(request: HttpRequest) -> bool:
        if not (any(settings.DUBAN_2FA_ROLES) or settings.DUBAN_2FA_DEPARTMENTS):
            return False
        cached = request.session.get(SECOND_FACTOR_KEY)
        if cached is None:
            cached = second_factor_required(request.user)
            request.session[SECOND_FACTOR_KEY] = cached
        return cached
