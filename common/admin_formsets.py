"""Admin inlines whose query count does not grow with their rows.

Django renders every inline row's select box on its own: a plain ``<select>`` runs its
choices query once per row, an autocomplete widget looks up its selected values once per
row. ``SharedChoicesFormSet`` runs each of those queries once for the whole formset and
hands the result to every row (and to the empty row the "add another" button copies);
each row's link to the parent object is the page's object, not a query per row. Selected
objects the rows already hold (the inline's select_related / prefetch_related) are not
looked up again.
"""

from functools import cached_property, partial

from django.contrib.admin.widgets import AutocompleteMixin, RelatedFieldWidgetWrapper
from django.core.exceptions import FieldDoesNotExist
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


def loaded_objects(instance, name: str) -> dict[str, object]:
    """The related objects ``instance`` already holds for field ``name`` (select_related,
    prefetch_related), by primary key: a selected value found here needs no lookup."""
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist:
        return {}
    if field.many_to_many and not field.auto_created:
        cached = getattr(instance, "_prefetched_objects_cache", {}).get(field.name)
        return {str(obj.pk): obj for obj in cached} if cached is not None else {}
    if (field.many_to_one or field.one_to_one) and field.concrete and field.is_cached(instance):
        obj = field.get_cached_value(instance)
        return {str(obj.pk): obj} if obj is not None else {}
    return {}


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
                known = {}
                for form in forms:
                    known.update(loaded_objects(form.instance, name))
                wanted = {v for form in forms for v in _selected_values(form, name)} - set(known)
                if wanted:
                    known.update({str(obj.pk): obj
                                  for obj in field.queryset.filter(pk__in=wanted)})
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


def use_loaded_selections(form) -> None:
    """A change form's autocomplete widgets read their selected objects from the page's
    object (its select_related / prefetch_related) instead of one lookup each."""
    for name, field in form.fields.items():
        widget = _inner(field.widget)
        if not isinstance(field, ModelChoiceField) or not isinstance(widget, AutocompleteMixin):
            continue
        known = loaded_objects(form.instance, name)
        wanted = set(_selected_values(form, name)) - set(known)
        if wanted:
            known.update({str(obj.pk): obj for obj in field.queryset.filter(pk__in=wanted)})
        widget.optgroups = partial(_known_optgroups, widget, known)


class LoadedSelectionsMixin:
    """For a ModelAdmin: see :func:`use_loaded_selections`."""

    def render_change_form(self, request, context, *args, **kwargs):
        adminform = context.get("adminform")
        if adminform is not None:
            use_loaded_selections(adminform.form)
        return super().render_change_form(request, context, *args, **kwargs)
