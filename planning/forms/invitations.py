"""The invitation form: which of a mission's participants to invite.

"Not yet invited" is what every page counts as such (`missions.selectors`: the RSVP
status says "not invited"). Each participant is also marked `already_invited` when an
invitation to this mission is in the outbox for their address (the outbox's unique
occasion: sending to them again would queue nothing), which the preview counts.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from messaging.enums import MessageKind
from messaging.invitations import invitation_occasion, invitations_closed_because
from messaging.models import OutgoingMessage
from missions.models import Mission, Participant
from missions.selectors import has_been_invited


def invitation_candidates(mission: Mission) -> QuerySet[Participant]:
    """The mission's participants by name, each marked `already_invited` or not."""
    invitations = OutgoingMessage.objects.filter(
        kind=MessageKind.INVITATION,
        occasion=invitation_occasion(mission),
        recipient_email__iexact=OuterRef("person__email"),
    )
    return (
        mission.participants.select_related("person")
        .annotate(already_invited=Exists(invitations))
        .order_by("person__full_name", "pk")
    )


def not_yet_invited(participant: Participant) -> bool:
    """Not invited, as every page counts it (`missions.selectors.has_been_invited`)."""
    return not has_been_invited(participant)


GONE = _("One of the selected people no longer takes part in the mission.")


MAX_ID = 2**63 - 1  # the largest BigAutoField


class ParticipantsField(forms.ModelMultipleChoiceField):
    """Participants by id; a number too large for any id is refused before the query.

    PostgreSQL finds no row for it, but SQLite cannot even take it as a parameter.
    """

    def clean(self, value):
        for pk in value if isinstance(value, list | tuple) else ():
            if str(pk).isdigit() and int(pk) > MAX_ID:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super().clean(value)


class InvitationForm(forms.Form):
    """The participants to invite; with `everyone`, all those not yet invited."""

    participants = ParticipantsField(
        label=_("Participants"),
        queryset=Participant.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Select at least one participant to invite."),
            "invalid_choice": GONE,
            "invalid_pk_value": GONE,
        },
    )

    def __init__(self, data=None, *, mission: Mission) -> None:
        self.mission = mission
        self.candidates = list(invitation_candidates(mission))
        for candidate in self.candidates:  # for the page's "Invitation" column
            candidate.not_yet_invited = not_yet_invited(candidate)
        self.everyone = data is not None and "everyone" in data
        if self.everyone:
            data = data.copy()
            data.setlist("participants", [str(p.pk) for p in self.candidates if not_yet_invited(p)])
        super().__init__(data)
        self.fields["participants"].queryset = invitation_candidates(mission)

    @property
    def not_yet_invited_count(self) -> int:
        return sum(1 for p in self.candidates if not_yet_invited(p))

    def selected_pks(self) -> set[int]:
        """Ticked on the page: what was posted, else everyone not yet invited."""
        if not self.is_bound:
            return {p.pk for p in self.candidates if not_yet_invited(p)}
        posted = self.data.getlist("participants")
        return {int(value) for value in posted if value.isdigit() and len(value) < 12}

    def clean_participants(self) -> list[Participant]:
        return list(self.cleaned_data["participants"])

    def clean(self) -> dict:
        cleaned = super().clean()
        if closed := invitations_closed_because(self.mission):
            self.errors.pop("participants", None)  # one reason is enough
            raise ValidationError(closed)
        if self.everyone and not self.not_yet_invited_count:
            self.errors.pop("participants", None)  # one reason is enough
            raise ValidationError(_("Everyone on the mission has been invited already."))
        return cleaned
