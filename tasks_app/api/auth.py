"""Authentication for the API: a token (Authorization: Token <key>) or the portal session.

The token comes first so that an anonymous request answers 401 with
``WWW-Authenticate: Token`` (with the session first DRF would answer 403).
"""

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import ScopedRateThrottle

from .errors import ErrorSerializer
from .schema import DubanAutoSchema

_TOKEN_KEY = re.compile(r"[0-9A-Za-z]{1,40}")


class StrictTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing malformed keys before they reach the database
    (a NUL or a 10 kB header would otherwise be sent to PostgreSQL as is)."""

    def authenticate_credentials(self, key: str):
        if not _TOKEN_KEY.fullmatch(key):
            raise exceptions.AuthenticationFailed(_("令牌格式无效。"))
        return super().authenticate_credentials(key)


API_AUTHENTICATION = [StrictTokenAuthentication, SessionAuthentication]


class TokenObtainView(ObtainAuthToken):
    """Exchange a username and password for the user's API token (created on first use)."""

    authentication_classes: list = []
    schema = DubanAutoSchema()
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        operation_id="auth_token_obtain",
        summary=_("用用户名和密码换取 API 令牌"),
        description=(
            _("返回用户的 API 令牌(首次调用时创建)。之后每个请求带上请求头 "
            "`Authorization: Token <令牌>`。该接口有频率限制(设置项 DUBAN_THROTTLE_AUTH)。"
            "管理员也可以用 `python manage.py drf_create_token 用户名` 生成令牌。")
        ),
        tags=[_("认证")],
        request=inline_serializer("TokenRequest", {
            "username": serializers.CharField(help_text=_("用户名")),
            "password": serializers.CharField(help_text=_("密码")),
        }),
        responses={
            200: inline_serializer("TokenResponse", {
                "token": serializers.CharField(help_text=_("API 令牌(40 位)")),
            }),
            400: ErrorSerializer,
        },
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
