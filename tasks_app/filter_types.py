"""Strict filter types shared by the FilterSets: a bad value is an error, never ignored.

django-filter's defaults are lenient (an unknown boolean means "no filter", an id is any
number). Scripts deserve a 400 that names the parameter instead of a silently wrong list.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.fields import MultipleChoiceField
from drf_spectacular.utils import extend_schema_field

MAX_ID = 2**63 - 1  # the largest primary key a 64-bit column holds


class IdField(forms.IntegerField):
    default_error_messages = {"invalid": _("请输入有效的编号（正整数）。")}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """An object's id: a positive integer; an id that matches nothing gives an empty list."""

    field_class = IdField


class StrictBooleanField(forms.Field):
    """Only true/false (either case); anything else is invalid."""

    default_error_messages = {"invalid": _("请填写 true 或 false。")}
    _VALUES = {"true": True, "false": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        try:
            return self._VALUES[str(value).lower()]
        except KeyError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def validate(self, value):  # None (not given) is allowed: the filter is then not applied
        return None


@extend_schema_field({"type": "boolean"})
class StrictBooleanFilter(filters.Filter):
    field_class = StrictBooleanField


class ChoicesField(MultipleChoiceField):
    """Several choices; empty values are dropped (``?state=`` means "not filtered")."""

    def to_python(self, value):
        return [item for item in super().to_python(value) if item != ""]


class ChoicesFilter(filters.MultipleChoiceFilter):
    """``?state=a&state=b``: any of the values matches; an unknown value is a 400."""

    field_class = ChoicesField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)
