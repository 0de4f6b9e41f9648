"""Forms of the participant pages: add, edit, filter the list, upload a list to import."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.utils.translation import gettext_lazy as _

from missions.display import format_local
from missions.enums import ParticipantRole, RsvpStatus
from missions.imports import ImportFileError, Table, read_table
from missions.models import ItineraryItem, Mission, Participant
from missions.services.participants import person_by_email, selectable_items
from organisations.enums import Language
from organisations.models import Organisation, Person


class ParticipantFilterForm(forms.Form):
    PAGE_SIZE = 50
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("All roles")), *ParticipantRole.choices], required=False
    )
    rsvp_status = forms.ChoiceField(
        label=_("RSVP"), choices=[("", _("All answers")), *RsvpStatus.choices], required=False
    )

    def filter(self, participants):
        if not self.is_valid():
            return participants
        filters = {name: value for name, value in self.cleaned_data.items() if value}
        return participants.filter(**filters)

    def page(self, participants, number: str | None) -> Page:
        """The filtered participants' page `number` (the last if it is past the end), of
        PAGE_SIZE: the list and its delivery column show the same page."""
        return Paginator(self.filter(participants), self.PAGE_SIZE).get_page(number)


class ParticipantAddForm(forms.Form):
    """An existing person (picked from the search) or a new one, and their role.

    A new person whose e-mail is already in the directory, in any case, is that person:
    the directory entry is reused, never duplicated.
    """

    role = forms.ChoiceField(
        label=_("Role"), choices=ParticipantRole.choices, initial=ParticipantRole.DELEGATE
    )
    person = forms.ModelChoiceField(
        label=_("Existing person"),
        queryset=Person.objects.all(),
        required=False,
        widget=forms.HiddenInput,  # the template renders the search results as radios
    )
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=Person._meta.get_field("full_name").max_length,
        required=False,
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.all(), required=False
    )
    job_title = forms.CharField(
        label=_("Job title"),
        max_length=Person._meta.get_field("job_title").max_length,
        required=False,
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=Language.choices, initial=Language.ENGLISH
    )
    dietary_requirements = forms.CharField(
        label=_("Dietary requirements"),
        max_length=Person._meta.get_field("dietary_requirements").max_length,
        required=False,
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"),
        max_length=Person._meta.get_field("accessibility_needs").max_length,
        required=False,
    )

    NEW_PERSON_FIELDS = (
        "full_name",
        "email",
        "organisation",
        "job_title",
        "preferred_language",
        "dietary_requirements",
        "accessibility_needs",
    )

    def __init__(self, *args, mission: Mission, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.mission = mission

    def clean(self) -> dict:
        data = super().clean()
        person = data.get("person")
        if person is not None and (data.get("full_name") or data.get("email")):
            self.add_error("person", _("Pick an existing person or enter a new one, not both."))
            return data
        field = "person"
        if person is None:
            if not data.get("full_name") and "full_name" not in self.errors:
                self.add_error("full_name", _("Enter the new person's name."))
            if not data.get("email") and "email" not in self.errors:
                self.add_error("email", _("Enter the new person's e-mail address."))
            if self.errors:
                return data
            person = person_by_email(data["email"])
            field = "email"
        if person is not None and self.mission.participants.filter(person=person).exists():
            self.add_error(
                field,
                _("%(name)s (%(email)s) already takes part in this mission.")
                % {"name": person.full_name, "email": person.email},
            )
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        if data["person"] is not None:
            return {"role": data["role"], "person": data["person"]}
        return {"role": data["role"], **{name: data[name] for name in self.NEW_PERSON_FIELDS}}


class ItemChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, item: ItineraryItem) -> str:
        return f"{format_local(item.starts_at, item.time_zone)} · {item.title}"


class ParticipantForm(forms.ModelForm):
    """A participant's part in the mission; times are read in the mission's zone."""

    selected_items = ItemChoiceField(
        label=_("Items for selected participants that they attend"),
        queryset=ItineraryItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Participant
        fields = [
            "role",
            "rsvp_status",
            "arrival_at",
            "arrival_details",
            "departure_at",
            "departure_details",
            "notes",
        ]
        widgets = {
            "arrival_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "departure_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        mission = self.instance.mission
        zone_help = _("Time in %(zone)s.") % {"zone": mission.time_zone.key}
        for name in ("arrival_at", "departure_at"):
            self.fields[name].help_text = zone_help
        items = selectable_items(mission)
        if items:
            self.fields["selected_items"].queryset = items
            self.initial.setdefault(
                "selected_items", [item.pk for item in self.instance.items.all()]
            )
        else:
            del self.fields["selected_items"]

    def clean(self) -> dict:
        data = super().clean()
        arrival, departure = data.get("arrival_at"), data.get("departure_at")
        if arrival and departure and departure <= arrival:
            self.add_error("departure_at", _("Departure must be after arrival."))
        return data

    def _post_clean(self) -> None:
        # The departure check above names the field; skip the model's copy of it.
        if "departure_at" not in self.errors:
            super()._post_clean()

    def service_arguments(self) -> dict:
        arguments = {name: self.cleaned_data[name] for name in self.Meta.fields}
        if "selected_items" in self.fields:
            arguments["selected_items"] = self.cleaned_data["selected_items"]
        return arguments


class ParticipantImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_("At most 2 MB and 2,000 rows. The first row names the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )

    def __init__(self, *args, refusal: str = "", **kwargs):
        """With `refusal`, the form comes back with that error next to the file field,
        for an upload refused before it was read (no data of it is given)."""
        if refusal:
            args, kwargs = (), {**kwargs, "data": {}, "files": {}}
        super().__init__(*args, **kwargs)
        self.refusal = refusal
        if refusal:
            self.fields["file"].required = False

    def clean_file(self):
        if self.refusal:
            raise ValidationError(self.refusal, code="refused")
        upload = self.cleaned_data["file"]
        try:
            self.table: Table = read_table(upload)
        except ImportFileError as error:
            raise ValidationError(error.message, code="unreadable") from error
        return upload
