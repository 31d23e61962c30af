"""What every page's navigation needs to know about the user, computed only when used."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from departments.access import access_for


def portal(request: HttpRequest) -> dict:
    return {"duban_access": SimpleLazyObject(lambda: access_for(request.user)),
            "oidc_enabled": settings.DUBAN_OIDC_ENABLED}  # 统一身份认证登录 button
