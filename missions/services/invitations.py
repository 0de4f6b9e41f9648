"""Inviting participants: one outbox row each, queued in the deciding transaction."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from .. import outbox
from ..enums import MessageKind, RsvpStatus
from ..models import Mission, Participant
from ..tokens import token_for


def participant_language(participant: Participant) -> str:
    """The language to write to someone in: their choice on the page, else their profile."""
    return participant.language or participant.person.preferred_language or "en"


@transaction.atomic
def invitations_send(
    *, mission: Mission, participants: Iterable[Participant], sent_by: AbstractBaseUser | None
) -> int:
    """Queue one invitation per participant; returns how many were newly queued.

    Sending again to someone already invited queues nothing (the outbox's unique
    occasion), so double clicks and concurrent requests give one message each.
    """
    queued = 0
    for participant in participants:
        if participant.mission_id != mission.pk:
            raise ValueError("participant of another mission")
        token_for(participant=participant)  # the link exists before the mail is rendered
        message = outbox.message_queue(
            recipient_email=participant.person.email,
            recipient_name=participant.person.full_name,
            language=participant_language(participant),
            kind=MessageKind.INVITATION,
            occasion=f"mission:{mission.pk}",
            mission=mission,
            participant=participant,
            context={"sent_by": getattr(sent_by, "pk", None)},
        )
        if message is not None:
            queued += 1
    Participant.objects.filter(
        mission=mission,
        pk__in=[p.pk for p in participants],
        rsvp_status=RsvpStatus.NOT_INVITED,
    ).update(rsvp_status=RsvpStatus.INVITED, updated_at=timezone.now())
    return queued
