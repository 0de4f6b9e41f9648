"""Forms of the second factor at sign-in."""

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from planning.services import two_factor


def _code_field(*, label, help_text, numeric: bool) -> forms.CharField:
    attrs = {"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
    if numeric:
        attrs.update(inputmode="numeric", pattern="[0-9 ]*")
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=20,
        widget=forms.TextInput(attrs=attrs),
    )


class CodeForm(forms.Form):
    """The code after the password: the app's six digits, or one of the backup codes."""

    code = _code_field(
        label=_("Code"),
        help_text=_("The six digits your authenticator app shows now, or a backup code."),
        numeric=False,
    )

    def __init__(self, *args, user: AbstractBaseUser, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = None

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        self.device = two_factor.device_for_code(user=self.user, code=code)
        if self.device is None:
            raise forms.ValidationError(
                _(
                    "This code is not right, or was used already. Check the clock of your phone "
                    "and try the next code in a few seconds."
                ),
                code="wrong_code",
            )
        return code


class EnrolForm(forms.Form):
    """The first code of the app being enrolled, which confirms it (planning.views.accounts)."""

    code = _code_field(
        label=_("First code from the app"),
        help_text=_("The six digits the app shows for Itinera after you added it."),
        numeric=True,
    )

    def wrong_code(self) -> None:
        self.add_error(
            "code",
            forms.ValidationError(
                _(
                    "This code does not match. Check the clock of your phone and enter the "
                    "code the app shows now."
                ),
                code="wrong_code",
            ),
        )
