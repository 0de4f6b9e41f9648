"""The demo's mail: what the two living demo missions (`missions.demo.living`) have sent.

`load_demo_mail`, run by `manage.py load_demo` right after `missions.demo.load_demo`,
gives each living mission:

- its reminder rules: the upcoming mission's are stored (`RULES`), so its follow-up page
  shows them; the mission under way uses the defaults;
- a personal link for everyone invited, issued as sending issues them (`links_ensure`);
- the invitation each was sent when the mission's `invited` says, marked sent; one
  bounced (`BOUNCED`), marked failed with the relay's answer;
- the reminders the scan (`messaging.reminders`) would have sent since, by the same rules
  and with the same occasions, marked sent. The scan sends none of them again, and those
  still ahead (the reminder before the RSVP deadline, those before the mission) are
  left to it.

The rows are the outbox's own (`invitation_build`, the scan's `reminder_build`), written
as the workers leave them. Idempotent: a message is found by participant, kind and
occasion, and written only when a field differs; on a later day the times move along
with the mission. Nothing is handed to a worker: no e-mail leaves.
"""

import datetime as dt
from collections import Counter

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from messaging.enums import MessageKind, MessageState, ReminderAnchor
from messaging.invitations import invitation_build, links_ensure
from messaging.models import OutgoingMessage, ReminderRule
from messaging.reminders import Rule, recipient_zone, reminder_build, reminder_due, rules_of
from missions.demo.living import ACTION_OWNER, UPCOMING, living_missions
from missions.enums import RsvpStatus
from missions.models import Mission, Participant

__all__ = ["load_demo_mail"]

RULES: dict[str, tuple[Rule, ...]] = {
    UPCOMING: (
        Rule(MessageKind.RSVP_REMINDER, ReminderAnchor.AFTER_INVITATION, 7),
        Rule(MessageKind.RSVP_REMINDER, ReminderAnchor.BEFORE_DEADLINE, 2),
        Rule(MessageKind.MISSION_REMINDER, ReminderAnchor.BEFORE_START, 7),
        Rule(MessageKind.MISSION_REMINDER, ReminderAnchor.BEFORE_START, 1),
    ),
}
# Whose invitation bounced, and what the relay answered (as the outbox records a 5xx).
BOUNCED = {
    UPCOMING: (
        "Anke Schubert",
        "SMTP 550: SMTPRecipientsRefused: {{'{email}': (550, b'5.1.1 <{email}>: "
        "Recipient address rejected: User unknown in virtual mailbox table')}}",
    ),
}
# How long after it fell due the worker had sent a message.
SENT_AFTER = dt.timedelta(minutes=1)

# What a demo message may differ in from what is stored (its Message-ID stays).
MESSAGE_FIELDS = (
    "mission_id",
    "recipient_email",
    "recipient_name",
    "language",
    "due_at",
    "enqueued_at",
    "locked_at",
    "sent_at",
    "created_at",
    "state",
    "attempts",
    "last_error",
    "context",
)


