"""Forms of the matchmaking tab: the mission's settings, a meeting block, a profile filled
in by staff, a meeting moved by hand."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from matchmaking.forms import LanguagesField
from matchmaking.models import MatchmakingSettings, MeetingBlock, Profile
from matchmaking.selectors import slot_parse
from missions.imports import ImportFileError, records_read
from organisations.models import Sector
from planning.forms.participants import import_file_field
from planning.meeting_grid import Grid

MAX_TABLES = 200


class MatchmakingSettingsForm(forms.ModelForm):
    class Meta:
        model = MatchmakingSettings
        fields = ["requests_need_acceptance", "slot_picking", "max_meetings_per_person"]
        widgets = {"slot_picking": forms.RadioSelect}


class MeetingBlockForm(forms.Form):
    slot_minutes = forms.IntegerField(
        label=MeetingBlock._meta.get_field("slot_minutes").verbose_name,
        min_value=5,
        max_value=480,
        initial=20,
    )
    break_minutes = forms.IntegerField(
        label=MeetingBlock._meta.get_field("break_minutes").verbose_name,
        min_value=0,
        max_value=240,
        initial=5,
    )
    tables = forms.IntegerField(
        label=_("Number of tables"),
        min_value=1,
        max_value=MAX_TABLES,
        required=False,
        help_text=_("Tables numbered from 1. Leave empty when you name the rooms below."),
    )
    rooms = forms.CharField(
        label=_("Named rooms"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One room a line, instead of numbered tables."),
    )

    def clean(self) -> dict:
        data = super().clean()
        rooms = [line.strip() for line in data.get("rooms", "").splitlines() if line.strip()]
        if len(rooms) > MAX_TABLES:
            raise ValidationError(_("At most %(count)d rooms.") % {"count": MAX_TABLES})
        if not rooms and not data.get("tables"):
            raise ValidationError(_("Give the number of tables, or name the rooms."))
        data["layout"] = rooms or data["tables"]
        return data


class _ByLabel(forms.models.ModelChoiceIterator):
    def __iter__(self):
        yield from sorted(super().__iter__(), key=lambda choice: str(choice[1]).casefold())


class SectorsField(forms.ModelMultipleChoiceField):
    """The sectors by their names in the language spoken now, in its alphabetical order."""

    iterator = _ByLabel

    def label_from_instance(self, obj: Sector) -> str:
        return obj.local_name


class ProfileForm(forms.Form):
    offer = forms.CharField(
        label=_("What they offer"),
        required=False,
        max_length=Profile._meta.get_field("offer").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    seek = forms.CharField(
        label=_("What they seek"),
        required=False,
        max_length=Profile._meta.get_field("seek").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    pitch = forms.CharField(
        label=_("Pitch"),
        required=False,
        max_length=Profile._meta.get_field("pitch").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    languages = LanguagesField()
    sectors = SectorsField(
        label=_("Sectors"),
        queryset=Sector.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    opted_in = forms.BooleanField(
        label=_("Shown to others"),
        required=False,
        help_text=_("Only profiles shown to others can be browsed and asked for a meeting."),
    )


class MeetingMoveForm(forms.Form):
    """Another slot and table for a meeting: the keyboard's way, and the drag's."""

    slot = forms.ChoiceField(label=_("Slot"))
    table = forms.TypedChoiceField(label=_("Table"), coerce=int)

    def __init__(self, *args, grid: Grid, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = grid.slot_choices()
        self.fields["table"].choices = grid.table_choices()
        self.blocks = {g.block.pk: g.block for g in grid.blocks}
        self.tables = {t.pk: t for g in grid.blocks for t in g.tables}

    def clean(self) -> dict:
        data = super().clean()
        parsed = slot_parse(data.get("slot", ""))
        if parsed is None or "table" not in data:
            return data
        data["block"] = self.blocks[parsed[0]]
        data["starts_at"] = parsed[1]
        data["table"] = self.tables[data["table"]]
        return data


class ProfileImportForm(forms.Form):
    file = import_file_field()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.records = list(records_read(upload))
        except ImportFileError as error:
            raise ValidationError(error.message, code="unreadable") from error
        return upload
