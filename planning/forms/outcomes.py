"""The form of a mission's outcome (what it achieved)."""

import datetime as dt

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from matchmaking.selectors import meetings_of_mission
from missions.display import format_local
from missions.enums import ActionStatus
from missions.models import FollowUpAction, Mission, Participant
from outcomes.enums import OutcomeKind, OutcomeStatus
from outcomes.models import Outcome
from outcomes.selectors import actions_of, involved_organisations

EVIDENCE_MAX_LENGTH = 5000


class OutcomeForm(forms.ModelForm):
    evidence = forms.CharField(
        label=_("Evidence notes"),
        required=False,
        max_length=EVIDENCE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Where it is documented: minutes, a press article, a signed MoU."),
    )

    class Meta:
        model = Outcome
        fields = [
            "kind",
            "status",
            "date",
            "recorded_for",
            "organisations",
            "participants",
            "follow_up_action",
            "meeting",
            "value",
            "currency",
            "jobs",
            "evidence",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "currency": forms.TextInput(
                attrs={"autocapitalize": "characters", "maxlength": 3, "size": 4}
            ),
            "organisations": forms.SelectMultiple(attrs={"size": 6}),
            "participants": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, mission: Mission, sides: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.mission = mission
        self.fields["recorded_for"].queryset = sides
        self.fields["recorded_for"].empty_label = None
        self.fields["organisations"].queryset = involved_organisations(mission).order_by("name")
        self.fields["participants"].queryset = (
            Participant.objects.filter(mission=mission)
            .select_related("person")
            .order_by("person__full_name")
        )
        self.fields["participants"].label_from_instance = lambda p: p.person.full_name
        action = self.fields["follow_up_action"]
        action.queryset = actions_of(mission).order_by("due_date", "pk")
        action.label_from_instance = _action_label
        meeting = self.fields["meeting"]
        meeting.queryset = meetings_of_mission(mission).order_by("starts_at", "pk")
        meeting.label_from_instance = _meeting_label

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").strip().upper()

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("kind") != OutcomeKind.JOBS and cleaned.get("jobs") is not None:
            self.add_error("jobs", _("Only an outcome of jobs created or kept has jobs."))
        return cleaned


def _action_label(action: FollowUpAction) -> str:
    return f"{action.organisation.name}: {action.agreed[:60]}"


def _meeting_label(meeting) -> str:
    request = meeting.request
    names = f"{request.requester.person.full_name} – {request.recipient.person.full_name}"
    return f"{names}, {format_local(meeting.starts_at, meeting.block.item.time_zone)}"


def outcome_initial(*, action: FollowUpAction | None, today: dt.date) -> dict:
    """What a new outcome starts with: today, expected; from a follow-up action, its
    organisation, and an agreement if the action reached one."""
    initial = {"date": today, "status": OutcomeStatus.EXPECTED}
    if action is not None:
        agreed = action.status == ActionStatus.AGREED
        initial |= {
            "follow_up_action": action.pk,
            "organisations": [action.organisation_id],
            "kind": OutcomeKind.AGREEMENT if agreed else OutcomeKind.LEAD,
        }
    return initial
