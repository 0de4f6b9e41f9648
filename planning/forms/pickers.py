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
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    chosen = options(selected=_chosen(form, name))
    field.widget.choices = [*empty, *((row.pk, label(row)) for row in chosen)]


def _chosen(form: forms.BaseForm, name: str) -> int | None:
    """The id the form holds for `name`: posted, initial, or the instance's (a model form's)."""
    value = form.data.get(form.add_prefix(name)) if form.is_bound else None
    if value is None:
        instance = getattr(form, "instance", None)
        value = form.initial.get(name, getattr(instance, f"{name}_id", None))
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
