"""The outbox in-process: queueing, claiming, idempotent delivery, classification, rescue.

Delivery against a real SMTP server and a real worker is in tests/e2e/.
"""

import datetime as dt
import re
import smtplib
import socket
import threading
from email.utils import getaddresses
from unittest import mock
from urllib.parse import urlsplit

import icalendar
import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from config.celery_app import app as celery_app
from messaging import outbox
from messaging.enums import MessageKind, MessageState
from messaging.invitations import invitations_send
from messaging.models import OutgoingMessage
from messaging.relay import Relay
from messaging.tasks import deliver_messages
from missions import tokens
from missions.enums import Audience, RsvpStatus
from missions.models import Participant
from tests.factories import (
    ItineraryItemFactory,
    MissionFactory,
    OutgoingMessageFactory,
    ParticipantFactory,
    PersonFactory,
)
from tests.outbox import taken_by_another_worker_once_read

pytestmark = pytest.mark.django_db


@pytest.fixture
def delegates():
    mission = MissionFactory(title="Leipzig creative trade mission", upcoming=True)
    return [
        ParticipantFactory(mission=mission, person=PersonFactory(full_name=name, email=email))
        for name, email in [
            ("Ines Dietrich", "ines.dietrich@example.org"),
            ("Anthony Tattum", "anthony.tattum@example.org"),
        ]
    ]


def test_invitations_are_handed_to_the_worker_only_after_commit(
    delegates, django_capture_on_commit_callbacks
):
    mission = delegates[0].mission
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = invitations_send(mission=mission, participants=delegates, sent_by=None)
    assert queued == 2
    [hand_over] = callbacks  # one hand-over for the whole batch, after commit
    assert sorted(hand_over.ids) == sorted(OutgoingMessage.objects.values_list("pk", flat=True))
    assert sorted(OutgoingMessage.objects.values_list("recipient_email", "state")) == [
        ("anthony.tattum@example.org", MessageState.QUEUED),
        ("ines.dietrich@example.org", MessageState.QUEUED),
    ]
    assert {p.rsvp_status for p in mission.participants.all()} == {RsvpStatus.INVITED}


def _invite_then_fail(participants) -> None:
    with transaction.atomic():
        invitations_send(mission=participants[0].mission, participants=participants, sent_by=None)
        raise RuntimeError("the planner's request failed after queueing")


def test_rolled_back_decision_sends_nothing(delegates, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(RuntimeError),
    ):
        _invite_then_fail(delegates)
    assert callbacks == []
    assert OutgoingMessage.objects.count() == 0


def test_inviting_again_queues_nothing_new(delegates, django_capture_on_commit_callbacks):
    mission = delegates[0].mission
    with django_capture_on_commit_callbacks(execute=False):
        invitations_send(mission=mission, participants=delegates, sent_by=None)
        again = invitations_send(mission=mission, participants=delegates, sent_by=None)
    assert again == 0
    assert OutgoingMessage.objects.count() == 2


