"""The demo's mail (messaging/demo.py): what the two living demo missions have sent."""

import datetime as dt
from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone

from messaging.demo import load_demo_mail
from messaging.enums import MessageKind, MessageState, ReminderAnchor
from messaging.models import OutgoingMessage
from messaging.reminders import Rule, recipient_zone, reminder_due, reminders_scan
from missions.demo import load_demo
from missions.demo.living import UNDER_WAY, UPCOMING
from missions.enums import RsvpStatus
from missions.models import Mission, Participant
from missions.tokens import participant_for_token, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo_mail(django_db_setup, django_db_blocker):
    """The demo with its mail, loaded once for this module and rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        now = timezone.now()
        load_demo(now=now)
        yield load_demo_mail(now=now)
        transaction.set_rollback(True)


def _messages(slug: str, kind: MessageKind):
    return OutgoingMessage.objects.filter(mission__slug=slug, kind=kind)


def test_upcoming_mission_invitations_sent_and_one_failed():
    states = Counter(_messages(UPCOMING, MessageKind.INVITATION).values_list("state", flat=True))
    failed = _messages(UPCOMING, MessageKind.INVITATION).get(state=MessageState.FAILED)

    assert states == {MessageState.SENT: 17, MessageState.FAILED: 1}  # 4 to the hosts
    assert failed.participant.person.full_name == "Anke Schubert"
    assert failed.last_error.startswith("SMTP 550: SMTPRecipientsRefused: ")
    assert (failed.sent_at, failed.attempts) == (None, 1)


def test_every_invited_participant_has_a_live_link_and_the_others_none():
    participants = Participant.objects.filter(mission__slug__in=[UPCOMING, UNDER_WAY])

    live = [
        participant_for_token(token_for(participant=participant)) == participant
        for participant in participants.exclude(token_nonce="")
    ]

    assert sorted(
        participants.filter(token_nonce="").values_list("person__full_name", flat=True)
    ) == [
        "Katrin Vogel"  # the upcoming mission's interpreter, not invited yet
    ]
    assert len(live) == participants.count() - 1
    assert all(live)


def test_every_answer_came_after_its_invitation_was_sent():
    invitations = _messages(UPCOMING, MessageKind.INVITATION).filter(state=MessageState.SENT)

    early = [
        message.participant.person.full_name
        for message in invitations.select_related("participant__person")
        if message.participant.answered_at and message.participant.answered_at < message.sent_at
    ]

    assert (invitations.count(), early) == (17, [])


def test_upcoming_reminder_went_to_those_silent_a_week_after_the_invitation():
    reminded = _messages(UPCOMING, MessageKind.RSVP_REMINDER).filter(state=MessageState.SENT)

    names = sorted(reminded.values_list("participant__person__full_name", flat=True))

    # Felix Hartung and Sabine Krüger answered after it; Anke Schubert never got the invitation.
    assert names == [
        "David Nguyen",
        "Felix Hartung",
        "Jonas Weidner",
        "Priya Sandhu",
        "Sabine Krüger",
    ]


def test_scan_now_sends_none_of_the_demos_reminders_again():
    counts = reminders_scan(now=timezone.now())

    assert (counts[MessageKind.RSVP_REMINDER], counts[MessageKind.MISSION_REMINDER]) == (0, 0)


def test_reminder_before_the_deadline_is_still_ahead_for_the_silent_invited():
    mission = Mission.objects.get(slug=UPCOMING)
    silent = Participant.objects.filter(mission=mission, rsvp_status=RsvpStatus.INVITED)
    rule = Rule(MessageKind.RSVP_REMINDER, ReminderAnchor.BEFORE_DEADLINE, 2)
    due = max(
        reminder_due(rule, mission=mission, zone=recipient_zone(participant), invited_at=None)
        for participant in silent.select_related("person", "mission")
    )

    counts = reminders_scan(now=due + dt.timedelta(minutes=1))
    queued = _messages(UPCOMING, MessageKind.RSVP_REMINDER).filter(state=MessageState.QUEUED)

    assert due > timezone.now()
    assert mission.reminder_rules.filter(anchor=rule.anchor, days=rule.days).exists()
    assert counts[MessageKind.RSVP_REMINDER] == 3
    assert sorted(queued.values_list("participant__person__full_name", flat=True)) == [
        "David Nguyen",  # not Anke Schubert: her invitation bounced
        "Jonas Weidner",
        "Priya Sandhu",
    ]


def test_under_way_mission_participants_were_invited_and_reminded_before_it():
    sent = Counter(
        OutgoingMessage.objects.filter(
            mission__slug=UNDER_WAY, state=MessageState.SENT
        ).values_list("kind", flat=True)
    )

    assert sent == {
        MessageKind.INVITATION: 9,
        MessageKind.MISSION_REMINDER: 18,  # 7 days and 1 day before, to each of 9
        MessageKind.RSVP_REMINDER: 1,  # Priya Sandhu answered an hour after it
    }


def test_load_demo_mail_again_writes_nothing(demo_mail):
    now = timezone.now()
    load_demo(now=now)
    before = list(OutgoingMessage.objects.order_by("pk").values())

    again = load_demo_mail(now=now)

    assert (again["created"], again["updated"]) == (0, 0)
    assert {**again, "created": 0, "updated": 0} == {**demo_mail, "created": 0, "updated": 0}
    assert list(OutgoingMessage.objects.order_by("pk").values()) == before
