"""Forms for creating, changing and duplicating a mission.

The model's rules (last day not before the first, RSVP deadline not after the last day)
are checked here on the field they are about, with the model's own messages, so that
the error shows next to the field rather than above the form.
"""

import datetime as dt
import zoneinfo

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from missions.enums import MissionStatus
from missions.models import Mission
from organisations.models import Organisation, Sector
from organisations.selectors import organisation_options, planner_organisations
from planning.forms.pickers import picker_choices

# Destinations of the councils' missions so far and the world's business hubs; every
# other IANA zone follows in its own group.
COMMON_TIME_ZONES = [
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Vienna",
    "Europe/Zurich",
    "Europe/Copenhagen",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Prague",
    "Europe/Athens",
    "Europe/Istanbul",
    "America/New_York",
    "America/Toronto",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Africa/Johannesburg",
    "Africa/Nairobi",
    "Africa/Lagos",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
]

# The areas of the tz database's current zones; left out are the old aliases such as
# US/Eastern or Canada/Pacific, which name the same zones again.
ZONE_AREAS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Arctic/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


def time_zone_choices() -> list:
    common = set(COMMON_TIME_ZONES)
    others = sorted(
        zone
        for zone in zoneinfo.available_timezones()
        if zone.startswith(ZONE_AREAS) and zone not in common
    )
    return [
        ("", "---------"),
        (_("Common zones"), [(zone, zone) for zone in COMMON_TIME_ZONES]),
        (_("All zones"), [(zone, zone) for zone in others]),
    ]


class DateInput(forms.DateInput):
    """The browser's date picker; its value is always ISO, whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _constraint_message(name: str) -> str:
    [constraint] = [c for c in Mission._meta.constraints if c.name == name]
    return constraint.get_violation_error_message()


class MissionForm(forms.ModelForm):
    """A mission's fields and organisations, for the user's own organisations.

    Outside superusers, the lead organisation and the organisers are chosen among the
    organisations the user plans for (plus those the mission already has), and at least
    one of them must stay among the organisers, or the user would lock themselves out.
    """

    time_zone = forms.TypedChoiceField(
        label=capfirst(Mission._meta.get_field("time_zone").verbose_name),
        choices=time_zone_choices,
        coerce=zoneinfo.ZoneInfo,
        help_text=_("Dates and times of the mission are in this zone."),
    )
    organisers = forms.ModelMultipleChoiceField(
        label=_("Organising organisations"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their planners run the mission. The lead organisation is always one."),
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partner organisations"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_(
            "Their planners see the mission read-only. Type to find an organisation; "
            "hold Ctrl (or ⌘) to choose several."
        ),
    )
    sectors = forms.ModelMultipleChoiceField(
        label=_("Sectors"),
        queryset=Sector.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = Mission
        fields = [
            "title",
            "kind",
            "status",
            "destination_city",
            "destination_country",
            "time_zone",
            "start_date",
            "end_date",
            "rsvp_deadline",
            "lead_organisation",
            "organisers",
            "partners",
            "sectors",
            "objectives",
            "description",
            "travel_buffer_minutes",
        ]
        widgets = {
            "title": forms.TextInput(attrs={"autofocus": True}),
            "start_date": DateInput(),
            "end_date": DateInput(),
            "rsvp_deadline": DateInput(),
            "objectives": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, user: AbstractBaseUser, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        mission = self.instance
        own = planner_organisations(user)
        self.own_ids = set(own.values_list("pk", flat=True)) if not user.is_superuser else None
        if mission.pk:
            choices = (
                Organisation.objects.filter(
                    Q(pk__in=own.values("pk"))
                    | Q(pk=mission.lead_organisation_id)
                    | Q(organised_missions=mission)
                )
                .distinct()
                .order_by("name")
            )
            self.initial["organisers"] = list(mission.organisers.values_list("pk", flat=True))
            self.initial["partners"] = list(mission.partners.values_list("pk", flat=True))
            self.initial["sectors"] = list(mission.sectors.values_list("pk", flat=True))
            # Cancelling has its own button, which says what it means.
            if mission.status != MissionStatus.CANCELLED:
                self.fields["status"].choices = [
                    choice
                    for choice in self.fields["status"].choices
                    if choice[0] != MissionStatus.CANCELLED
                ]
        else:
            choices = own.order_by("name")
            del self.fields["status"]
            if self.own_ids is not None and len(self.own_ids) == 1:
                self.initial["lead_organisation"] = next(iter(self.own_ids))
        # The select starts with the chosen partners and the first of the directory.
        picker_choices(self, "partners", organisation_options)
        self.fields["lead_organisation"].queryset = choices
        self.fields["organisers"].queryset = choices
        if user.is_superuser:
            self.fields["organisers"].widget = forms.SelectMultiple(attrs={"size": 6})
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's form tag carries the token
        self.helper.layout = Layout(
            Fieldset(
                _("The mission"),
                "title",
                Row(Column("kind"), *([Column("status")] if "status" in self.fields else [])),
                "objectives",
                "description",
            ),
            Fieldset(
                _("Where and when"),
                Row(Column("destination_city"), Column("destination_country")),
                "time_zone",
                Row(Column("start_date"), Column("end_date"), Column("rsvp_deadline")),
                "travel_buffer_minutes",
            ),
            Fieldset(
                _("Organisations"),
                "lead_organisation",
                "organisers",
                Row(
                    Column(Field("partners", template="organisations/_picker_field.html")),
                    Column("sectors"),
                ),
            ),
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        deadline = cleaned.get("rsvp_deadline")
        if start and end and end < start:
            self.add_error("end_date", _constraint_message("mission_end_after_start"))
        elif end and deadline and deadline > end:
            self.add_error(
                "rsvp_deadline", _constraint_message("mission_rsvp_deadline_not_after_end")
            )
        lead = cleaned.get("lead_organisation")
        organisers = {*cleaned.get("organisers", []), *([lead] if lead else [])}
        if self.own_ids is not None and lead and not {o.pk for o in organisers} & self.own_ids:
            self.add_error(
                "organisers",
                _(
                    "Keep one of your own organisations among the organisers, "
                    "or you could no longer change the mission."
                ),
            )
        return cleaned

    def _post_clean(self) -> None:
        super()._post_clean()
        # The model's own clean() may say again on a field what clean() above said.
        for errors in self._errors.values():
            seen: set[str] = set()
            kept = []
            for error in errors.as_data():
                text = " ".join(error.messages)
                if text not in seen:
                    seen.add(text)
                    kept.append(error)
            errors.data[:] = kept


class MissionDuplicateForm(forms.Form):
    title = Mission._meta.get_field("title").formfield(
        help_text=_("A new title, so that the two missions are easy to tell apart.")
    )
    shift_days = forms.IntegerField(
        label=_("Move the dates by (days)"),
        min_value=0,
        max_value=3660,
        help_text=_(
            "Whole weeks (a multiple of 7) keep every item on the same weekday as this "
            "time: 364 days are 52 weeks. The suggestion is the same weekdays next year."
        ),
    )

    def __init__(self, *args, mission: Mission, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.mission = mission
        self.fields["title"].widget.attrs["autofocus"] = True
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_shift_days(self) -> int:
        shift_days = self.cleaned_data["shift_days"]
        starts = self.mission.start_date + dt.timedelta(days=shift_days)
        if starts < timezone.localdate(timezone=self.mission.time_zone):
            raise ValidationError(
                _(
                    "The copy would start on %(date)s, which is in the past: move the "
                    "dates further."
                ),
                params={"date": date_format(starts, "DATE_FORMAT")},
                code="in_the_past",
            )
        return shift_days
