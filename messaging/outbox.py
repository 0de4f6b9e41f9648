"""The mail outbox: queue inside the deciding transaction, deliver after commit, exactly once.

The contract (the pretix pattern, see ../shared/STYLE.md):

1. `message_queue` / `messages_queue` insert rows in the caller's transaction. A unique
   constraint on (recipient, kind, occasion) makes a second request for the same message
   a no-op, so double clicks, concurrent requests and two schedulers give one message.
2. The rows are handed to a worker only after commit (`transaction.on_commit`, one per
   queueing call): a rolled-back decision sends nothing.
3. `deliver` claims each row (a conditional UPDATE, only if queued and due), marking it
   in flight and committing *before* the message goes to SMTP. A row already in flight
   or final is skipped, so a task that runs twice sends once; a worker process holds at
   most one message in flight.
4. SMTP: one connection for the batch, through Django's mail API, closed and reopened
   after any error. A 5xx is permanent (failed at once, reason kept); a 4xx, a refused
   or dropped connection is transient: the row goes back to queued with exponential
   backoff, then fails after OUTBOX_MAX_ATTEMPTS.
5. `rescue` (periodic) re-enqueues rows nobody is working on: queued and due but not
   handed to a worker recently (lost broker messages, a restarted Redis), and rows in
   flight for too long (a killed worker). Only the latter can repeat a message, and only
   one that the SMTP server may already have accepted when the worker died.

The outbox knows nothing of what it sends: each message kind registers how its rows
become e-mails (`register`; see messaging/kinds.py), and the worker's task is reached
by its name. The relay's limits (messaging/relay.py) pace the batch.
"""

import datetime as dt
import logging
import re
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import make_msgid

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from messaging.enums import MessageKind, MessageState
from messaging.models import OutgoingMessage
from messaging.relay import Relay, RelayUnavailable
from missions.display import clean_header_text
from missions.models import FollowUpAction, Mission, Participant

logger = logging.getLogger(__name__)

# The Celery task that runs `deliver` (messaging/tasks.py), reached by its name.
DELIVER_TASK = "messaging.tasks.deliver_messages"

# KINDS -------------------------------------------------------------------------------

# For a batch's rows of one kind, a function that turns each of them into its e-mail.
Renderer = Callable[[list[OutgoingMessage]], Callable[[OutgoingMessage], EmailMessage]]


@dataclass(frozen=True)
class Kind:
    """How the outbox treats the messages of one kind.

    `render` is called once per batch with the batch's rows of that kind, so what they
    share is worked out once. `cancel_stale`, if given, cancels the queued rows among the
    given ids whose reason went away since they were queued (the person answered a
    moment ago); it is called before they are claimed.
    """

    render: Renderer
    cancel_stale: Callable[[list[int]], int] | None = None


KINDS: dict[str, Kind] = {}


def register(kind: str, *, render: Renderer, cancel_stale=None) -> None:
    """Tell the outbox how to send messages of `kind` (called as the app starts)."""
    KINDS[kind] = Kind(render=render, cancel_stale=cancel_stale)


# QUEUEING ----------------------------------------------------------------------------


def message_build(
    *,
    recipient_email: str,
    recipient_name: str,
    language: str,
    kind: MessageKind,
    occasion: str,
    mission: Mission | None = None,
    participant: Participant | None = None,
    action: FollowUpAction | None = None,
    due_at: dt.datetime | None = None,
    context: dict | None = None,
) -> OutgoingMessage:
    """An unsaved outbox row with its own Message-ID, for `message_queue` or `messages_queue`.

    A row due now is noted as handed over (`enqueued_at`): once it is queued, it is handed
    to the workers after commit, with nothing more written.
    """
    now = timezone.now()
    due_at = due_at or now
    return OutgoingMessage(
        recipient_email=recipient_email.strip(),
        recipient_name=clean_header_text(recipient_name)[:200],
        language=language or settings.LANGUAGE_CODE,
        kind=kind,
        occasion=occasion,
        mission=mission,
        participant=participant,
        action=action,
        due_at=due_at,
        enqueued_at=now if due_at <= now else None,
        context=context or {},
        message_id=make_msgid(idstring=kind, domain=settings.OUTBOX_MESSAGE_ID_DOMAIN),
    )


