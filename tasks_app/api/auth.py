"""Authentication for the API: a token (Authorization: Token <key>) or the portal session.

The token comes first so that an anonymous request answers 401 with
``WWW-Authenticate: Token`` (with the session first DRF would answer 403).
"""

import re

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from security.otp import confirmed_device, device_verify
from security.roles import second_factor_required
from security.tokens import token_expires_at

from ..services.tokens import api_token_issue
from .errors import ErrorSerializer
from .schema import DubanAutoSchema

_TOKEN_KEY = re.compile(r"[0-9A-Za-z]{1,40}")


class StrictTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing malformed keys before they reach the database
    (a NUL or a 10 kB header would otherwise be sent to PostgreSQL as is) and expired
    tokens."""

    def authenticate_credentials(self, key: str):
        if not _TOKEN_KEY.fullmatch(key):
            raise exceptions.AuthenticationFailed(_("令牌格式无效。"))
        user, token = super().authenticate_credentials(key)
        if timezone.now() >= token_expires_at(token):  # DUBAN_TOKEN_TTL_DAYS
            token.delete()
            raise exceptions.AuthenticationFailed(_("令牌已过期，请重新获取。"))
        return user, token


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
            _("返回用户的 API 令牌（首次调用时创建）。之后每个请求带上请求头 "
            "`Authorization: Token <令牌>`。该接口有频率限制（设置项 DUBAN_THROTTLE_AUTH）。"
            "管理员也可以用 `python manage.py drf_create_token 用户名` 生成令牌。")
        ),
        tags=[_("认证")],
        request=inline_serializer("TokenRequest", {
            "username": serializers.CharField(help_text=_("用户名")),
            "password": serializers.CharField(help_text=_("密码")),
            "otp": serializers.CharField(required=False, help_text=_(
                "动态验证码（须使用双因素验证的账号必填）")),
        }),
        responses={
            200: inline_serializer("TokenResponse", {
                "token": serializers.CharField(help_text=_("API 令牌（40 位）")),
            }),
            400: ErrorSerializer,
        },
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        if second_factor_required(user):
            device = confirmed_device(user)
            if device is None or not device_verify(device, str(request.data.get("otp", ""))):
                raise exceptions.ValidationError({"otp": [_(
                    "该账号须使用动态验证码：请在 otp 字段填写身份验证器上的 6 位数字"
                    "（尚未绑定身份验证器的，请先登录门户绑定）。")]})
        return Response({"token": api_token_issue(user=user).key})
