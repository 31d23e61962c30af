from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """Every list is paginated: 50 rows by default, at most 200 with ?page_size=."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request) -> int:
        """A page size that is not a whole number from 1 to 200 is a 400, not ignored."""
        value = request.query_params.get(self.page_size_query_param)
        if not value:
            return self.page_size
        if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [
                _("每页条数必须是 1 到 %(max)d 之间的整数。") % {"max": self.max_page_size}]})
        return int(value)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {"name": self.page_query_param, "required": False, "in": "query",
             "description": _("页码（从 1 开始；超出范围返回 404）"),
             "allowEmptyValue": True, "schema": {"type": "integer", "minimum": 1}},
            {"name": self.page_size_query_param, "required": False, "in": "query",
             "description": _("每页条数，默认 %(size)d，最多 %(max)d") % {
                 "size": self.page_size, "max": self.max_page_size},
             "allowEmptyValue": True,
             "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size}},
        ]

    def get_paginated_response_schema(self, schema: dict) -> dict:
        response = super().get_paginated_response_schema(schema)
        descriptions = {"count": _("总条数"), "next": _("下一页地址（没有则为 null）"),
                        "previous": _("上一页地址（没有则为 null）"), "results": _("本页结果")}
        for name, description in descriptions.items():
            response["properties"][name]["description"] = description
        return response
