"""Admin form fields for settings a person types, so that nobody types JSON."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s,，、;；]+")


class WorkingDaysField(forms.CharField):
    """Working-day offsets typed as ``5, 1`` (or ``5，1`` / ``5 1``) → ``[5, 1]``.

    The range and the number of offsets are checked by the schedule's rules
    (tasks_app.services.schedules); this field only reads the numbers.
    """

    default_error_messages = {
        "invalid": _("请填写以逗号分隔的工作日天数，如“5, 1”；不需要提醒时留空。"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"size": 12, "placeholder": "5, 1"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        return value

    def to_python(self, value) -> list[int]:
        text = (super().to_python(value) or "").strip().strip("[]")
        if not text:
            return []
        parts = [part for part in _SEPARATORS.split(text) if part]
        if not all(part.isdigit() for part in parts):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return sorted((int(part) for part in parts), reverse=True)

    def has_changed(self, initial, data) -> bool:
        try:
            return self.to_python(data) != (initial or [])
        except ValidationError:
            return True
