"""Forms of the directory: the search and filter form, the pickers' query, a new venue."""

from decimal import ROUND_HALF_UP, Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Layout, Row
from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from organisations.enums import OrganisationKind
from organisations.models import Venue
from organisations.selectors import PICKER_LIMIT, organisation_places, sector_choices

ANY = [("", _("Any"))]
SIX_PLACES = Decimal("0.000001")


class DirectorySearchForm(forms.Form):
    """The directory's GET form. Invalid filters are reported and left out of the search."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("Name, short name, city or description."),
    )
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=ANY + list(OrganisationKind.choices)
    )
    city = forms.ChoiceField(label=_("City"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = ANY + sector_choices()
        places = organisation_places()
        cities = sorted({city for city, code in places})
        codes = {code for city, code in places}
        self.fields["city"].choices = ANY + [(city, city) for city in cities]
        self.fields["country"].choices = ANY + [
            (code, name) for code, name in countries if code in codes
        ]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_action = reverse("directory:organisation-list")
        self.helper.disable_csrf = True
        self.helper.form_id = "directory-search"
        self.helper.attrs = {"role": "search"}
        self.helper.layout = Layout(
            Row(
                Column("q", css_class="col-md-4"),
                Column("sector", css_class="col-md-2"),
                Column("kind", css_class="col-md-2"),
                Column("city", css_class="col-md-2"),
                Column("country", css_class="col-md-2"),
            ),
            HTML(
                format_html(
                    '<div class="d-flex gap-2"><button type="submit" class="btn btn-primary">'
                    '{}</button><a class="btn btn-link" href="{}">{}</a></div>',
                    _("Search"),
                    self.helper.form_action,
                    _("Reset"),
                )
            ),
        )

    def filters(self) -> dict[str, str]:
        """The valid search text and filters, ready for `organisation_search`."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class PickerQueryForm(forms.Form):
    """`?q=` and the chosen ids of the pickers' options; anything invalid is ignored.

    A single picker sends its choice as `?selected=`; a multiple one includes its select,
    whose name `?selected_in=` gives (`partners=3&partners=7`), so what the user has
    chosen so far stays among the options whatever they type next.
    """

    q = forms.CharField(required=False, max_length=100)
    selected_in = forms.RegexField(regex=r"^[a-z_]{1,40}$", required=False)

    def query(self) -> dict:
        self.is_valid()
        name = self.cleaned_data.get("selected_in") or "selected"
        ids = [value for value in self.data.getlist(name)[:PICKER_LIMIT] if _is_id(value)]
        return {"q": self.cleaned_data.get("q") or "", "selected": [int(v) for v in ids]}


def _is_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) < 10 and 0 < int(value) < 2**31


class CoordinateField(forms.DecimalField):
    """A coordinate in decimal degrees, rounded to the six places that are stored (~0.1 m)."""

    def clean(self, value):
        value = super().clean(value)
        if value is None:
            return None
        return value.quantize(SIX_PLACES, rounding=ROUND_HALF_UP)


class VenueForm(forms.ModelForm):
    latitude = CoordinateField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        help_text=_("Decimal degrees, e.g. 52.4862."),
    )
    longitude = CoordinateField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        help_text=_("Decimal degrees, e.g. -1.8904."),
    )

    class Meta:
        model = Venue
        fields = [
            "name",
            "organisation",
            "address",
            "city",
            "country",
            "latitude",
            "longitude",
            "time_zone",
            "capacity",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = self.fields["organisation"].queryset.order_by("name")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's <form> has the token
        self.helper.layout = Layout(
            "name",
            "organisation",
            "address",
            Row(Column("city", css_class="col-md-6"), Column("country", css_class="col-md-6")),
            Row(
                Column("latitude", css_class="col-md-6"),
                Column("longitude", css_class="col-md-6"),
            ),
            Row(
                Column("time_zone", css_class="col-md-8"),
                Column("capacity", css_class="col-md-4"),
            ),
            "notes",
        )

    def clean(self) -> dict:
        data = super().clean()
        latitude, longitude = data.get("latitude"), data.get("longitude")
        # Only when both fields parsed: a field with its own error already says why.
        if "latitude" in data and "longitude" in data and (latitude is None) != (longitude is None):
            missing = "longitude" if longitude is None else "latitude"
            self.add_error(missing, _("Give both latitude and longitude, or neither."))
        return data
