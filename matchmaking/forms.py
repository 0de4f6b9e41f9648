"""Form fields of matchmaking that the delegate's page and the staff's pages share."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from missions.display import language_codes, language_names


class LanguagesField(forms.CharField):
    """The languages a profile lists, written as people write them ("English, Deutsch" or
    "en, de"); cleaned to their codes, shown by their names in the active language."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("Languages spoken"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Separated by commas, e.g. English, German."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return language_names(value) if isinstance(value, list) else value

    def to_python(self, value) -> list[str]:
        try:
            return language_codes(super().to_python(value))
        except ValueError as error:
            raise ValidationError(
                _("Which language is %(names)s? Write languages by name, e.g. English, German.")
                % {"names": ", ".join(error.args[0])},
                code="unknown_language",
            ) from error