def test_delivery_task_run_twice_sends_one_email(
    delegates, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        invitations_send(mission=delegates[0].mission, participants=delegates[:1], sent_by=None)
    [message] = OutgoingMessage.objects.all()

    first = deliver_messages.apply(kwargs={"message_ids": [message.pk]}).get()
    second = deliver_messages.apply(kwargs={"message_ids": [message.pk]}).get()

    assert (first["sent"], second["sent"], second["skipped"]) == (1, 0, 1)
    assert len(mailoutbox) == 1
    message.refresh_from_db()
    assert (message.state, message.attempts) == (MessageState.SENT, 1)
    assert mailoutbox[0].extra_headers["Message-ID"] == message.message_id
    assert mailoutbox[0].to == ["Ines Dietrich <ines.dietrich@example.org>"]


def test_message_in_the_recipients_language(mailoutbox, django_capture_on_commit_callbacks):
    participant = ParticipantFactory(person__preferred_language="de", mission__upcoming=True)
    with django_capture_on_commit_callbacks(execute=False):
        invitations_send(mission=participant.mission, participants=[participant], sent_by=None)
    outbox.deliver(OutgoingMessage.objects.values_list("pk", flat=True))
    assert mailoutbox[0].subject == f"Einladung: {participant.mission.title}"


def test_name_with_line_breaks_cannot_inject_a_header(
    mailoutbox, django_capture_on_commit_callbacks
):
    participant = ParticipantFactory(
        person__full_name="Eve\r\nBcc: attacker@example.org",
        person__email="eve@example.org",
        mission__upcoming=True,
    )
    with django_capture_on_commit_callbacks(execute=False):
        invitations_send(mission=participant.mission, participants=[participant], sent_by=None)
    outbox.deliver(OutgoingMessage.objects.values_list("pk", flat=True))
    sent = mailoutbox[0].message()
    assert sent["To"] == '"Eve Bcc: attacker@example.org" <eve@example.org>'
    assert sent["Bcc"] is None
    assert getaddresses([sent["To"]]) == [("Eve Bcc: attacker@example.org", "eve@example.org")]


def _queue(email: str) -> OutgoingMessage:
    return outbox.message_queue(
        recipient_email=email,
        recipient_name="",
        language="en",
        kind=MessageKind.INVITATION,
        occasion="mission:1",
    )


def _queue_then_fail(email: str) -> None:
    with transaction.atomic():
        _queue(email)
        raise RuntimeError("this part of the decision is rolled back")


def test_messages_are_handed_over_after_commit_without_those_of_a_rolled_back_savepoint(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        first = _queue("ines.dietrich@example.org")
        with pytest.raises(RuntimeError):
            _queue_then_fail("ken.wood@example.org")
        third = _queue("anthony.tattum@example.org")
    assert [hand_over.ids for hand_over in callbacks] == [[first.pk], [third.pk]]


def test_message_not_yet_due_is_not_claimed():
    message = outbox.message_queue(
        recipient_email="ken.wood@example.org",
        recipient_name="Ken Wood",
        language="en",
        kind=MessageKind.ACTION_DUE,
        occasion="later",
        due_at=timezone.now() + dt.timedelta(minutes=15),
    )
    assert outbox.claim(message.pk) is None


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"no such user")}), True),
        (smtplib.SMTPDataError(554, b"rejected"), True),
        (smtplib.SMTPSenderRefused(553, b"sender refused", "itinera@example.org"), True),
        (smtplib.SMTPResponseException(421, b"try again later"), False),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (450, b"mailbox busy")}), False),
        (smtplib.SMTPServerDisconnected("dropped"), False),
        (ConnectionRefusedError(111, "refused"), False),
        (TimeoutError("timed out"), False),
    ],
)
def test_smtp_errors_are_classified_permanent_or_transient(error, permanent):
    assert outbox.is_permanent(error) is permanent


