"""Selects that a directory picker (templates/organisations/_picker.html) feeds.

The page never lists the whole directory: the select starts with at most PICKER_LIMIT
options, the chosen one first, and typing in the picker's search asks the server for
others. The field's queryset stays whole, so any row the search offered is accepted.
"""

from collections.abc import Callable

from django import forms
from django.db.models import Model


def picker_choices(
    form: forms.BaseForm,
    name: str,
    options: Callable[..., list[Model]],
    label: Callable[[Model], str] = str,
) -> None:
    """Give the select `name` of `form` the picker's first options (`options(selected=)`)."""
    field = form.fields[name]
    empty = [("", field.empty_label)] if getattr(field, "empty_label", None) is not None else []
    chosen = options(selected=_chosen(form, name))
    field.widget.choices = [*empty, *((row.pk, label(row)) for row in chosen)]


def _chosen(form: forms.BaseForm, name: str) -> list[int]:
    """The ids the form holds for `name`: posted, initial, or the instance's (a model form's)."""
    if form.is_bound:
        values = form[name].value()
    else:
        instance = getattr(form, "instance", None)
        values = form.initial.get(name, getattr(instance, f"{name}_id", None))
    if not isinstance(values, list | tuple):
        values = [values]
    chosen = []
    for value in values:
        try:
            chosen.append(int(getattr(value, "pk", value)))
        except (TypeError, ValueError):
            continue
    return chosen
