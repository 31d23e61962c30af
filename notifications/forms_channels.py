"""The admin's channel picker for a person: checkboxes per message kind, no JSON typed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .channels import channel_configured
from .channels.routing import PERSON_CHANNELS
from .choices import Channel, Kind

# Message kinds a person can route (invitations carry their own one-time link).
ROUTED_KINDS = [(kind, label) for kind, label in Kind.choices if kind != Kind.INVITATION]
ALL_KINDS = "*"


class ChannelChoiceWidget(forms.Widget):
    """A table of checkboxes: one row per message kind (and “所有消息”), one column per
    channel. Posted as ``<name>__<kind>`` lists; nothing to type."""

    template_name = "notifications/widgets/channel_choice.html"

    def get_context(self, name: str, value, attrs) -> dict:
        context = super().get_context(name, value, attrs)
        chosen = value if isinstance(value, dict) else {}
        context["widget"]["columns"] = [
            {"value": c, "label": Channel(c).label, "configured": channel_configured(c)}
            for c in PERSON_CHANNELS]
        context["widget"]["rows"] = [
            {"key": key, "field": f"{name}__{key}", "label": label,
             "checked": set(chosen.get(key) or [])}
            for key, label in [(ALL_KINDS, _("所有消息（未单独选择的类别）")), *ROUTED_KINDS]]
        return context

    def value_from_datadict(self, data, files, name: str) -> dict:
        keys = [ALL_KINDS, *(kind for kind, _label in ROUTED_KINDS)]
        return {key: data.getlist(f"{name}__{key}") for key in keys
                if data.getlist(f"{name}__{key}")}

    def value_omitted_from_data(self, data, files, name: str) -> bool:
        return False  # an unticked table is a choice too (the system default)


class ChannelChoiceField(forms.Field):
    """Channels per message kind (``{"chase": ["email", "sms"], "*": ["email"]}``), stored in
    the order of the channel columns; a kind with nothing ticked follows “所有消息”, and
    that row, left empty, the system default (``DUBAN_CHANNELS_DEFAULT``)."""

    widget = ChannelChoiceWidget

    def to_python(self, value) -> dict[str, list[str]]:
        if not value:
            return {}
        if not isinstance(value, dict):
            raise forms.ValidationError(_("接收渠道的格式不正确。"), code="invalid")
        kinds = {ALL_KINDS, *(kind for kind, _label in ROUTED_KINDS)}
        result = {}
        for key, channels in value.items():
            unknown = [c for c in channels if c not in PERSON_CHANNELS]
            if key not in kinds or unknown:
                raise forms.ValidationError(_("接收渠道中有无法识别的选项。"), code="invalid")
            if channels:
                result[key] = [c for c in PERSON_CHANNELS if c in channels]
        return result
