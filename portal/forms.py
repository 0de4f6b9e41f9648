"""Forms behind a participant's personal link: the answer, the language, the feedback.

Times are read in the mission's zone: the views validate these forms inside
`timezone.override(mission.time_zone)`.
"""

import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from missions.enums import RsvpStatus
from missions.models import Feedback, Participant

# Arrival and departure further than this from the mission are typing mistakes.
TRAVEL_MARGIN = dt.timedelta(days=30)


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _local_datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Will you take part?"),
        choices=[
            (RsvpStatus.ACCEPTED, _("Yes, I will take part")),
            (RsvpStatus.TENTATIVE, _("Maybe: I cannot confirm yet")),
            (RsvpStatus.DECLINED, _("No, I cannot take part")),
        ],
        widget=forms.RadioSelect,
    )
    dietary_requirements = forms.CharField(
        label=_("Dietary requirements"),
        max_length=_max_length(Participant, "dietary_requirements"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example vegetarian, halal, or a food allergy."),
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"),
        max_length=_max_length(Participant, "accessibility_needs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example step-free access or a hearing loop."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=_max_length(Participant, "phone"),
        required=False,
        help_text=_("A number the organisers can reach you on during the mission."),
    )
    arrival_at = forms.DateTimeField(
        label=_("Arrival"), required=False, widget=_local_datetime_input()
    )
    arrival_details = forms.CharField(
        label=_("Arriving by"),
        max_length=_max_length(Participant, "arrival_details"),
        required=False,
        help_text=_("Flight or train number."),
    )
    departure_at = forms.DateTimeField(
        label=_("Departure"), required=False, widget=_local_datetime_input()
    )
    departure_details = forms.CharField(
        label=_("Departing by"),
        max_length=_max_length(Participant, "departure_details"),
        required=False,
        help_text=_("Flight or train number."),
    )
    listed = forms.BooleanField(
        label=_("Other delegates may see my name and organisation on the list of participants."),
        required=False,
    )

    def __init__(self, *args, participant: Participant, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "answer": participant.rsvp_status
                if participant.rsvp_status in RsvpStatus.DELEGATE_ANSWERS
                else None,
                "dietary_requirements": participant.dietary_requirements,
                "accessibility_needs": participant.accessibility_needs,
                "phone": participant.phone,
                "arrival_at": participant.arrival_at,
                "arrival_details": participant.arrival_details,
                "departure_at": participant.departure_at,
                "departure_details": participant.departure_details,
                "listed": participant.listed,
            },
        )
        super().__init__(*args, **kwargs)
        self.mission = participant.mission
        zone_help = _("Local time in %(zone)s.") % {"zone": self.mission.time_zone.key}
        for name in ("arrival_at", "departure_at"):
            self.fields[name].help_text = zone_help

    def _check_near_mission(self, name: str, moment: dt.datetime) -> None:
        first = self.mission.start_date - TRAVEL_MARGIN
        last = self.mission.end_date + TRAVEL_MARGIN
        if not first <= timezone.localtime(moment, self.mission.time_zone).date() <= last:
            self.add_error(
                name,
                _("Enter a date between %(first)s and %(last)s.")
                % {
                    "first": date_format(first, "DATE_FORMAT"),
                    "last": date_format(last, "DATE_FORMAT"),
                },
            )

    def clean(self) -> dict:
        data = super().clean()
        for name in ("arrival_at", "departure_at"):
            if data.get(name):
                self._check_near_mission(name, data[name])
        arrival, departure = data.get("arrival_at"), data.get("departure_at")
        if arrival and departure and departure <= arrival and not self.has_error("departure_at"):
            self.add_error("departure_at", _("Departure must be after arrival."))
        return data

    def service_arguments(self) -> dict:
        return dict(self.cleaned_data)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.ChoiceField(
        choices=[("answer", "answer"), ("feedback", "feedback")], required=False
    )


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How useful was the mission for you?"),
        choices=[
            (5, _("5 – excellent")),
            (4, _("4 – good")),
            (3, _("3 – fair")),
            (2, _("2 – poor")),
            (1, _("1 – very poor")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("What worked, and what should we do differently?"),
        max_length=_max_length(Feedback, "comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def service_arguments(self) -> dict:
        return dict(self.cleaned_data)
