"""OpenAPI details drf-spectacular cannot guess: error responses, If-Match, tags, descriptions."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from .errors import ErrorSerializer

ERRORS = {
    "400": _("请求参数或数据有误（fields 中按字段列出原因）"),
    "401": _("未认证：缺少或无效的令牌 / 会话"),
    "403": _("对象可见，但当前用户无权执行此操作"),
    "404": _("对象不存在，或不在当前用户的可见范围内"),
    "406": _("无法按 Accept 请求头提供响应格式"),
    "409": _("版本冲突：请求中的 version 已过期，或记录已存在"),
    "412": _("If-Match 与记录的当前 ETag 不符"),
    "415": _("不支持的请求内容类型"),
    "429": _("请求过于频繁（见 Retry-After 响应头）"),
}
SAFE_ERRORS = ("400", "401", "403", "404", "406", "429")
UNSAFE_ERRORS = (*SAFE_ERRORS, "415")
VERSIONED_ERRORS = (*UNSAFE_ERRORS, "409", "412")

SECURITY = {
    "tokenAuth": _("API 令牌：请求头 `Authorization: Token <令牌>`（POST /api/v1/auth/token/ 获取）"),  # noqa: E501
    "cookieAuth": _("门户登录会话（浏览器中使用；写操作需带 X-CSRFToken 请求头）"),
}
IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description=(_("可选。读取记录时响应头中的 ETag；记录此后被他人修改则返回 412，不会覆盖。"
                 "也可以在请求体中提交 version（过期返回 409）。")),
)


class DubanAutoSchema(AutoSchema):
    """Every operation documents the error responses it can give, in the one error shape."""

    def get_tags(self) -> list[str]:
        tag = getattr(self.view, "schema_tag", None)
        return [tag] if tag else super().get_tags()

    def get_override_parameters(self) -> list:
        parameters = list(super().get_override_parameters())
        if self.method in ("PUT", "PATCH", "POST") and getattr(self.view, "versioned", False) \
                and self._is_detail_operation():
            parameters.append(IF_MATCH)
        return parameters

    def _resolve_path_parameters(self, variables):
        """Ids in paths are integers (the URL accepts 1–18 digits; anything else is a 404)."""
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["name"] == "id":
                parameter["schema"] = {"type": "integer", "minimum": 0,
                                       "maximum": 10**18 - 1}
                parameter["description"] = _("对象 id")
        return parameters

    def _is_detail_operation(self) -> bool:
        return "{id}" in self.path

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self.method in ("GET", "HEAD", "OPTIONS"):
            codes = SAFE_ERRORS
        else:
            codes = VERSIONED_ERRORS if getattr(self.view, "versioned", False) else UNSAFE_ERRORS
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=ERRORS[code]), code,
                    direction=direction)
        return responses


def describe_fields(result: dict, generator, request, public) -> dict:
    """Give every schema property a description: its help text, or else its Chinese label."""
    components = result.get("components", {})
    for component in components.get("schemas", {}).values():
        for name, prop in component.get("properties", {}).items():
            if "description" not in prop and "title" in prop:
                prop["description"] = prop["title"]
            elif "description" not in prop and name == "id":
                prop["description"] = _("对象 id")
    schemes = components.get("securitySchemes", {})
    for name, description in SECURITY.items():
        if name in schemes:
            schemes[name]["description"] = description
    return result


class DescribedFilterExtension(DjangoFilterExtension):
    """django-filter parameters keep their label as description, even with a typed schema
    (``extend_schema_field`` on the strict filter types)."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field)
        label = filter_field.extra.get("help_text") or filter_field.label
        for parameter in parameters:
            if label and not parameter.get("description"):
                parameter["description"] = str(label)
            parameter["allowEmptyValue"] = True  # an empty value means "not filtered"
        return parameters
