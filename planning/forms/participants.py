"""Forms of the participant pages: add, edit, filter the list, upload a list to import."""

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.utils.translation import gettext_lazy as _

from missions.display import format_local
from missions.enums import ParticipantRole, RsvpGroup
from missions.imports import ImportFileError, Table, read_table
from missions.models import ItineraryItem, Mission, Participant
from missions.selectors import participants_in_group
from missions.services.participants import person_by_email, selectable_items
from organisations.enums import Language
from organisations.models import Organisation, Person
from organisations.selectors import organisation_options, people_browsable_by
from planning.forms.pickers import picker_choices


class ParticipantFilterForm(forms.Form):
    PAGE_SIZE = 50
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("All roles")), *ParticipantRole.choices], required=False
    )
    # The groups every page counts by (missions.selectors): "Invited" is everyone invited.
    rsvp_status = forms.ChoiceField(
        label=_("RSVP"), choices=[("", _("All answers")), *RsvpGroup.choices], required=False
    )

    def filter(self, participants):
        if not self.is_valid():
            return participants
        if role := self.cleaned_data["role"]:
            participants = participants.filter(role=role)
        return participants_in_group(participants, self.cleaned_data["rsvp_status"])

    def page(self, participants, number: str | None) -> Page:
        """The filtered participants' page `number` (the last if it is past the end), of
        PAGE_SIZE: the list and its delivery column show the same page."""
        return Paginator(self.filter(participants), self.PAGE_SIZE).get_page(number)


def _participant_length(name: str) -> int:
    return Participant._meta.get_field(name).max_length


class ParticipantAddForm(forms.Form):
    """Someone of the planner's own organisation (picked from the search), or anyone by
    their exact e-mail address; with their role and what they tell this mission.

    An e-mail address already in the directory, in any case, is that person: the entry
    is reused as it is, never duplicated, and no name is needed. Otherwise the name and
    the rest make a new directory entry. Phone and needs belong to the new participant
    and start empty: nothing is copied from the person's other missions.
    """

    role = forms.ChoiceField(
        label=_("Role"), choices=ParticipantRole.choices, initial=ParticipantRole.DELEGATE
    )
    person = forms.ModelChoiceField(
        label=_("Someone of your organisation"),
        queryset=Person.objects.none(),  # the user's own organisations', set in __init__
        required=False,
        widget=forms.HiddenInput,  # the template renders the search results as radios
        error_messages={"invalid_choice": _("Pick someone from the search results.")},
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=Person._meta.get_field("full_name").max_length,
        required=False,
    )
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
    phone = forms.CharField(
        label=_("Phone"), max_length=_participant_length("phone"), required=False
    )
    dietary_requirements = forms.CharField(
        label=_("Dietary requirements"),
        max_length=_participant_length("dietary_requirements"),
        required=False,
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"),
        max_length=_participant_length("accessibility_needs"),
        required=False,
    )

    NEW_PERSON_FIELDS = ("full_name", "email", "organisation", "job_title", "preferred_language")
    MISSION_FIELDS = ("phone", "dietary_requirements", "accessibility_needs")

    def __init__(self, *args, mission: Mission, user: AbstractBaseUser, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.mission = mission
        self.fields["person"].queryset = people_browsable_by(user)
        picker_choices(self, "organisation", organisation_options)
        self.known_person: Person | None = None  # the directory's entry for the e-mail

    def clean(self) -> dict:
        data = super().clean()
        if self.has_error("person"):  # someone not of the user's organisations
            return data
        person = data.get("person")
        if person is not None and (data.get("full_name") or data.get("email")):
            self.add_error("person", _("Pick an existing person or enter a new one, not both."))
            return data
        field = "person"
        if person is None:
            if not data.get("email") and "email" not in self.errors:
                self.add_error("email", _("Enter the person's e-mail address."))
            if self.errors:
                return data
            person = self.known_person = person_by_email(data["email"])
            if person is None and not data.get("full_name") and "full_name" not in self.errors:
                self.add_error(
                    "full_name",
                    _("This e-mail address is not in the directory: enter the new person's name."),
                )
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
        arguments = {"role": data["role"], **{name: data[name] for name in self.MISSION_FIELDS}}
        person = data["person"] or self.known_person
        if person is not None:
            return {**arguments, "person": person}
        return {**arguments, **{name: data[name] for name in self.NEW_PERSON_FIELDS}}


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
            "phone",
            "dietary_requirements",
            "accessibility_needs",
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


def import_file_field() -> forms.FileField:
    """The file of an import of a mission's list (its participants, its matchmaking
    profiles): what it takes, and the limits of `missions.imports` that it says."""
    return forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_("At most 2 MB and 2,000 rows. The first row names the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )


class ParticipantImportForm(forms.Form):
    file = import_file_field()

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