def message_queue(**fields) -> OutgoingMessage | None:
    """Queue one message (the arguments of `message_build`) unless the same (recipient,
    kind, occasion) exists; None if it did.

    Call it inside the transaction that decides to send. A message due now is handed to
    a worker after commit; one due later is picked up by `rescue` when it falls due.
    """
    message = message_build(**fields)
    try:
        with transaction.atomic():  # a savepoint: a duplicate must not spoil the caller's work
            message.save()
    except IntegrityError:
        return None
    if message.enqueued_at is not None:
        enqueue([message.pk])
    return message


def messages_queue(*, messages: list[OutgoingMessage]) -> list[OutgoingMessage]:
    """Queue many rows from `message_build` at once; returns those that were new.

    `message_queue` for many messages, in two statements: the rows whose (recipient,
    kind, occasion) exists are skipped (`ignore_conflicts`, whether committed before or
    being inserted by a concurrent transaction, which the INSERT waits for), and the new
    ones are found by their Message-IDs. Those due now leave in one hand-over after
    commit, in the given order.
    """
    if not messages:
        return []
    OutgoingMessage.objects.bulk_create(messages, batch_size=500, ignore_conflicts=True)
    ids = dict(
        OutgoingMessage.objects.filter(
            message_id__in=[message.message_id for message in messages]
        ).values_list("message_id", "pk")
    )
    queued = [message for message in messages if message.message_id in ids]
    for message in queued:
        message.pk = ids[message.message_id]
    enqueue([message.pk for message in queued if message.enqueued_at is not None])
    return queued


def enqueue(message_ids: Iterable[int]) -> None:
    """Hand messages to the workers after the current transaction commits, in batches.

    The caller notes them as handed over (`enqueued_at`) in the same transaction.
    """
    ids = list(message_ids)
    if ids:
        transaction.on_commit(HandOver(ids))


class HandOver:
    """The on-commit step that gives the workers `ids` in batches of OUTBOX_BATCH_SIZE,
    each sent over one SMTP connection.

    The rows were noted as handed over when they were queued, so nothing is written here
    while the workers start on the first batch; only the rows the broker did not take are
    noted otherwise, for the next rescue.
    """

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids

    def __call__(self) -> None:
        batch = settings.OUTBOX_BATCH_SIZE
        for start in range(0, len(self.ids), batch):
            try:
                current_app.send_task(DELIVER_TASK, args=[self.ids[start : start + batch]])
            except Exception:  # noqa: BLE001  (the rows are committed: `rescue` hands them over)
                missed = self.ids[start:]
                logger.exception("outbox: broker down; %d messages wait for rescue", len(missed))
                _note_not_handed_over(missed)
                return


def _note_not_handed_over(ids: list[int]) -> None:
    """Note rows the broker did not take as never handed over: the next rescue takes them.

    Rows a worker holds are skipped: a rescue that handed them over meanwhile may be
    claiming them, and waiting for its lock could deadlock with it.
    """
    free = (
        OutgoingMessage.objects.filter(pk__in=ids, state=MessageState.QUEUED)
        .select_for_update(skip_locked=True)
        .values("pk")
    )
    try:
        with transaction.atomic():  # one statement; FOR UPDATE needs a transaction
            OutgoingMessage.objects.filter(pk__in=free).update(enqueued_at=None)
    except DatabaseError:  # then they wait for OUTBOX_RESCUE_QUEUED_AFTER_SECONDS
        logger.exception("outbox: %d messages not handed over could not be noted", len(ids))


# DELIVERY ----------------------------------------------------------------------------


def _claim(message: OutgoingMessage) -> bool:
    """Mark a queued, due message in flight (committed at once outside a transaction).

    One conditional UPDATE, checked by its count: of two workers claiming the same row,
    the second waits for the first's commit, finds the row no longer queued and gets
    False. The attempts the batch read are part of the condition, so the count this
    claim leaves is known without reading the row again.
    """
    now = timezone.now()
    claimed = OutgoingMessage.objects.filter(
        pk=message.pk, state=MessageState.QUEUED, due_at__lte=now, attempts=message.attempts
    ).update(state=MessageState.IN_FLIGHT, locked_at=now, attempts=F("attempts") + 1)
    if claimed:
        message.state, message.locked_at = MessageState.IN_FLIGHT, now
        message.attempts += 1
    return bool(claimed)


