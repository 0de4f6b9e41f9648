"""Inviting participants: one outbox row each, queued in the deciding transaction."""

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from messaging import outbox
from messaging.emails import render_message
from messaging.enums import MessageKind
from messaging.models import OutgoingMessage
from messaging.reminders import addressed_to
from missions import tokens
from missions.audit import audit_record_links
from missions.enums import AuditAction, MissionStatus, RsvpStatus
from missions.languages import language_for
from missions.models import Mission, Participant

# Rows a statement of `links_ensure` writes.
BATCH_SIZE = 500
# What `links_ensure` writes on a participant: the link, and invited once it is sent.
ISSUED_FIELDS = (*tokens.LINK_FIELDS, "updated_at", "rsvp_status")


def links_ensure(*, participants: list[Participant]) -> set[int]:
    """Make sure each participant has a personal link, issuing the missing ones in bulk;
    returns the ids of the participants whose rows it wrote.

    What `token_for` does for one participant, for many at once: the rows without a link
    are locked (in id order, so two sends cannot deadlock) and read again; a link that
    a concurrent send issued meanwhile is kept, so every e-mailed link stays valid. Each
    new link is made by `tokens.link_new` and written with a history row, as
    `token_issue` writes it, a batch of rows at a time. The same write marks those not
    yet invited as invited: `invitations_send`, which calls this, need not write the same
    rows again. The caller's instances get what was written. Each new link is an entry
    of the audit log, all of them one INSERT.
    """
    missing = {p.pk: p for p in participants if not p.token_nonce}
    if not missing:
        return set()
    now = timezone.now()
    issued = []
    for current in Participant.objects.select_for_update().filter(pk__in=missing).order_by("pk"):
        if current.token_nonce:  # issued by a send that committed while we waited for the lock
            missing[current.pk].token_nonce = current.token_nonce
            continue
        tokens.link_new(participant=current, now=now)
        if current.rsvp_status == RsvpStatus.NOT_INVITED:
            current.rsvp_status = RsvpStatus.INVITED
        issued.append(current)
    if not issued:
        return set()
    # An upsert on the id of rows that exist and stay locked: each takes the DO UPDATE
    # branch and only ISSUED_FIELDS change. One statement a batch with plain parameters,
    # where bulk_update builds a CASE with a WHEN for each row and field (5,000 rows:
    # some ten times faster).
    created = {participant.pk: participant.created_at for participant in issued}
    Participant.objects.bulk_create(
        issued,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["id"],
        update_fields=list(ISSUED_FIELDS),
    )
    for participant in issued:  # what the row keeps: the upsert stamped the instance
        participant.created_at = created[participant.pk]
    Participant.history.bulk_history_create(
        issued, update=True, default_date=now, batch_size=BATCH_SIZE
    )
    audit_record_links(action=AuditAction.LINK_ISSUED, participants=issued)
    for row in issued:
        for name in ISSUED_FIELDS:
            setattr(missing[row.pk], name, getattr(row, name))
    return {row.pk for row in issued}


def invitations_closed_because(mission: Mission) -> str:
    """Why no invitation to the mission can be sent, or "" when they can: a cancelled
    mission invites nobody, and one that has ended neither (its links would not work)."""
    if mission.status == MissionStatus.CANCELLED:
        return gettext("The mission is cancelled: no invitations can be sent.")
    if mission.has_ended:
        return gettext(
            "The mission ended on %(date)s: invitations can no longer be sent, and a link "
            "sent now would not work."
        ) % {"date": date_format(mission.end_date, "DATE_FORMAT")}
    return ""


def invitations_check_open(mission: Mission) -> None:
    """A ValidationError that says why, if the mission's invitations are closed."""
    if reason := invitations_closed_because(mission):
        raise ValidationError(reason, code="invitations_closed")


def invitation_occasion(mission: Mission) -> str:
    """The outbox occasion of a mission's invitations: one invitation per person."""
    return f"mission:{mission.pk}"


def invitation_build(
    *, participant: Participant, sent_by: AbstractBaseUser | None, occasion: str = ""
) -> OutgoingMessage:
    """A participant's invitation as an unsaved outbox row: what sending queues and the
    preview renders."""
    return outbox.message_build(
        **addressed_to(participant, mission=participant.mission),
        kind=MessageKind.INVITATION,
        occasion=occasion or invitation_occasion(participant.mission),
        context={"sent_by": getattr(sent_by, "pk", None)},
    )


@transaction.atomic
def invitations_send(
    *, mission: Mission, participants: Iterable[Participant], sent_by: AbstractBaseUser | None
) -> int:
    """Queue one invitation per participant; returns how many were newly queued.

    Sending again to someone already invited queues nothing (the outbox's unique
    occasion), so double clicks and concurrent requests give one message each. The
    links and the rows are written in bulk: a few statements for any number of people.
    A mission that is cancelled or has ended is a ValidationError (`invitations_closed_because`).
    """
    invitations_check_open(mission)
    participants = list(participants)
    prefetch_related_objects(participants, "person")  # no query when the caller selected them
    if any(participant.mission_id != mission.pk for participant in participants):
        raise ValueError("participant of another mission")
    # The links exist before the mails are rendered; new ones are written with the status.
    written = links_ensure(participants=participants)
    for participant in participants:
        participant.mission = mission  # the same mission, read once
    queued = outbox.messages_queue(
        messages=[
            invitation_build(participant=participant, sent_by=sent_by)
            for participant in participants
        ]
    )
    Participant.objects.filter(
        mission=mission,
        pk__in=[p.pk for p in participants if p.pk not in written],
        rsvp_status=RsvpStatus.NOT_INVITED,
    ).update(rsvp_status=RsvpStatus.INVITED, updated_at=timezone.now())
    return len(queued)


