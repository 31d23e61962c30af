"""One error shape for every API error.

    {"error": {"code": "invalid", "message": "进度必须在 0 到 100 之间。",
               "fields": {"progress": ["进度必须在 0 到 100 之间。"]}}}

DRF's exceptions, Django's ``Http404``/``PermissionDenied``/``ValidationError`` raised by the
services, and ``StaleVersion`` all end up here. Field keys follow the request's field names;
nested errors are joined with dots (``parts.0.role``); errors about the whole request use
``non_field_errors``.
"""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from ..exceptions import StaleVersion

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("该记录已被他人修改，请重新读取后再提交。")
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = gettext_lazy("If-Match 与记录的当前版本不符：记录已被修改，请重新读取后再提"
                                  "交。")
    default_code = "precondition_failed"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("请求体过大：超过服务器允许的大小。")
    default_code = "too_large"


class StaleVersionConflict(Conflict):
    default_code = "stale_version"


MESSAGES = {
    "not_authenticated": gettext_lazy(
        "未提供身份凭证：请使用 Authorization: Token <令牌> 或先登录。"),
    "authentication_failed": gettext_lazy("身份凭证无效。"),
    "permission_denied": gettext_lazy("没有执行此操作的权限。"),
    "not_found": gettext_lazy("对象不存在，或不在您的可见范围内。"),
    "method_not_allowed": gettext_lazy("不支持该请求方法。"),
    "not_acceptable": gettext_lazy("无法按 Accept 请求头提供响应格式，本接口只提供 JSON。"),
    "unsupported_media_type": gettext_lazy("不支持的请求内容类型，请使用 application/json。"),
    "parse_error": gettext_lazy("请求体不是合法的 JSON。"),
}


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF error detail (nested dicts/lists) → {"field.sub": ["message", …]}."""
    if isinstance(detail, dict):
        fields: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = NON_FIELD if key == NON_FIELD_ERRORS else str(key)
            fields.update(_flatten(value, f"{prefix}.{name}" if prefix else name))
        return fields
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or NON_FIELD: [str(item) for item in detail]}
        fields = {}
        for index, item in enumerate(detail):
            fields.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return fields
    return {prefix or NON_FIELD: [str(detail)]}


def _django_validation_fields(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return _flatten(exc.message_dict)
    return {NON_FIELD: [str(message) for message in exc.messages]}


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _first_message(fields: dict[str, list[str]]) -> str:
    for messages in fields.values():
        if messages:
            return messages[0]
    return _("请求数据有误。")


def _convert(exc: Exception) -> Exception:
    """Django's exceptions (and the services') as DRF exceptions with the right status."""
    if isinstance(exc, StaleVersion):
        return StaleVersionConflict(exc.messages[0])
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge(_("请求体过大：超过 %(mb)s MB。") % {
            "mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)})
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(_django_validation_fields(exc))
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, IntegrityError):
        # Two clients created the same row at the same moment: the loser retries.
        return Conflict(_("该记录刚被他人创建或修改，请重新读取后再提交。"))
    return exc


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, then the Duban error shape. Unexpected errors still raise (500)."""
    exc = _convert(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    set_rollback()
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        body = error_body("invalid", _first_message(fields), fields)
    else:
        detail = getattr(exc, "detail", "")
        message = str(detail) if detail else ""
        if code in MESSAGES and (not message or message == str(exc.default_detail)):
            message = str(MESSAGES[code])
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            message = _("请求过于频繁，请在 %(seconds)d 秒后重试。") % {"seconds": exc.wait}
        body = error_body(code, message)
    response.data = body
    return response


@csrf_exempt
def json_not_found(request, *args, **kwargs) -> JsonResponse:
    """Unknown addresses under /api/ answer in the API's shape, not with an HTML page."""
    message = str(MESSAGES["not_found"])
    if not request.path.endswith("/"):
        try:
            known = resolve(f"{request.path}/").func is not json_not_found
        except Resolver404:
            known = False
        if known:
            message = _("接口地址须以 / 结尾：%(path)s/") % {"path": request.path}
    return JsonResponse(error_body("not_found", message), status=404,
                        json_dumps_params={"ensure_ascii": False})


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=gettext_lazy(
        "错误代码：invalid、parse_error、not_authenticated、authentication_failed、"
        "permission_denied、not_found、conflict、stale_version、precondition_failed、throttled 等"))
    message = serializers.CharField(help_text=gettext_lazy("给人看的说明（中文）"))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=gettext_lazy("按字段列出的错误信息；与单个字段无关的错误在 non_field_errors 下"),
    )


class ErrorSerializer(serializers.Serializer):
    # The schema's description of the component, in the reader's language.
    __doc__ = gettext_lazy("所有错误响应的统一格式。")

    error = ErrorDetailSerializer(help_text=gettext_lazy("错误"))
