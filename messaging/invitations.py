"""Inviting participants: one outbox row each, queued in the deciding transaction."""

import secrets
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from messaging import outbox
from messaging.enums import MessageKind
from messaging.models import OutgoingMessage
from missions.enums import RsvpStatus
from missions.languages import language_asked
from missions.models import Mission, Participant
from missions.tokens import token_for, token_hash


def links_ensure(*, participants: list[Participant]) -> set[int]:
    """Make sure each participant has a personal link, issuing the missing ones in bulk;
    returns the ids of the participants whose rows it wrote.

    What `token_for` does for one participant, for many at once: the rows without a link
    are locked (in id order, so two sends cannot deadlock) and read again; a link that
    a concurrent send issued meanwhile is kept, so every e-mailed link stays valid. The
    new links are written in one UPDATE, with a history row each as `token_issue` writes.
    That UPDATE also marks those not yet invited as invited: `invitations_send`, which
    calls this, need not write the same rows again.
    """
    missing = {p.pk: p for p in participants if not p.token_nonce}
    if not missing:
        return set()
    current = {
        pk: (nonce, status)
        for pk, nonce, status in Participant.objects.select_for_update()
        .filter(pk__in=missing)
        .order_by("pk")
        .values_list("pk", "token_nonce", "rsvp_status")
    }
    now = timezone.now()
    issued = []
    for pk, participant in missing.items():
        nonce, status = current.get(pk, ("", participant.rsvp_status))
        if nonce:  # issued by a send that committed while we waited for the lock
            participant.token_nonce = nonce
            continue
        participant.token_nonce = secrets.token_hex(16)
        # With the nonce set, `token_for` derives the link and issues nothing.
        participant.token_hash = token_hash(token_for(participant=participant))
        participant.token_created_at = participant.updated_at = now
        participant.rsvp_status = status  # as it is now, under the lock
        if status == RsvpStatus.NOT_INVITED:
            participant.rsvp_status = RsvpStatus.INVITED
        issued.append(participant)
    if not issued:
        return set()
    fields = ["token_nonce", "token_hash", "token_created_at", "updated_at", "rsvp_status"]
    if connection.vendor != "postgresql":  # SQLite (`make run`): no arrays to unnest
        Participant.objects.bulk_update(issued, fields)
        Participant.history.bulk_history_create(issued, update=True, default_date=now)
    else:
        _links_write(issued, now)
        _links_history(issued, now)
    return {participant.pk for participant in issued}


def _links_write(issued: list[Participant], now) -> None:
    with connection.cursor() as cursor:  # bulk_update's CASE per row costs ~1 ms a row
        cursor.execute(
            "UPDATE missions_participant AS p"
            " SET token_nonce = new.nonce, token_hash = new.hash,"
            " token_created_at = %s, updated_at = %s,"
            " rsvp_status = CASE WHEN p.rsvp_status = %s THEN %s ELSE p.rsvp_status END"
            " FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS new(id, nonce, hash)"
            " WHERE p.id = new.id",
            [
                now,
                now,
                RsvpStatus.NOT_INVITED,
                RsvpStatus.INVITED,
                [p.pk for p in issued],
                [p.token_nonce for p in issued],
                [p.token_hash for p in issued],
            ],
        )


def _links_history(issued: list[Participant], now) -> None:
    """A history row per new link, as `bulk_history_create` writes them, in one statement.

    The rows are copied in the database from the participants as just written, rather
    than built as Python objects (most of the time of sending a mission's invitations).
    """
    history = Participant.history.model
    columns = ", ".join(connection.ops.quote_name(f.column) for f in history.tracked_fields)
    user = history.get_default_history_user(issued[0])  # the request's user, as for each row
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(history._meta.db_table)}"  # noqa: S608  (names from the model)
            f" ({columns}, history_date, history_user_id, history_change_reason, history_type)"
            f" SELECT {columns}, %s, %s, '', '~' FROM {Participant._meta.db_table}"
            " WHERE id = ANY(%s) ORDER BY id",
            [now, getattr(user, "pk", None), [p.pk for p in issued]],
        )


@transaction.atomic
def invitations_send(
    *, mission: Mission, participants: Iterable[Participant], sent_by: AbstractBaseUser | None
) -> int:
    """Queue one invitation per participant; returns how many were newly queued.

    Sending again to someone already invited queues nothing (the outbox's unique
    occasion), so double clicks and concurrent requests give one message each. The
    links and the rows are written in bulk: a few statements for any number of people.
    """
    participants = list(participants)
    prefetch_related_objects(participants, "person")  # no query when the caller selected them
    if any(participant.mission_id != mission.pk for participant in participants):
        raise ValueError("participant of another mission")
    # The links exist before the mails are rendered; new ones are written with the status.
    written = links_ensure(participants=participants)
    sender = {"sent_by": getattr(sent_by, "pk", None)}
    queued = outbox.messages_queue(
        messages=[
            outbox.message_build(
                recipient_email=participant.person.email,
                recipient_name=participant.person.full_name,
                language=language_asked(participant),
                kind=MessageKind.INVITATION,
                occasion=f"mission:{mission.pk}",
                mission=mission,
                participant=participant,
                context=sender,
            )
            for participant in participants
        ]
    )
    Participant.objects.filter(
        mission=mission,
        pk__in=[p.pk for p in participants if p.pk not in written],
        rsvp_status=RsvpStatus.NOT_INVITED,
    ).update(rsvp_status=RsvpStatus.INVITED, updated_at=timezone.now())
    return queued


@transaction.atomic
def invitation_resend(
    *, participant: Participant, sent_by: AbstractBaseUser | None
) -> OutgoingMessage | None:
    """Queue the invitation again for the participant's current link (after staff made a
    new one); None if that link already has its message.

    The occasion names the link's creation, so each new link is sent once.
    """
    token_for(participant=participant)
    stamp = participant.token_created_at or timezone.now()
    return outbox.message_queue(
        recipient_email=participant.person.email,
        recipient_name=participant.person.full_name,
        language=language_asked(participant),
        kind=MessageKind.INVITATION,
        occasion=f"mission:{participant.mission_id}:link:{stamp:%Y%m%dT%H%M%S%f}",
        mission=participant.mission,
        participant=participant,
        context={"sent_by": getattr(sent_by, "pk", None)},
    )