def participant_message_retry(*, message: OutgoingMessage) -> bool:
    """Staff retry a failed message to a participant at the person's address as it is now
    (a planner corrects a mistyped address, then retries); see `outbox.message_retry`."""
    person = message.participant.person if message.participant_id else None
    return outbox.message_retry(message=message, recipient_email=person.email if person else "")


def queued_text(*, queued: int, skipped: int) -> str:
    """What staff are told after sending: `3 invitations queued. 1 was already invited.`"""
    text = ngettext("%(count)d invitation queued.", "%(count)d invitations queued.", queued) % {
        "count": queued
    }
    if skipped:
        text += " " + ngettext(
            "%(count)d was already invited.", "%(count)d were already invited.", skipped
        ) % {"count": skipped}
    return text


@transaction.atomic
def invitation_resend(
    *, participant: Participant, sent_by: AbstractBaseUser | None
) -> OutgoingMessage | None:
    """Queue the invitation again for the participant's current link (after staff made a
    new one); None if that link already has its message.

    The occasion names the link's creation, so each new link is sent once. A mission
    that is cancelled or has ended is a ValidationError, as in `invitations_send`.
    """
    invitations_check_open(participant.mission)
    tokens.token_for(participant=participant)
    stamp = participant.token_created_at or timezone.now()
    occasion = f"{invitation_occasion(participant.mission)}:link:{stamp:%Y%m%dT%H%M%S%f}"
    message = invitation_build(participant=participant, sent_by=sent_by, occasion=occasion)
    queued = outbox.messages_queue(messages=[message])
    return queued[0] if queued else None


@transaction.atomic
def participant_link_regenerate(
    *, participant: Participant, sent_by: AbstractBaseUser | None, resend: bool
) -> None:
    """Give the participant a new personal link (the old one stops working) and, with
    `resend`, queue the invitation again with it (not for a mission that is cancelled
    or has ended: a ValidationError, and no new link either)."""
    if resend:
        invitations_check_open(participant.mission)
    tokens.token_issue(participant=participant)
    if resend:
        invitation_resend(participant=participant, sent_by=sent_by)


# PREVIEW ----------------------------------------------------------------------------

# The personal link in a preview: derived from this nonce on an unsaved copy of the
# participant, so no link is issued, then replaced by a placeholder before showing.
PREVIEW_NONCE = "preview"
PREVIEW_LINK = "personal-link"


@dataclass
class Preview:
    language: str
    recipients: list[Participant]
    sample: Participant
    subject: str = ""
    text: str = ""
    html: str = ""
    attachments: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def language_name(self) -> str:
        return dict(settings.LANGUAGES).get(self.language, self.language)


def _render_dry_run(message: OutgoingMessage):
    """Render inside a savepoint that is always rolled back: a preview writes nothing."""
    with transaction.atomic():
        try:
            return render_message(message)
        finally:
            transaction.set_rollback(True)


def invitation_previews(
    *, mission: Mission, participants: list[Participant], sent_by
) -> list[Preview]:
    """The invitation once per language among the recipients, rendered as it will be sent.

    Each is rendered for the first recipient of that language from an unsaved outbox row
    built like `invitations_send` builds it; no row is saved and no link is issued.
    """
    groups: dict[str, list[Participant]] = {}
    for participant in participants:
        groups.setdefault(language_for(participant), []).append(participant)
    order = [code for code, _name in settings.LANGUAGES]
    previews = []
    for code in sorted(groups, key=lambda c: order.index(c) if c in order else len(order)):
        recipients = groups[code]
        preview = Preview(language=code, recipients=recipients, sample=recipients[0])
        stand_in = copy.copy(preview.sample)
        stand_in.token_nonce = PREVIEW_NONCE  # so `token_for` derives a link, issues none
        message = invitation_build(participant=stand_in, sent_by=sent_by)
        try:
            email = _render_dry_run(message)
        except Exception as error:  # noqa: BLE001  (shown to staff: the preview is where to find out)
            preview.error = f"{type(error).__name__}: {error}"
        else:
            token = tokens.token_for(participant=stand_in)
            preview.subject = email.subject.replace(token, PREVIEW_LINK)
            preview.text = email.body.replace(token, PREVIEW_LINK)
            preview.html = "".join(
                content for content, mimetype in email.alternatives if mimetype == "text/html"
            ).replace(token, PREVIEW_LINK)
            preview.attachments = [attachment[0] for attachment in email.attachments]
        previews.append(preview)
    return previews