def claim(message_id: int) -> OutgoingMessage | None:
    """Claim a queued, due message by id; the row if it is now ours to send, else None."""
    message = _rows([message_id]).get(message_id)
    return message if message is not None and _claim(message) else None


def _rows(message_ids: list[int]) -> dict[int, OutgoingMessage]:
    """The rows by id, with whom they are for: every message to a participant renders them."""
    related = OutgoingMessage.objects.select_related("participant__person", "action__mission")
    return related.in_bulk(message_ids)


def smtp_code(error: Exception) -> int | None:
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        return max(code for code, _ in error.recipients.values())
    return None


def is_permanent(error: Exception) -> bool:
    """5xx answers are final; 4xx, refused, dropped or timed-out connections are not."""
    code = smtp_code(error)
    return code is not None and 500 <= code < 600


def _describe(error: Exception) -> str:
    """What `last_error` keeps of a sending error: the SMTP code first, if any (`explain`
    reads it), then the error as the server or the connection gave it."""
    code = smtp_code(error)
    text = f"{type(error).__name__}: {error}"
    return f"{SMTP_PREFIX}{code}: {text}" if code else text


SMTP_PREFIX = "SMTP "  # `last_error` of an answer with a code: "SMTP 550: …"
RENDER_PREFIX = "render: "  # `last_error` of a message that could not be rendered
STOPPED = "The worker stopped while sending; sending again."  # `last_error` after `rescue`
SMTP_CODE = re.compile(re.escape(SMTP_PREFIX) + r"(\d{3})\b")
# An enhanced status code (RFC 3463) in a server's answer: class, subject, detail.
ENHANCED_CODE = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")


def explain(message: OutgoingMessage) -> str:
    """Why a message failed or waits, for a planner: what happened and what to do, in the
    active language. The server's own answer (`last_error`) stays for whoever looks
    after the mail; "" when there is nothing to explain."""
    error = message.last_error
    if not error or message.state not in (MessageState.FAILED, MessageState.QUEUED):
        return ""
    if error.startswith(RENDER_PREFIX):
        return _(
            "The message could not be written: a fault in Itinera, not in the address. "
            "Whoever looks after Itinera needs the technical detail below."
        )
    if error == STOPPED:
        return _("Sending was interrupted; the message goes out again.")
    answered = SMTP_CODE.match(error)
    code = int(answered.group(1)) if answered else None
    if code is None or code < 500:  # no answer, or "not now": tried again with pauses
        if message.state == MessageState.QUEUED:
            return _("The mail server could not take the message just now; it is tried again.")
        return ngettext(
            "The mail server could not take the message at its %(attempts)d attempt. "
            "Try again later; if many messages failed like this, the mail settings need a look.",
            "The mail server could not take the message at any of %(attempts)d attempts. "
            "Try again later; if many messages failed like this, the mail settings need a look.",
            message.attempts,
        ) % {"attempts": message.attempts}
    enhanced = ENHANCED_CODE.search(error)
    subject, detail = (enhanced.group(2), enhanced.group(3)) if enhanced else ("", "")
    if subject == "1" and detail in ("2", "10"):
        return _(
            "The address's domain (after the @) receives no mail. Check the address, "
            "correct it, and send again."
        )
    if subject == "1" or (code == 550 and not enhanced):
        return _(
            "The recipient's mail server does not know this address. Check it for a typo, "
            "correct it, and send again."
        )
    if subject == "2" or code == 552:
        return _("The recipient's mailbox is full or closed. Try again later, or call them.")
    if subject == "7" or code == 554:
        return _(
            "The recipient's mail server refused the message by its rules (a spam filter, "
            "for instance). Ask the recipient's IT to accept mail from your address, then "
            "send again."
        )
    return _("The recipient's mail server refused the message; its answer below says why.")


def backoff(attempts: int) -> dt.timedelta:
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    ceiling = settings.OUTBOX_RETRY_MAX_SECONDS
    return dt.timedelta(seconds=min(base * 2 ** (attempts - 1), ceiling))


def _finish(message: OutgoingMessage, **fields) -> None:
    """Write a sending outcome, only over our own in-flight claim."""
    OutgoingMessage.objects.filter(pk=message.pk, state=MessageState.IN_FLIGHT).update(**fields)


