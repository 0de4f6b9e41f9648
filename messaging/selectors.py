"""Reads of messaging: what the participants page shows of each person's messages, and
the failed ones the dashboard counts."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from messaging.enums import MessageState
from messaging.models import OutgoingMessage
from messaging.outbox import explain
from missions import tokens
from missions.enums import RsvpStatus
from missions.models import Mission, Participant

# The page polls while a message is sending or due within this horizon (a retry
# waits at most OUTBOX_RETRY_MAX_SECONDS); a message due later is merely scheduled.
POLL_HORIZON = dt.timedelta(seconds=settings.OUTBOX_RETRY_MAX_SECONDS)


@dataclass
class Delivery:
    """What the participants page shows about one participant's messages and answer."""

    participant: Participant
    message: OutgoingMessage | None
    link_live: bool
    now: dt.datetime

    @property
    def pending(self) -> bool:
        """On its way: sending, or queued and due soon enough to watch."""
        if self.message is None:
            return False
        if self.message.state == MessageState.IN_FLIGHT:
            return True
        return (
            self.message.state == MessageState.QUEUED
            and self.message.due_at <= self.now + POLL_HORIZON
        )

    @property
    def waiting(self) -> bool:
        """Queued but not due yet: a retry after a temporary failure, or scheduled."""
        message = self.message
        return (
            message is not None
            and message.state == MessageState.QUEUED
            and message.due_at > self.now
        )

    @property
    def explanation(self) -> str:
        """Why the message failed or waits, in a planner's words (`outbox.explain`)."""
        return explain(self.message) if self.message is not None else ""

    @property
    def answered(self) -> bool:
        return self.participant.rsvp_status in RsvpStatus.ANSWERED


def deliveries_of(*, mission: Mission, participants: list[Participant]) -> list[Delivery]:
    """Each participant's latest message on the mission and link state, in one query."""
    latest = {
        message.participant_id: message
        for message in OutgoingMessage.objects.filter(
            mission=mission, participant__in=[p.pk for p in participants]
        )
        # The newest per participant: a window, not DISTINCT ON, so SQLite answers too.
        .annotate(
            newest=Window(
                RowNumber(),
                partition_by=[F("participant_id")],
                order_by=[F("created_at").desc(), F("pk").desc()],
            )
        )
        .filter(newest=1)
        .only(
            "pk",
            "participant_id",
            "kind",
            "state",
            "last_error",
            "due_at",
            "sent_at",
            "attempts",
        )
    }
    today = timezone.localdate(timezone=mission.time_zone)
    link_expired = today > mission.end_date + tokens.VALID_AFTER_MISSION
    now = timezone.now()
    return [
        Delivery(
            participant=participant,
            message=latest.get(participant.pk),
            link_live=bool(participant.token_nonce) and not link_expired,
            now=now,
        )
        for participant in participants
    ]


def failed_message_counts(*, missions: Iterable[Mission | int]) -> dict[int, int]:
    """Failed messages to participants by mission id, in one query: those a planner can
    retry on the participants page, where each participant's newest message is shown
    (one followed by a newer message to the same participant is left out)."""
    newer = OutgoingMessage.objects.filter(participant=OuterRef("participant")).filter(
        Q(created_at__gt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), pk__gt=OuterRef("pk"))
    )
    rows = (
        OutgoingMessage.objects.filter(
            mission__in=list(missions), participant__isnull=False, state=MessageState.FAILED
        )
        .filter(~Exists(newer))
        .values("mission")
        .annotate(failed=Count("pk"))
        .order_by()
    )
    return {row["mission"]: row["failed"] for row in rows}
