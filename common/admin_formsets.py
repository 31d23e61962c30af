"""Admin inlines whose query count does not grow with their rows.

Django renders every inline row's select box on its own: a plain ``<select>`` runs its
choices query once per row, an autocomplete widget looks up its selected values once per
row. ``SharedChoicesFormSet`` runs each of those queries once for the whole formset and
hands the result to every row (and to the empty row the "add another" button copies);
each row's link to the parent object is the page's object, not a query per row.
"""

from functools import cached_property, partial

from django.contrib.admin.widgets import AutocompleteMixin, RelatedFieldWidgetWrapper
from django.forms import ModelChoiceField
from django.forms.models import BaseInlineFormSet


def _inner(widget):
    return widget.widget if isinstance(widget, RelatedFieldWidgetWrapper) else widget


def _selected_values(form, name: str) -> list[str]:
    value = form[name].value()
    if value in (None, ""):
        return []
    values = value if isinstance(value, list | tuple) else [value]
    return [str(getattr(v, "pk", v)) for v in values if v not in (None, "")]


def _known_optgroups(widget, known: dict, name, value, attr=None):
    """AutocompleteMixin.optgroups, reading the selected objects from ``known``."""
    default = (None, [], 0)
    selected = {str(v) for v in value if str(v) not in widget.choices.field.empty_values}
    if not widget.is_required and not widget.allow_multiple_selected:
        default[1].append(widget.create_option(name, "", "", False, 0))
    has_selected = False
    for key in sorted(selected):
        obj = known.get(key)
        if obj is None:
            continue
        chosen = key in value and (has_selected is False or widget.allow_multiple_selected)
        has_selected |= chosen
        default[1].append(widget.create_option(
            name, obj.pk, widget.choices.field.label_from_instance(obj), selected,
            len(default[1])))
    return [default]


class SharedChoicesFormSet(BaseInlineFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.instance.pk is not None:  # each row's parent is this page's object
            self.fk.set_cached_value(form.instance, self.instance)
        return form

    @cached_property
    def forms(self):
        forms = super().forms
        self._share_choices([*forms, self.empty_form])
        return forms

    def _share_choices(self, forms) -> None:
        if not forms:
            return
        for name, field in forms[0].fields.items():
            if not isinstance(field, ModelChoiceField):
                continue
            widget = _inner(field.widget)
            if isinstance(widget, AutocompleteMixin):
                wanted = {v for form in forms for v in _selected_values(form, name)}
                known = ({str(obj.pk): obj for obj in field.queryset.filter(pk__in=wanted)}
                         if wanted else {})
                for form in forms:
                    inner = _inner(form.fields[name].widget)
                    inner.optgroups = partial(_known_optgroups, inner, known)
            elif getattr(widget, "input_type", None) != "hidden":
                choices = list(iter(field.choices))  # iter(): no COUNT query for len()
                for form in forms:
                    form.fields[name].choices = choices

    @cached_property
    def empty_form(self):
        return super().empty_form