def test_backoff_doubles_up_to_its_ceiling(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 10
    settings.OUTBOX_RETRY_MAX_SECONDS = 60
    assert [outbox.backoff(n).total_seconds() for n in range(1, 6)] == [10, 20, 40, 60, 60]


def test_rescue_requeues_stuck_and_unhanded_messages(django_capture_on_commit_callbacks):
    now = timezone.now()
    stuck = OutgoingMessage.objects.create(
        recipient_email="a@example.org",
        kind=MessageKind.INVITATION,
        occasion="1",
        message_id="<1@test>",
        due_at=now,
        state=MessageState.IN_FLIGHT,
        locked_at=now - dt.timedelta(minutes=30),
        enqueued_at=now - dt.timedelta(minutes=30),
    )
    lost = OutgoingMessage.objects.create(
        recipient_email="b@example.org",
        kind=MessageKind.INVITATION,
        occasion="1",
        message_id="<2@test>",
        due_at=now - dt.timedelta(minutes=1),
    )
    busy = OutgoingMessage.objects.create(
        recipient_email="c@example.org",
        kind=MessageKind.INVITATION,
        occasion="1",
        message_id="<3@test>",
        due_at=now,
        state=MessageState.IN_FLIGHT,
        locked_at=now,
    )
    handed_recently = OutgoingMessage.objects.create(
        recipient_email="d@example.org",
        kind=MessageKind.INVITATION,
        occasion="1",
        message_id="<4@test>",
        due_at=now,
        enqueued_at=now,
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rescued = outbox.rescue()
    assert rescued == 2
    assert len(callbacks) == 1
    stuck.refresh_from_db()
    assert stuck.state == MessageState.QUEUED
    busy.refresh_from_db()
    handed_recently.refresh_from_db()
    assert (busy.state, handed_recently.state) == (MessageState.IN_FLIGHT, MessageState.QUEUED)
    assert lost.pk != stuck.pk


def test_failed_message_retried_by_staff_goes_back_to_the_queue(
    django_capture_on_commit_callbacks,
):
    failed = OutgoingMessage.objects.create(
        recipient_email="a@example.org",
        kind=MessageKind.INVITATION,
        occasion="1",
        message_id="<5@test>",
        due_at=timezone.now(),
        state=MessageState.FAILED,
        attempts=6,
        last_error="SMTP 550: no such user",
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert outbox.message_retry(message=failed) is True
    failed.refresh_from_db()
    assert (failed.state, failed.attempts, len(callbacks)) == (MessageState.QUEUED, 0, 1)


def test_broker_down_at_hand_over_keeps_the_rows_for_rescue(
    delegates, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    monkeypatch.setitem(celery_app.conf, "broker_url", f"redis://127.0.0.1:{closed_port}/0")
    monkeypatch.setitem(celery_app.conf, "task_publish_retry", False)
    celery_app.pool.force_close_all()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            invitations_send(mission=delegates[0].mission, participants=delegates, sent_by=None)
    finally:
        monkeypatch.undo()
        celery_app.pool.force_close_all()

    [hand_over_error] = [r for r in caplog.records if r.name == "messaging.outbox"]
    assert hand_over_error.getMessage() == "outbox: broker down; 2 messages wait for rescue"
    assert set(OutgoingMessage.objects.values_list("state", flat=True)) == {MessageState.QUEUED}
    # Never handed over, so the next rescue hands them over (not minutes later).
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert outbox.rescue() == 2
    assert sorted(callbacks[0].ids) == sorted(OutgoingMessage.objects.values_list("pk", flat=True))


def test_sending_a_batch_of_50_invitations_stays_within_one_query_per_message(
    mailoutbox, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    mission = MissionFactory(title="Leipzig creative trade mission", upcoming=True)
    for title, audience in [("Welcome", Audience.WHOLE_DELEGATION), ("Visit", Audience.SELECTED)]:
        ItineraryItemFactory(mission=mission, title=title, audience=audience)
    visit = mission.items.get(title="Visit")
    participants = [
        ParticipantFactory(
            mission=mission,
            person=PersonFactory(preferred_language="de" if n % 3 == 0 else "en"),
        )
        for n in range(50)
    ]
    for participant in participants[::2]:
        participant.items.add(visit)
    with django_capture_on_commit_callbacks(execute=False):
        invitations_send(mission=mission, participants=participants, sent_by=None)
    ids = list(OutgoingMessage.objects.order_by("pk").values_list("pk", flat=True))

    # Per message, one transaction: the last one's outcome and this claim (in a test's
    # transaction, a savepoint and its release around them); the rest once per batch.
    with django_assert_max_num_queries(4 * 50 + 8):
        counts = outbox.deliver(ids)

    assert counts == {"sent": 50, "retry": 0, "failed": 0, "skipped": 0}
    assert set(OutgoingMessage.objects.values_list("state", flat=True)) == {MessageState.SENT}
    calendars = [icalendar.Calendar.from_ical(email.attachments[0][1]) for email in mailoutbox]
    programmes = [[str(event["SUMMARY"]) for event in c.walk("VEVENT")] for c in calendars]
    assert programmes == [["Welcome", "Visit"], ["Welcome"]] * 25


def test_the_same_message_twice_in_a_batch_is_sent_once(
    delegates, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        invitations_send(mission=delegates[0].mission, participants=delegates[:1], sent_by=None)
    [message] = OutgoingMessage.objects.all()

    outbox.deliver([message.pk, message.pk])

    assert len(mailoutbox) == 1
    message.refresh_from_db()
    assert (message.state, message.attempts) == (MessageState.SENT, 1)


def test_invitations_issue_each_participant_a_live_link_in_their_history(
    django_capture_on_commit_callbacks,
):
    start = timezone.localdate() + dt.timedelta(days=30)
    mission = MissionFactory(start_date=start, end_date=start + dt.timedelta(days=2))
    ines, anthony = ParticipantFactory.create_batch(2, mission=mission)
    earlier = tokens.token_issue(participant=anthony)  # a link sent by hand before
    history_before = Participant.history.count()

    with django_capture_on_commit_callbacks(execute=False):
        invitations_send(mission=ines.mission, participants=[ines, anthony], sent_by=None)

    assert tokens.participant_for_token(earlier) == anthony  # kept, not replaced
    ines_link = tokens.token_for(participant=Participant.objects.get(pk=ines.pk))
    assert tokens.participant_for_token(ines_link) == ines
    [issued] = Participant.history.filter(id=ines.pk, history_type="~")
    assert (issued.token_hash, Participant.history.count()) == (
        tokens.token_hash(ines_link),
        history_before + 1,
    )
    # Both are invited now, and the history row of the new link says so too.
    assert set(mission.participants.values_list("rsvp_status", flat=True)) == {RsvpStatus.INVITED}
    assert issued.rsvp_status == RsvpStatus.INVITED


@pytest.mark.django_db(transaction=True)
def test_delivery_outside_a_transaction_skips_what_another_worker_claimed(mailoutbox):
    """As in the worker (no transaction around it): a message another worker claimed after
    the batch was read is not sent, and a link issued while rendering is the one sent."""
    mission = MissionFactory(title="Leipzig creative trade mission")
    messages = [
        OutgoingMessageFactory(participant=ParticipantFactory(mission=mission, token_nonce=""))
        for _ in range(3)
    ]
    taken = messages[1]
    with taken_by_another_worker_once_read(taken):
        counts = outbox.deliver([message.pk for message in messages])

    assert counts == {"sent": 2, "retry": 0, "failed": 0, "skipped": 1}
    assert [email.extra_headers["Message-ID"] for email in mailoutbox] == [
        messages[0].message_id,
        messages[2].message_id,
    ]
    states = dict(OutgoingMessage.objects.values_list("pk", "state"))
    assert [states[m.pk] for m in messages] == [
        MessageState.SENT,
        MessageState.IN_FLIGHT,
        MessageState.SENT,
    ]
    for email, message in zip(mailoutbox, messages[::2], strict=True):
        participant = Participant.objects.get(pk=message.participant_id)  # link issued
        assert set(re.findall(r"/d/([^/\s]+)/", email.body)) == {
            tokens.token_for(participant=participant)
        }
    assert outbox.deliver([message.pk for message in messages])["sent"] == 0


@pytest.mark.postgresql(reason="a row locked by another connection, SKIP LOCKED, lock_timeout")
@pytest.mark.django_db(transaction=True)
def test_rescue_and_broker_down_hand_over_skip_a_row_a_worker_is_claiming():
    """A worker claiming a row holds it, and with it the previous row it marks sent;
    waiting for it could deadlock with that worker. A rescue hands over the rows it can
    have and leaves the held one to its worker; a hand-over the broker refused notes the
    others as never handed over."""
    now = timezone.now()
    stale = now - dt.timedelta(minutes=30)
    messages = [OutgoingMessageFactory(enqueued_at=stale) for _ in range(3)]
    held, release = threading.Event(), threading.Event()

    def worker_claiming():
        with transaction.atomic():
            OutgoingMessage.objects.select_for_update().get(pk=messages[1].pk)
            held.set()
            release.wait(timeout=30)
        connections.close_all()

    worker = threading.Thread(target=worker_claiming)
    worker.start()
    try:
        assert held.wait(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")  # waiting would fail, not hang
        with mock.patch.object(outbox, "enqueue") as handed_over:
            assert outbox.rescue() == 2
        outbox._note_not_handed_over([message.pk for message in messages])
    finally:
        release.set()
        worker.join()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert handed_over.call_args.args == ([messages[0].pk, messages[2].pk],)
    noted = dict(OutgoingMessage.objects.values_list("pk", "enqueued_at"))
    assert [noted[message.pk] for message in messages] == [None, stale, None]


def test_message_that_cannot_render_fails_visibly_and_the_batch_goes_on(mailoutbox):
    mission = MissionFactory(title="Leipzig creative trade mission")
    first, last = (
        OutgoingMessageFactory(participant=ParticipantFactory(mission=mission)) for _ in range(2)
    )
    # An invitation for nobody on the mission (a row written by hand in the admin, say).
    broken = OutgoingMessageFactory(
        participant=None,
        mission=mission,
        recipient_email="guest@example.org",
        recipient_name="Guest",
        occasion="by-hand",
    )
    counts = outbox.deliver([first.pk, broken.pk, last.pk])

    assert counts == {"sent": 2, "retry": 0, "failed": 1, "skipped": 0}
    assert [email.extra_headers["Message-ID"] for email in mailoutbox] == [
        first.message_id,
        last.message_id,
    ]
    broken.refresh_from_db()
    assert (broken.state, broken.last_error) == (
        MessageState.FAILED,
        "render: 'NoneType' object has no attribute 'person'",
    )


@pytest.mark.redis
def test_batch_the_relay_has_no_connection_for_is_handed_back_unclaimed(
    delegates, mailoutbox, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """With every connection the relay allows in use, a batch claims nothing, sends
    nothing and is handed back for later, its rows still queued."""
    settings.OUTBOX_MAX_CONNECTIONS = 1
    settings.REDIS_URL = urlsplit(settings.REDIS_URL)._replace(path="/13").geturl()
    monkeypatch.setattr(outbox, "RELAY_WAIT_SECONDS", 0.3)
    with django_capture_on_commit_callbacks(execute=False):
        invitations_send(mission=delegates[0].mission, participants=delegates, sent_by=None)
    ids = sorted(OutgoingMessage.objects.values_list("pk", flat=True))
    other_worker = Relay()  # the relay's key, in a Redis database of the tests' own

    with (
        other_worker.connection(),  # the one connection the relay allows
        mock.patch.object(outbox, "_hand_back") as handed_back,
    ):
        counts = outbox.deliver(ids)

    assert counts == {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    assert mailoutbox == []
    assert [call.args[0] for call in handed_back.call_args_list] == [ids]
    assert set(OutgoingMessage.objects.values_list("state", "attempts")) == {
        (MessageState.QUEUED, 0)
    }