def deliver(message_ids: Iterable[int]) -> dict[str, int]:
    """Send the given messages over one SMTP connection; returns counts by outcome.

    Idempotent: messages not queued and due are skipped, so running it twice sends once.
    Each message is claimed (and the claim committed) before it is sent, and that the
    message before was sent is written in the same commit: a worker process holds at
    most one message in flight, and only the one a killed worker may have had accepted
    can be sent again. The rows are read once for the batch; each kind's renderer works
    out once what its messages share.
    """
    ids = list(dict.fromkeys(message_ids))  # a row claimed once per batch
    rows = _rows(ids)
    by_kind: dict[str, list[OutgoingMessage]] = {}
    for row in rows.values():
        by_kind.setdefault(row.kind, []).append(row)
    for kind, kind_rows in by_kind.items():
        if KINDS[kind].cancel_stale is not None:
            # A reminder whose reason went away (the person answered a moment ago) is
            # cancelled, not sent; its claim below then finds it no longer queued.
            KINDS[kind].cancel_stale([row.pk for row in kind_rows])
    renderers = {kind: KINDS[kind].render(kind_rows) for kind, kind_rows in by_kind.items()}
    relay = Relay()  # the relay's limits, shared by every worker (none if unset)
    batch = _Batch()
    waiting = list(ids)  # not yet claimed or skipped
    try:
        # A slot for the batch's connection, held until it closes.
        with relay.connection(wait=RELAY_WAIT_SECONDS):
            try:
                while waiting:
                    message = rows.get(waiting[0])
                    if message is not None and _may_be_claimed(message):
                        relay.pace()  # before the claim: a message waiting its turn is queued
                        batch.claim_and_send(message, renderers[message.kind])
                    else:
                        batch.counts["skipped"] += 1
                    waiting.pop(0)
            finally:
                batch.close()
    except RelayUnavailable as error:
        _hand_back(waiting, reason=str(error))
    _schedule_retries(batch.retry_at)
    return batch.counts


def _may_be_claimed(message: OutgoingMessage) -> bool:
    """Whether a row, as the batch read it, is worth its turn at the relay."""
    return message.state == MessageState.QUEUED and message.due_at <= timezone.now()


def _hand_back(ids: list[int], *, reason: str) -> None:
    """The relay has no room for this batch now: its unclaimed rest waits for a worker
    later (they are still queued: a lost hand-back is taken by `rescue`)."""
    logger.warning("outbox: %d messages wait for the relay (%s)", len(ids), reason)
    if ids:
        current_app.send_task(DELIVER_TASK, args=[ids], countdown=RELAY_BUSY_SECONDS)


# How long a batch waits for one of the relay's connections, and, if none came free, how
# long it waits before it tries again.
RELAY_WAIT_SECONDS = 10
RELAY_BUSY_SECONDS = 30


class _Batch:
    """One batch's SMTP connection and outcomes, for `deliver`."""

    def __init__(self) -> None:
        self.connection = get_connection(fail_silently=False)
        self.counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
        self.retry_at: list[tuple[int, dt.timedelta]] = []
        self.accepted: OutgoingMessage | None = None  # by the server; "sent" not yet written

    def claim_and_send(
        self, message: OutgoingMessage, render: Callable[[OutgoingMessage], EmailMessage]
    ) -> None:
        """Claim a message, writing in the same commit that the one before was sent, then
        render it and send it; a message someone else claimed is skipped."""
        with transaction.atomic():
            self.write_sent()
            claimed = _claim(message)
        if claimed:
            self.send(message, render)
        else:
            self.counts["skipped"] += 1

    def send(self, message: OutgoingMessage, render: Callable[[OutgoingMessage], EmailMessage]):
        """Render a claimed message and send it; write what became of it."""
        try:
            email = render(message)
        except Exception as error:  # noqa: BLE001  (a message that cannot render fails, visibly)
            logger.error("outbox: message %s cannot be rendered: %r", message.pk, error)
            _finish(message, state=MessageState.FAILED, last_error=f"{RENDER_PREFIX}{error}")
            self.counts["failed"] += 1
            return
        try:
            self.connection.open()  # kept open for the batch: send_messages then reuses it
            self.connection.send_messages([email])
        except Exception as error:  # noqa: BLE001  (classified below; nothing is lost)
            self._not_sent(message, error)
        else:
            message.sent_at = timezone.now()
            self.accepted = message  # written as sent with the next claim, or at the end
            self.counts["sent"] += 1

    def write_sent(self) -> None:
        """Write that the message the server accepted last was sent."""
        message, self.accepted = self.accepted, None
        if message is not None:
            _finish(message, state=MessageState.SENT, sent_at=message.sent_at, last_error="")

    def _not_sent(self, message: OutgoingMessage, error: Exception) -> None:
        self.connection.close()  # reset the session after any error
        reason = _describe(error)
        if is_permanent(error) or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            _finish(message, state=MessageState.FAILED, last_error=reason)
            self.counts["failed"] += 1
            logger.warning("outbox: message %s failed: %s", message.pk, reason)
            return
        delay = backoff(message.attempts)
        now = timezone.now()
        _finish(
            message,
            state=MessageState.QUEUED,
            last_error=reason,
            due_at=now + delay,
            enqueued_at=now,
            locked_at=None,
        )
        self.retry_at.append((message.pk, delay))
        self.counts["retry"] += 1

    def close(self) -> None:
        try:
            self.connection.close()
        except Exception:  # noqa: BLE001  (closing a broken session; what it sent is written)
            logger.warning("outbox: closing the SMTP connection failed", exc_info=True)
        self.write_sent()


