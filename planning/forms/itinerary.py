"""Forms of the itinerary builder. Times are read in the current zone: the view
activates the mission's destination zone around them."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from missions.enums import Audience, FeasibilityRule
from missions.models import ItineraryItem, Mission, Participant
from organisations.models import Organisation, Venue
from organisations.selectors import organisation_options, venue_options
from planning.forms.pickers import picker_choices
from planning.timetable import WALL_CLOCK


class LocalDateTimeField(forms.SplitDateTimeField):
    """A date and a time input, read in the active time zone."""

    widget = forms.SplitDateTimeWidget(
        date_attrs={"type": "date"},
        time_attrs={"type": "time", "step": 300},
        date_format="%Y-%m-%d",
        time_format="%H:%M",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # One visible label for two inputs: each input is named on its own ("Starts, date").
        date, time = self.widget.widgets
        date.attrs["aria-label"] = format_lazy("{}, {}", self.label, _("date"))
        time.attrs["aria-label"] = format_lazy("{}, {}", self.label, _("time"))


class ItineraryItemForm(forms.ModelForm):
    starts_at = LocalDateTimeField(label=_("Starts"))
    ends_at = LocalDateTimeField(label=_("Ends"))
    online_link = forms.URLField(
        label=_("Online meeting link"),
        required=False,
        assume_scheme="https",
        help_text=_("For remote speakers and attendees."),
    )
    attendees = forms.ModelMultipleChoiceField(
        label=_("Selected participants"),
        queryset=Participant.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only for items with the audience “selected participants”."),
    )

    class Meta:
        model = ItineraryItem
        fields = [
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "venue",
            "host",
            "meeting_point",
            "online_link",
            "audience",
            "attendees",
            "capacity",
            "description",
            "is_cancelled",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, mission: Mission, **kwargs) -> None:
        instance = kwargs.get("instance")
        # Ids unique per form: the builder may show a new-item form and an edit form at once.
        self.prefix_id = f"item{instance.pk}" if instance and instance.pk else "item-new"
        kwargs.setdefault("auto_id", f"id_{self.prefix_id}_%s")
        super().__init__(*args, **kwargs)
        self.instance.mission = mission
        self.fields["title"].widget.attrs["autofocus"] = True
        self.fields["venue"].queryset = Venue.objects.order_by("name")
        self.fields["host"].queryset = Organisation.objects.order_by("name")
        picker_choices(self, "venue", venue_options)
        picker_choices(self, "host", organisation_options)
        self.fields["attendees"].queryset = mission.participants.select_related("person").order_by(
            "person__full_name"
        )
        self.fields["attendees"].label_from_instance = lambda p: p.person.full_name
        if self.instance.pk:
            self.initial["attendees"] = [p.pk for p in self.instance.attendees.all()]

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("audience") == Audience.SELECTED and not cleaned.get("attendees"):
            self.add_error("attendees", _("Choose who attends, or make it for everyone."))
        return cleaned


class MoveForm(forms.Form):
    minutes = forms.IntegerField(min_value=-7 * 24 * 60, max_value=7 * 24 * 60)


class RescheduleForm(forms.Form):
    """A new start and end from the timetable (drag to move or resize), as wall-clock
    times in the active zone: the view activates the mission's destination zone."""

    starts_at = forms.DateTimeField(input_formats=[WALL_CLOCK])
    ends_at = forms.DateTimeField(input_formats=[WALL_CLOCK])


class AcknowledgeForm(forms.Form):
    rule = forms.ChoiceField(choices=FeasibilityRule.choices)
    subject = forms.CharField(max_length=50, required=False)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("Why this is fine, for the rest of the team."),
    )
