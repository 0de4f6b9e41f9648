"""Forms behind a participant's personal link: the answer, the language, the feedback.

Times are read in the mission's zone: the views validate these forms inside
`timezone.override(mission.time_zone)`.
"""

import datetime as dt
from collections.abc import Iterable, Sequence

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from matchmaking.forms import LanguagesField
from matchmaking.models import MeetingRequest, Profile
from missions.display import language_name
from missions.enums import RsvpStatus
from missions.models import Feedback, Participant
from organisations.models import Sector
from portal.services.rsvp import RatedItem

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


RATINGS = [
    (5, _("5 – excellent")),
    (4, _("4 – good")),
    (3, _("3 – fair")),
    (2, _("2 – poor")),
    (1, _("1 – very poor")),
]


class DelegateLanguageForm(LanguageForm):
    """The language switch of the delegate's pages: `next` is the address of the page it
    was pressed on, which the view checks (`portal.views.delegate.return_to`)."""

    next = forms.CharField(max_length=2000, required=False)


class FeedbackForm(forms.Form):
    """The mission's rating and a comment; then, optionally, a rating of each item the
    participant could attend (`items`: `portal.services.rsvp.feedback_items`), each its
    own set of radios, "did not attend or no answer" the default. `given` is the
    feedback given before, which the form starts from."""

    rating = forms.TypedChoiceField(
        label=_("How useful was the mission for you?"),
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("What worked, and what should we do differently?"),
        max_length=_max_length(Feedback, "comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(
        self, *args, items: Sequence[RatedItem] = (), given: Feedback | None = None, **kwargs
    ) -> None:
        if given is not None:
            kwargs.setdefault(
                "initial",
                {
                    "rating": given.rating,
                    "comment": given.comment,
                    **{
                        self._item_field(row.item_id): row.rating
                        for row in given.item_ratings.all()
                    },
                },
            )
        super().__init__(*args, **kwargs)
        self.items = {self._item_field(item.pk): item.pk for item in items}
        for item in items:
            self.fields[self._item_field(item.pk)] = forms.TypedChoiceField(
                label=item.label,
                choices=[*RATINGS, ("", _("Did not attend or no answer"))],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )

    @staticmethod
    def _item_field(pk: int) -> str:
        return f"item_{pk}"

    @property
    def item_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.items]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "rating": data["rating"],
            "comment": data["comment"],
            "item_ratings": {pk: data[name] for name, pk in self.items.items()},
        }


# MATCHMAKING: the participant's profile, the marketplace's filter, meetings asked and answered


def _by_name(choice: tuple) -> str:
    return choice[1].casefold()


def _sector_choices() -> list[tuple[int, str]]:
    """The sectors by their names in the language spoken now, in its alphabetical order."""
    return sorted(((sector.pk, sector.local_name) for sector in Sector.objects.all()), key=_by_name)


class ProfileForm(forms.Form):
    """What a participant taking part in matchmaking tells the other side."""

    sectors = forms.TypedMultipleChoiceField(
        label=_("Sectors"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    offer = forms.CharField(
        label=_("What we offer"),
        max_length=_max_length(Profile, "offer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    seek = forms.CharField(
        label=_("What we seek"),
        max_length=_max_length(Profile, "seek"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    pitch = forms.CharField(
        label=_("Pitch"),
        max_length=_max_length(Profile, "pitch"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A few lines about you and your organisation."),
    )
    languages = LanguagesField()
    opted_in = forms.BooleanField(
        label=_("Show my profile to the other side, who may then ask me for a meeting."),
        required=False,
    )

    def __init__(self, *args, profile: Profile | None, **kwargs) -> None:
        if profile is not None:
            kwargs.setdefault(
                "initial",
                {
                    "sectors": [sector.pk for sector in profile.sectors.all()],
                    "offer": profile.offer,
                    "seek": profile.seek,
                    "pitch": profile.pitch,
                    "languages": profile.languages,
                    "opted_in": profile.opted_in,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["sectors"].choices = _sector_choices()

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["sectors"] = Sector.objects.filter(pk__in=data["sectors"])
        return data


class MarketplaceFilterForm(forms.Form):
    sector = forms.TypedChoiceField(label=_("Sector"), coerce=int, required=False, empty_value=None)
    text = forms.CharField(label=_("Offers or seeks"), max_length=100, required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args, languages: Iterable[str], **kwargs) -> None:
        """`languages`: the codes the profiles list, offered by their names."""
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [("", _("Any sector")), *_sector_choices()]
        named = sorted(((code, language_name(code)) for code in languages), key=_by_name)
        self.fields["language"].choices = [("", _("Any language")), *named]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value}


class MeetingAskForm(forms.Form):
    recipient = forms.IntegerField(widget=forms.HiddenInput)
    message = forms.CharField(
        label=_("A short message"),
        max_length=_max_length(MeetingRequest, "message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MeetingAnswerForm(forms.Form):
    request = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    slot = forms.CharField(label=_("Slot"), required=False)


class MeetingWithdrawForm(forms.Form):
    request = forms.IntegerField(widget=forms.HiddenInput)