def _schedule_retries(retry_at: list[tuple[int, dt.timedelta]]) -> None:
    """Retries wait seconds to minutes (a short countdown); `rescue` covers a lost one."""
    if not retry_at:
        return
    delay = max(d for _, d in retry_at) + dt.timedelta(seconds=1)  # be due when it runs
    current_app.send_task(
        DELIVER_TASK, args=[[pk for pk, _ in retry_at]], countdown=delay.total_seconds()
    )


# STAFF AND THE PERIODIC RESCUE -----------------------------------------------------------


def message_retry(*, message: OutgoingMessage, recipient_email: str = "") -> bool:
    """Staff retry a failed message: back to the queue, attempts from zero; to
    `recipient_email` if given (an address corrected since the message failed).

    False if it has not failed, or if the same message (kind and occasion) is already
    on its way to that address.
    """
    address = {"recipient_email": recipient_email.strip()} if recipient_email else {}
    try:
        with transaction.atomic():
            updated = OutgoingMessage.objects.filter(
                pk=message.pk, state=MessageState.FAILED
            ).update(
                state=MessageState.QUEUED,
                attempts=0,
                due_at=timezone.now(),
                enqueued_at=timezone.now(),
                locked_at=None,
                **address,
            )
            if updated:
                enqueue([message.pk])
    except IntegrityError:  # (recipient, kind, occasion) is unique: sent there already
        return False
    if updated and address:
        message.recipient_email = address["recipient_email"]
    return bool(updated)


def rescue(
    *,
    queued_after: dt.timedelta | None = None,
    in_flight_after: dt.timedelta | None = None,
) -> int:
    """Re-enqueue messages nobody is working on; returns how many were handed over."""
    now = timezone.now()
    if queued_after is None:  # not `or`: a zero timedelta is a valid threshold
        queued_after = dt.timedelta(seconds=settings.OUTBOX_RESCUE_QUEUED_AFTER_SECONDS)
    if in_flight_after is None:
        in_flight_after = dt.timedelta(seconds=settings.OUTBOX_RESCUE_IN_FLIGHT_AFTER_SECONDS)
    with transaction.atomic():
        OutgoingMessage.objects.filter(
            state=MessageState.IN_FLIGHT, locked_at__lt=now - in_flight_after
        ).update(
            state=MessageState.QUEUED,
            locked_at=None,
            last_error=STOPPED,
        )
        # Locked as read, skipping rows a worker is claiming this moment (they are being
        # handled, and waiting for one could deadlock with that worker's claim).
        ids = list(
            OutgoingMessage.objects.filter(state=MessageState.QUEUED, due_at__lte=now)
            .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - queued_after))
            .order_by("due_at")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[: settings.OUTBOX_RESCUE_LIMIT]
        )
        OutgoingMessage.objects.filter(pk__in=ids).update(enqueued_at=now)
        enqueue(ids)
    return len(ids)