@transaction.atomic
def load_demo_mail(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Give the living demo missions (loaded by `missions.demo.load_demo` with the same
    `now`) their reminder rules, links and the mail sent so far; returns how many demo
    messages and rules there are, and how many rows this run created or updated."""
    now = now or timezone.now()
    rows = {row["slug"]: row for row in living_missions(now=now)}
    missions = Mission.objects.filter(slug__in=rows).order_by("slug")
    sender = get_user_model().objects.filter(username=ACTION_OWNER["username"]).first()
    tally: Counter = Counter()
    found = {
        (message.participant_id, message.kind, message.occasion): message
        for message in OutgoingMessage.objects.filter(mission__in=missions)
    }
    for mission in missions:
        row = rows[mission.slug]
        _rules_put(mission, RULES.get(mission.slug, ()), tally=tally)
        invited = [
            participant
            for participant in mission.participants.select_related("person").order_by("pk")
            if participant.rsvp_status != RsvpStatus.NOT_INVITED
        ]
        links_ensure(participants=invited)
        invited_at = row["invited"].replace(tzinfo=mission.time_zone)
        bounced, error = BOUNCED.get(mission.slug, ("", ""))
        for participant in invited:
            participant.mission = mission
            invitation = invitation_build(participant=participant, sent_by=sender)
            if participant.person.full_name == bounced:
                _as_failed(
                    invitation, at=invited_at, error=error.format(email=invitation.recipient_email)
                )
                _message_put(invitation, found=found, tally=tally)
                continue
            _as_sent(invitation, due_at=invited_at)
            _message_put(invitation, found=found, tally=tally)
            for reminder in _reminders_sent(mission, participant, invited_at=invited_at, now=now):
                _message_put(reminder, found=found, tally=tally)
    return {
        "messages": tally["messages"],
        "rules": sum(len(rules) for rules in RULES.values()),
        "created": tally["created"],
        "updated": tally["updated"],
    }


def _rules_put(mission: Mission, rules: tuple[Rule, ...], *, tally: Counter) -> None:
    stored = {(rule.kind, rule.anchor, rule.days): rule for rule in mission.reminder_rules.all()}
    for rule in rules:
        row = stored.get((rule.kind, rule.anchor, rule.days))
        if row is None:
            row = ReminderRule(mission=mission, kind=rule.kind, anchor=rule.anchor, days=rule.days)
            tally["created"] += 1
        elif row.is_active == rule.is_active:
            continue
        else:
            tally["updated"] += 1
        row.is_active = rule.is_active
        row.full_clean()
        row.save()


def _reminders_sent(
    mission: Mission, participant: Participant, *, invited_at: dt.datetime, now: dt.datetime
) -> list[OutgoingMessage]:
    """The reminders the scan sent the participant before `now`, as it builds them: a
    reminder to answer while they had not answered, one before the mission once they
    had accepted."""
    zone = recipient_zone(participant)
    answered_at = participant.answered_at
    sent = []
    for rule in rules_of(mission):
        due = reminder_due(rule, mission=mission, zone=zone, invited_at=invited_at)
        if not rule.is_active or due is None or not invited_at <= due <= now - SENT_AFTER:
            continue
        if rule.kind == MessageKind.RSVP_REMINDER:
            if answered_at is not None and answered_at <= due:
                continue
        elif participant.rsvp_status != RsvpStatus.ACCEPTED or not answered_at or answered_at > due:
            continue
        reminder = reminder_build(rule, participant=participant, due_at=due)
        sent.append(_as_sent(reminder, due_at=due))
    return sent


def _as_sent(message: OutgoingMessage, *, due_at: dt.datetime) -> OutgoingMessage:
    """The message as a worker leaves it after the relay accepted it."""
    message.due_at = message.enqueued_at = message.created_at = due_at
    message.locked_at = message.sent_at = due_at + SENT_AFTER
    message.state, message.attempts, message.last_error = MessageState.SENT, 1, ""
    return message


def _as_failed(message: OutgoingMessage, *, at: dt.datetime, error: str) -> OutgoingMessage:
    """The message as a worker leaves it after the relay refused it for good (a 5xx)."""
    message.due_at = message.enqueued_at = message.created_at = at
    message.locked_at, message.sent_at = at + SENT_AFTER, None
    message.state, message.attempts, message.last_error = MessageState.FAILED, 1, error
    return message


def _message_put(
    message: OutgoingMessage,
    *,
    found: dict[tuple[int, str, str], OutgoingMessage],
    tally: Counter,
) -> None:
    """Insert the message, or bring the stored one to it; `created_at` is when it was
    queued, which `auto_now_add` would not keep, so it is written by an UPDATE."""
    tally["messages"] += 1
    existing = found.get((message.participant_id, message.kind, message.occasion))
    if existing is None:
        created_at = message.created_at
        message.full_clean()
        message.save()
        OutgoingMessage.objects.filter(pk=message.pk).update(created_at=created_at)
        tally["created"] += 1
        return
    changed = {
        name: getattr(message, name)
        for name in MESSAGE_FIELDS
        if getattr(existing, name) != getattr(message, name)
    }
    if changed:
        OutgoingMessage.objects.filter(pk=existing.pk).update(**changed)
        tally["updated"] += 1
