"""Search and ordering for the API lists: strict (a bad value is a 400) and documented."""

from django.utils.translation import gettext as _
from rest_framework import filters
from rest_framework.exceptions import ValidationError

from common.i18n import join_list

SEARCH_MAX_LENGTH = 200


class StrictSearchFilter(filters.SearchFilter):
    """``?search=`` over the view's ``search_fields``; terms are ANDed, each matching any field."""

    def get_search_terms(self, request) -> list[str]:
        value = request.query_params.get(self.search_param, "")
        if len(value) > SEARCH_MAX_LENGTH:
            raise ValidationError({self.search_param: [
                _("搜索词最长 %(n)d 个字符。") % {"n": SEARCH_MAX_LENGTH}]})
        # A NUL cannot reach PostgreSQL: it separates words like a space.
        return filters.search_smart_split(value.replace("\x00", " "))

    def get_schema_operation_parameters(self, view) -> list[dict]:
        fields = getattr(view, "search_fields", None)
        if not fields:
            return []
        described = getattr(view, "search_description", "") or join_list(
            f.lstrip("^=@$") for f in fields)
        return [{
            "name": self.search_param, "required": False, "in": "query",
            "description": _("全文搜索（空格分隔的多个词须同时匹配），范围：%(fields)s") % {
                "fields": described},
            "schema": {"type": "string", "maxLength": SEARCH_MAX_LENGTH},
        }]


class StrictOrderingFilter(filters.OrderingFilter):
    """``?ordering=a,-b`` over the view's ``ordering_fields``; the id breaks ties so that
    pages never overlap."""

    def _valid(self, view) -> list[str]:
        return list(getattr(view, "ordering_fields", None) or [])

    def get_ordering(self, request, queryset, view):
        value = request.query_params.get(self.ordering_param)
        if not value:
            return self.get_default_ordering(view)
        valid = self._valid(view)
        terms = [term.strip() for term in value.split(",")]
        wrong = [term for term in terms if term.lstrip("-") not in valid]
        if wrong:
            raise ValidationError({self.ordering_param: [
                _("不支持按“%(term)s”排序；可选：%(valid)s（前加 - 表示倒序）。")
                % {"term": wrong[0], "valid": join_list(valid)}]})
        return terms

    def filter_queryset(self, request, queryset, view):
        ordering = list(self.get_ordering(request, queryset, view) or queryset.query.order_by
                        or queryset.model._meta.ordering or [])
        if not any(term.lstrip("-") in ("id", "pk") for term in ordering):
            ordering.append("id")
        return queryset.order_by(*ordering)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        valid = self._valid(view)
        if not valid:
            return []
        return [{
            "name": self.ordering_param, "required": False, "in": "query",
            "description": _("排序字段，逗号分隔，前加 - 表示倒序；可选：%(valid)s") % {
                "valid": join_list(valid)},
            "style": "form", "explode": False, "allowEmptyValue": True,
            "schema": {"type": "array", "items": {
                "type": "string", "enum": [v for f in valid for v in (f, f"-{f}")]}},
        }]
