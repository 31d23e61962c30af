"""Strict filter types shared by the FilterSets: a bad value is an error, never ignored.

django-filter's defaults are lenient (an unknown boolean means "no filter", an id is any
number). Scripts deserve a 400 that names the parameter instead of a silently wrong list.
"""

import copy

from django import forms
from django.http import QueryDict
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


class FilterSet(filters.FilterSet):
    """django-filter's FilterSet without its two per-request rebuilds.

    django-filter deep-copies every filter for each request (their choices and translated
    labels: 1.3 ms for the task list's twelve, more than its query costs) and builds a new
    form class from them. These filters keep nothing per request but the parent and model
    the FilterSet gives each, and their form fields depend on nothing per request (no
    queryset chosen by the user): a shallow copy of each filter is enough, and the form
    class is built once per FilterSet class (its form still copies the fields per form).
    """

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset, self.request, self.form_prefix = queryset, request, prefix
        self.filters = {name: copy.copy(filter_) for name, filter_ in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model, filter_.parent = queryset.model, self
            if filter_.method is not None:  # its FilterMethod, bound to the copy (the setter)
                filter_.method = filter_.method

    def get_form_class(self):
        cls = type(self)
        if "_form_class" not in cls.__dict__:  # this class's own, not a parent's
            cls._form_class = super().get_form_class()
        return cls._form_class
