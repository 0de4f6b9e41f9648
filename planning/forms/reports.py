"""The filters of the outcomes report."""

from urllib.parse import urlencode

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from missions.enums import MissionKind
from outcomes.figures import Filters


class ReportFilterForm(forms.Form):
    """Years, partner city or country, sector, kind of mission; empty means all."""

    year_from = forms.IntegerField(label=_("From year"), required=False, min_value=1900)
    year_to = forms.IntegerField(label=_("To year"), required=False, max_value=2999)
    partner_city = forms.ChoiceField(label=_("Partner city"), required=False)
    partner_country = forms.ChoiceField(label=_("Partner country"), required=False)
    sector = forms.TypedChoiceField(label=_("Sector"), required=False, coerce=int)
    kind = forms.ChoiceField(
        label=_("Kind of mission"),
        required=False,
        choices=[("", _("All kinds")), *MissionKind.choices],
    )

    def __init__(self, *args, choices: dict, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        first, last = choices["years"]
        for name in ("year_from", "year_to"):
            self.fields[name].widget.attrs.update(
                {"min": first or "", "max": last or "", "inputmode": "numeric"}
            )
        self.fields["year_from"].widget.attrs["placeholder"] = first or ""
        self.fields["year_to"].widget.attrs["placeholder"] = last or ""
        self.fields["partner_city"].choices = [
            ("", _("All cities")),
            *((city, city) for city in choices["cities"]),
        ]
        self.fields["partner_country"].choices = [
            ("", _("All countries")),
            *sorted(((c, countries.name(c)) for c in choices["countries"]), key=lambda c: c[1]),
        ]
        self.fields["sector"].choices = [
            ("", _("All sectors")),
            *((sector.pk, _sector_name(sector)) for sector in choices["sectors"]),
        ]

    def filters(self) -> Filters:
        """The valid filters (an invalid one is left out, and shown with its error)."""
        if not self.is_bound:
            return Filters()
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}
        return Filters(**data)

    def summary(self) -> list[tuple[str, str]]:
        """The filters in use, as (label, what was chosen), for the printed report."""
        filters = self.filters()
        shown = []
        for name in Filters.__dataclass_fields__:
            value = getattr(filters, name)
            if value:
                field = self.fields[name]
                choices = dict(getattr(field, "choices", ()))
                shown.append((str(field.label), str(choices.get(value, value))))
        return shown

    def query(self) -> str:
        """The filters as a query string, for the charts and exports of the same report."""
        filters = self.filters()
        pairs = {name: getattr(filters, name) for name in Filters.__dataclass_fields__}
        return urlencode({name: value for name, value in pairs.items() if value})


def _sector_name(sector) -> str:
    return sector.name_de if get_language() == "de" and sector.name_de else sector.name
