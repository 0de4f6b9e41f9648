"""Delivery from "send" to the SMTP server's inbox, with real parts, and under faults.

A real Celery worker (subprocess) takes tasks from a real Redis and sends to a real SMTP
server (aiosmtpd); see conftest.py. Eager mode would prove nothing about delivery.
"""

import datetime as dt
import math
import re
import threading
import time
from collections import Counter
from email.utils import getaddresses
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains

from messaging import outbox
from messaging.enums import MessageState
from messaging.invitations import invitations_send
from messaging.models import OutgoingMessage
from messaging.tasks import deliver_messages, rescue_messages
from missions.models import Mission, Participant
from missions.tokens import participant_for_token
from organisations.models import Person
from tests.e2e.conftest import SITE_URL, wait_until
from tests.factories import (
    MembershipFactory,
    MissionFactory,
    OrganisationFactory,
    OutgoingMessageFactory,
    ParticipantFactory,
    PersonFactory,
    UserFactory,
)
from tests.outbox import taken_by_another_worker_once_read

pytestmark = [
    # pytest's SQLite test database lives in its own memory: no other process can open it.
    pytest.mark.postgresql(reason="a real Celery worker process shares the test database"),
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

LINK = re.compile(re.escape(SITE_URL) + r"/d/[0-9a-f]+/")


def future_mission(**kwargs) -> Mission:
    """A mission next month: its personal links are live."""
    start = timezone.localdate() + dt.timedelta(days=30)
    return MissionFactory(start_date=start, end_date=start + dt.timedelta(days=2), **kwargs)


def delegates(mission: Mission, count: int) -> list[Participant]:
    """`count` participants, created in bulk."""
    organisation = OrganisationFactory(city="Leipzig", country="DE")
    people = Person.objects.bulk_create(
        Person(
            full_name=f"Delegate {n:04}",
            email=f"delegate{n:04}.m{mission.pk}@example.org",
            organisation=organisation,
        )
        for n in range(count)
    )
    Participant.objects.bulk_create(Participant(mission=mission, person=p) for p in people)
    return list(mission.participants.select_related("person").order_by("pk"))


def invite(participants: list[Participant]) -> None:
    """What the "send" view does: the service inside the request's transaction."""
    with transaction.atomic():
        invitations_send(mission=participants[0].mission, participants=participants, sent_by=None)


def invite_then_fail(participants: list[Participant]) -> None:
    with transaction.atomic():
        invitations_send(mission=participants[0].mission, participants=participants, sent_by=None)
        raise RuntimeError("the planner's request failed after queueing")


def states() -> Counter:
    return Counter(OutgoingMessage.objects.values_list("state", flat=True))


def wait_for_states(expected: dict, timeout: float = 20) -> None:
    wait_until(
        lambda: states() == Counter(expected),
        timeout=timeout,
        what=lambda: f"outbox states {dict(expected)}, now {dict(states())}",
    )


def test_invitation_travels_from_send_to_the_inbox_and_its_link_opens_the_delegates_page(
    client, worker, smtp_sink
):
    planner = UserFactory()
    mission = future_mission(title="Leipzig creative trade mission")
    MembershipFactory(user=planner, organisation=mission.lead_organisation)
    client.force_login(planner)
    participant = ParticipantFactory(
        mission=mission,
        person=PersonFactory(full_name="Ines Dietrich", email="ines.dietrich@example.org"),
    )

    with transaction.atomic():  # as the planner's "send" request does
        invitations_send(mission=mission, participants=[participant], sent_by=planner)

    [received] = smtp_sink.wait_for(1)
    wait_for_states({MessageState.SENT: 1})
    row = OutgoingMessage.objects.get()
    assert (row.attempts, row.context) == (1, {"sent_by": planner.pk})
    assert received.message_id == row.message_id
    assert received.rcpt_tos == ("ines.dietrich@example.org",)
    assert received.message["Subject"] == "Invitation: Leipzig creative trade mission"
    assert received.message["To"] == "Ines Dietrich <ines.dietrich@example.org>"
    text = received.message.get_body(("plain",)).get_content()
    html = received.message.get_body(("html",)).get_content()
    [link] = LINK.findall(text)
    assert set(LINK.findall(html)) == {link}
    token = urlsplit(link).path.split("/")[2]
    assert participant_for_token(token) == participant

    response = Client().get(urlsplit(link).path)  # the delegate is not logged in

    assertContains(response, "Leipzig creative trade mission")
    assertContains(response, 'data-testid="answer-form"')  # the answer at the top


def test_delivery_task_run_twice_sends_one_message(worker, smtp_sink):
    message = OutgoingMessageFactory(participant=ParticipantFactory(mission=future_mission()))

    first = deliver_messages.delay([message.pk])
    second = deliver_messages.delay([message.pk])

    results = [worker.wait_for_task(first.id), worker.wait_for_task(second.id)]
    assert sorted(results, key=lambda counts: counts["sent"]) == [
        {"sent": 0, "retry": 0, "failed": 0, "skipped": 1},
        {"sent": 1, "retry": 0, "failed": 0, "skipped": 0},
    ]
    assert smtp_sink.message_ids() == [message.message_id]
    message.refresh_from_db()
    assert (message.state, message.attempts) == (MessageState.SENT, 1)


def test_rescue_task_run_twice_sends_one_message(worker, smtp_sink):
    # Queued but never handed to a worker: what a lost broker message leaves behind.
    message = OutgoingMessageFactory(participant=ParticipantFactory(mission=future_mission()))

    first = rescue_messages.delay()
    second = rescue_messages.delay()

    handed_over = worker.wait_for_task(first.id) + worker.wait_for_task(second.id)
    assert handed_over in (1, 2)  # the second rescue may find it freshly handed over
    deliveries = worker.wait_for_results("messaging.tasks.deliver_messages", handed_over)
    assert sum(counts["sent"] for counts in deliveries) == 1
    assert smtp_sink.message_ids() == [message.message_id]


def test_rolled_back_send_sends_nothing(worker, smtp_sink):
    mission = future_mission()
    withdrawn, invited = delegates(mission, 2)

    with pytest.raises(RuntimeError):
        invite_then_fail([withdrawn])

    assert smtp_sink.stays_at(0, seconds=2) == []
    assert OutgoingMessage.objects.count() == 0
    assert "Task messaging.tasks.deliver_messages[" not in worker.log()  # no task either
    # The worker was listening all along: a committed invitation does arrive, alone.
    invite([invited])
    [received] = smtp_sink.wait_for(1)
    assert received.rcpt_tos == (invited.person.email,)
    assert list(OutgoingMessage.objects.values_list("recipient_email", flat=True)) == [
        invited.person.email
    ]


def send_twice_at_once(mission: Mission) -> list[int]:
    """Two planners press "send" for all participants at the same moment; queued counts."""
    barrier = threading.Barrier(2)
    queued: list[int] = []
    errors: list[BaseException] = []

    def send_request() -> None:  # one planner's request, on its own database connection
        try:
            participants = list(mission.participants.select_related("person").order_by("pk"))
            barrier.wait(timeout=10)
            with transaction.atomic():
                queued.append(
                    invitations_send(mission=mission, participants=participants, sent_by=None)
                )
        except BaseException as error:  # noqa: BLE001  (reported by the test thread)
            errors.append(error)
        finally:
            connections.close_all()

    requests = [threading.Thread(target=send_request) for _ in range(2)]
    for request in requests:
        request.start()
    for request in requests:
        request.join(timeout=30)
    assert errors == []
    return sorted(queued)


def test_two_concurrent_sends_give_one_message_per_participant(worker, smtp_sink):
    mission = future_mission()
    emails = sorted(p.person.email for p in delegates(mission, 20))

    assert send_twice_at_once(mission) == [0, 20]

    smtp_sink.wait_for(20)
    received = smtp_sink.stays_at(20, seconds=1)
    assert sorted(r.rcpt_tos[0] for r in received) == emails
    assert OutgoingMessage.objects.count() == 20


def test_two_concurrent_sends_keep_every_emailed_link_working(worker, smtp_sink):
    mission = future_mission()
    delegates(mission, 20)

    send_twice_at_once(mission)

    for received in smtp_sink.wait_for(20):
        [link] = LINK.findall(received.message.get_body(("plain",)).get_content())
        participant = participant_for_token(urlsplit(link).path.split("/")[2])
        assert (participant and participant.person.email) == received.rcpt_tos[0]


def test_smtp_answering_421_then_250_delivers_once(worker, smtp_sink):
    smtp_sink.fail_first(1)
    [participant] = delegates(future_mission(), 1)

    invite([participant])

    wait_for_states({MessageState.SENT: 1})
    message = OutgoingMessage.objects.get()
    assert (message.attempts, smtp_sink.refused) == (2, 1)
    assert smtp_sink.message_ids() == [message.message_id]
    assert message.last_error == ""


def test_smtp_refusing_messages_mid_batch_retries_those_and_sends_the_rest_once(worker, smtp_sink):
    """A batch's invitations go out as prepared bytes, the server's answer to one message
    read while the next is rendered: a 421 to the fourth message's data and a 550 to the
    seventh's recipient are each that message's own outcome, and the rest go out once."""
    participants = delegates(future_mission(), 10)
    refused = participants[6].person.email
    smtp_sink.reject(refused)
    smtp_sink.fail_first(1, after=3)

    invite(participants)

    wait_for_states({MessageState.SENT: 9, MessageState.FAILED: 1})
    sent = OutgoingMessage.objects.filter(state=MessageState.SENT)
    assert sorted(smtp_sink.message_ids()) == sorted(sent.values_list("message_id", flat=True))
    assert Counter(sent.values_list("attempts", flat=True)) == Counter({1: 8, 2: 1})
    failed = OutgoingMessage.objects.get(state=MessageState.FAILED)
    assert (failed.recipient_email, failed.attempts, smtp_sink.refused) == (refused, 1, 1)
    assert failed.last_error.startswith("SMTP 550: SMTPRecipientsRefused")


def test_smtp_server_that_stops_answering_is_given_up_on_and_tried_again(start_worker, smtp_sink):
    worker = start_worker(env={"EMAIL_TIMEOUT": "1"})
    smtp_sink.hang_first(1)  # the first session never gets an answer to EHLO
    [participant] = delegates(future_mission(), 1)

    invite([participant])

    [received] = smtp_sink.wait_for(1, timeout=30)
    wait_for_states({MessageState.SENT: 1})
    message = OutgoingMessage.objects.get()
    assert (message.attempts, received.message_id) == (2, message.message_id)
    assert worker.results("messaging.tasks.deliver_messages")[0] == {
        "sent": 0,
        "retry": 1,
        "failed": 0,
        "skipped": 0,
    }


def test_smtp_answering_550_fails_at_once_visibly_and_staff_can_retry(
    worker, smtp_sink, admin_client
):
    [participant] = delegates(future_mission(), 1)
    smtp_sink.reject(participant.person.email)

    invite([participant])

    wait_for_states({MessageState.FAILED: 1})
    message = OutgoingMessage.objects.get()
    assert message.attempts == 1
    assert message.last_error.startswith("SMTP 550: SMTPRecipientsRefused")
    # No retry: well past the first backoff (0.5 s), still one attempt, nothing sent.
    assert smtp_sink.stays_at(0, seconds=2.5) == []
    message.refresh_from_db()
    assert (message.state, message.attempts) == (MessageState.FAILED, 1)
    changelist = "/admin/messaging/outgoingmessage/"
    assertContains(admin_client.get(changelist, {"state": "failed"}), "SMTP 550")

    smtp_sink.accept_all()  # the address is fixed; staff retry from the admin
    admin_client.post(changelist, {"action": "retry_failed", "_selected_action": [message.pk]})

    [received] = smtp_sink.wait_for(1)
    assert received.message_id == message.message_id
    wait_for_states({MessageState.SENT: 1})


def test_worker_killed_mid_batch_then_restarted_delivers_every_message(worker, smtp_sink):
    participants = delegates(future_mission(), 200)
    smtp_sink.hold_after(60)  # the 61st and later deliveries wait in DATA

    invite(participants)
    # Each pool process with a batch has sent one message and waits for the server's reply.
    busy = min(worker.concurrency, math.ceil(len(participants) / settings.OUTBOX_BATCH_SIZE))
    held = smtp_sink.wait_held(busy)
    worker.kill()
    in_flight_at_kill = set(
        OutgoingMessage.objects.filter(state=MessageState.IN_FLIGHT).values_list(
            "message_id", flat=True
        )
    )
    assert in_flight_at_kill == set(held)
    assert len(smtp_sink.message_ids()) == 60 + len(held)
    smtp_sink.release()
    worker.start()

    # The periodic rescue, with short thresholds: rows in flight for 2 s belong to the
    # dead worker (a live one holds a row for milliseconds here).
    deadline = time.monotonic() + 40
    while states() != Counter({MessageState.SENT: 200}):
        assert time.monotonic() < deadline, f"not all sent: {dict(states())}"
        outbox.rescue(queued_after=dt.timedelta(seconds=1), in_flight_after=dt.timedelta(seconds=2))
        time.sleep(0.5)
    counts = Counter(smtp_sink.message_ids())
    expected = set(OutgoingMessage.objects.values_list("message_id", flat=True))
    assert set(counts) == expected
    duplicated = {message_id for message_id, n in counts.items() if n > 1}
    assert duplicated <= in_flight_at_kill
    assert len(duplicated) <= busy
    assert max(counts.values()) <= 2


def test_redis_restarted_while_messages_are_queued_delivers_all(start_worker, own_redis, smtp_sink):
    worker = start_worker(broker_url=own_redis.url, start=False)
    participants = delegates(future_mission(), 30)

    invite(participants)
    assert own_redis.client().llen(worker.queue) == 1  # one task, 30 ids, waits in Redis
    own_redis.restart()
    assert own_redis.client().llen(worker.queue) == 0  # ...and is lost
    worker.start()

    rescued = outbox.rescue(queued_after=dt.timedelta(0))

    assert rescued == 30
    smtp_sink.wait_for(30)
    wait_for_states({MessageState.SENT: 30})
    counts = Counter(smtp_sink.message_ids())
    assert sorted(counts) == sorted(OutgoingMessage.objects.values_list("message_id", flat=True))
    assert set(counts.values()) == {1}


def test_name_with_line_breaks_cannot_inject_a_header(worker, smtp_sink):
    participant = ParticipantFactory(
        mission=future_mission(),
        person=PersonFactory(
            full_name="Eve\r\nBcc: attacker@example.org\r\n", email="eve@example.org"
        ),
    )

    invite([participant])

    [received] = smtp_sink.wait_for(1)
    assert received.rcpt_tos == ("eve@example.org",)
    assert received.message["Bcc"] is None
    assert getaddresses([received.message["To"]]) == [
        ("Eve Bcc: attacker@example.org", "eve@example.org")
    ]
    headers = received.raw.split(b"\r\n\r\n", 1)[0]
    assert b"\nBcc:" not in headers  # the body may say what it likes


# A batch sent in this process over SMTP (the prepared bytes' path), no worker ---------------


@pytest.fixture
def smtp_backend(settings, smtp_sink):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_sink.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return smtp_sink


def invitations_queued(count: int) -> list[OutgoingMessage]:
    """A mission's invitations queued and due, not handed to any worker."""
    mission = future_mission()
    return [OutgoingMessageFactory(participant=p) for p in delegates(mission, count)]


def test_batch_over_smtp_resets_and_skips_a_message_another_worker_claimed(smtp_backend):
    """MAIL FROM goes out while the claim commits: for a message another worker took after
    the batch was read, the server's transaction is reset and nothing of it is sent; the
    batch goes on over the same connection."""
    messages = invitations_queued(4)
    taken = messages[1]
    with taken_by_another_worker_once_read(taken):
        counts = outbox.deliver([message.pk for message in messages])

    assert counts == {"sent": 3, "retry": 0, "failed": 0, "skipped": 1}
    assert smtp_backend.message_ids() == [m.message_id for m in messages if m != taken]
    assert [r.rcpt_tos for r in smtp_backend.messages] == [
        (m.recipient_email,) for m in messages if m != taken
    ]
    states = dict(OutgoingMessage.objects.values_list("pk", "state"))
    assert [states[m.pk] for m in messages] == [
        MessageState.SENT,
        MessageState.IN_FLIGHT,
        MessageState.SENT,
        MessageState.SENT,
    ]


def test_batch_over_smtp_with_the_server_down_retries_every_message_later(smtp_backend):
    """A server that refuses the connection: each message is claimed, counted as an attempt
    and queued again with the reason and a backoff, none lost, none sent."""
    messages = invitations_queued(3)
    smtp_backend.stop()

    with mock.patch.object(outbox, "_schedule_retries") as scheduled:
        counts = outbox.deliver([message.pk for message in messages])

    assert counts == {"sent": 0, "retry": 3, "failed": 0, "skipped": 0}
    [(retry_at,)] = [call.args for call in scheduled.call_args_list]
    assert [pk for pk, _delay in retry_at] == [message.pk for message in messages]
    rows = OutgoingMessage.objects.filter(pk__in=[m.pk for m in messages])
    assert {(row.state, row.attempts) for row in rows} == {(MessageState.QUEUED, 1)}
    assert {row.last_error.split(":")[0] for row in rows} == {"ConnectionRefusedError"}
    assert all(row.due_at > timezone.now() for row in rows)


def test_relay_rate_limit_holds_its_pace_across_two_workers(start_worker, smtp_sink):
    """OUTBOX_RATE_PER_MINUTE is one pace for every worker: two workers, each with a
    mission's invitations, together send one message every half second at 120 a minute."""
    relay_env = {"OUTBOX_RATE_PER_MINUTE": "120"}
    workers = [start_worker(concurrency=1, env=relay_env) for _ in range(2)]
    missions = [future_mission(), future_mission()]
    for mission in missions:
        invite(delegates(mission, 4))

    received = smtp_sink.wait_for(8, timeout=30)

    arrivals = sorted(message.received_at for message in received)
    # The relay's clock paces the sends; a message's own trip to the sink adds some jitter,
    # the first one's included (seen: 0.3 s on a loaded two-core machine).
    since_first = [round(arrival - arrivals[0], 2) for arrival in arrivals]
    assert all(since_first[k] > k * 0.5 - 0.4 for k in range(8)), since_first
    # Never a burst: any three messages span a second (half of it may be a busy
    # machine's jitter); without the limit all eight arrive within a tenth of a second.
    spans = [arrivals[k + 2] - arrivals[k] for k in range(6)]
    assert min(spans) > 0.5, spans
    wait_for_states({MessageState.SENT: 8})
    for worker in workers:  # each sent one mission's invitations
        assert worker.wait_for_results("messaging.tasks.deliver_messages", 1) == [
            {"sent": 4, "retry": 0, "failed": 0, "skipped": 0}
        ]
