"""The mail outbox: queue inside the deciding transaction, deliver after commit, exactly once.

The contract (the pretix pattern, see ../shared/STYLE.md):

1. `message_queue` inserts a row in the caller's transaction. A unique constraint on
   (recipient, kind, occasion) makes a second request for the same message a no-op, so
   double clicks, concurrent requests and two schedulers all give one message.
2. The row id is handed to Celery only after commit (`transaction.on_commit`): a
   rolled-back decision sends nothing.
3. `deliver` claims each row (a conditional UPDATE, only if queued and due), marking it
   in flight and committing *before* the message goes to SMTP (only the envelope's first
   line, MAIL FROM, is sent while the claim commits; a message not ours is reset). A row
   already in flight or final is skipped, so a task that runs twice sends once. That a
   row was sent is written by the statement that claims the next one, and what a batch's
   messages have in common is read and rendered once per batch (`emails.Shared`): a
   message costs one query.
4. SMTP: one connection for the batch, closed and reopened after any error. A 5xx is
   permanent (failed at once, reason kept); a 4xx, a refused or dropped connection is
   transient: the row goes back to queued with exponential backoff, then fails after
   OUTBOX_MAX_ATTEMPTS.
5. `rescue` (periodic) re-enqueues rows nobody is working on: queued and due but not
   handed to a worker recently (lost broker messages, a restarted Redis), and rows in
   flight for too long (a killed worker). Only the latter can repeat a message, and only
   one that the SMTP server may already have accepted when the worker died.
"""

import datetime as dt
import json
import logging
import re
import smtplib
from collections.abc import Callable, Iterable
from contextlib import suppress
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from messaging.enums import MessageKind, MessageState
from messaging.models import OutgoingMessage
from missions.models import FollowUpAction, Mission, Participant

logger = logging.getLogger(__name__)

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]+")


def clean_header_text(value: str) -> str:
    """A display name safe for a header: CR, LF and other control characters become spaces."""
    return CONTROL_CHARACTERS.sub(" ", value).strip()


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


def message_queue(
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
) -> OutgoingMessage | None:
    """Queue one message unless the same (recipient, kind, occasion) exists; None if it did.

    Call it inside the transaction that decides to send. A message due now is handed to
    a worker after commit; one due later is picked up by `rescue` when it falls due.
    """
    message = message_build(
        recipient_email=recipient_email,
        recipient_name=recipient_name,
        language=language,
        kind=kind,
        occasion=occasion,
        mission=mission,
        participant=participant,
        action=action,
        due_at=due_at,
        context=context,
    )
    try:
        with transaction.atomic():  # a savepoint: a duplicate must not spoil the caller's work
            message.save()
    except IntegrityError:
        return None
    if message.enqueued_at is not None:
        enqueue([message.pk])
    return message


def messages_queue(*, messages: list[OutgoingMessage]) -> int:
    """Queue many rows from `message_build` at once; returns how many were new.

    `message_queue` for many messages: INSERT ... ON CONFLICT DO NOTHING, so a row whose
    (recipient, kind, occasion) exists is skipped, whether it was committed before or is
    being inserted by a concurrent transaction (the INSERT waits for that one's outcome).
    Those due now are handed over after commit, in the given order.
    """
    if not messages:
        return 0
    if connection.vendor == "postgresql":
        ids = _insert_new(messages)
    else:  # SQLite (`make run`): no arrays; the new rows are found by their Message-IDs
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
    return len(queued)


def _insert_new(messages: list[OutgoingMessage]) -> dict[str, int]:
    """Insert the rows that do not conflict, in one statement; their ids by Message-ID.

    `bulk_create(ignore_conflicts=True)` with a parameter per column rather than per
    value: each column's values go as one array, unnested into rows in the database.
    Django's preparation of every value was most of the time of queueing a mission's
    invitations. The values are what `pre_save` gives (stamping `created_at`), JSON
    written as Django's JSONField writes it, choices as their plain values.
    """
    fields = [field for field in OutgoingMessage._meta.concrete_fields if not field.primary_key]
    arrays = []
    for field in fields:
        values = [field.pre_save(message, True) for message in messages]
        if isinstance(field, models.JSONField):
            values = [json.dumps(value, cls=field.encoder) for value in values]
        elif isinstance(field, models.CharField | models.TextField):
            values = [None if value is None else str(value) for value in values]
        arrays.append(values)
    table = connection.ops.quote_name(OutgoingMessage._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    unnest = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({unnest})"  # noqa: S608  (names from the model)
            " ON CONFLICT DO NOTHING RETURNING message_id, id",
            arrays,
        )
        return dict(cursor.fetchall())


class _HandOver:
    """The on-commit step that hands queued messages to the workers, in batches.

    Messages queued one by one in a transaction join the hand-over registered at the same
    savepoint level, so a mission's invitations leave as batches of OUTBOX_BATCH_SIZE
    (each sent over one SMTP connection) rather than as a task per message, and rolling
    back a savepoint still drops exactly the messages queued inside it.
    """

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids

    def __call__(self) -> None:
        from messaging.tasks import deliver_messages

        # The rows were noted as handed over (`enqueued_at`) when they were queued, so
        # nothing is written here while the workers start on the first batch; only the
        # rows the broker did not take are noted otherwise, for the next rescue.
        batch = settings.OUTBOX_BATCH_SIZE
        for start in range(0, len(self.ids), batch):
            try:
                deliver_messages.delay(self.ids[start : start + batch])
            except Exception:  # noqa: BLE001  (the rows are committed: `rescue` hands them over)
                missed = self.ids[start:]
                logger.exception("outbox: broker down; %d messages wait for rescue", len(missed))
                _note_not_handed_over(missed)
                return


def _note_not_handed_over(ids: list[int]) -> None:
    """Note rows the broker did not take as never handed over: the next rescue takes them.

    Rows a worker holds are skipped: a rescue that handed them over meanwhile may be
    claiming them, and waiting for its lock could deadlock with it (a claim holds one
    row, the previous one it marks sent, while it waits for the next).
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


def enqueue(message_ids: Iterable[int]) -> None:
    """Hand messages to the workers after the current transaction commits, in batches.

    The caller notes them as handed over (`enqueued_at`) in the same transaction.
    """
    ids = list(message_ids)
    if not ids:
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block and connection.run_on_commit:
        savepoints, callback, _robust = connection.run_on_commit[-1]
        if isinstance(callback, _HandOver) and savepoints == set(connection.savepoint_ids):
            callback.ids.extend(ids)  # same transaction, same savepoint: one hand-over
            return
    transaction.on_commit(_HandOver(ids))


# Kinds whose reason cannot go away between queueing and sending.
ALWAYS_WANTED = (MessageKind.INVITATION,)

_CLAIM = (
    "UPDATE missions_outgoingmessage SET state = %s, locked_at = %s, attempts = attempts + 1"
    " WHERE id = %s AND state = %s AND due_at <= %s RETURNING attempts"
)
# The same, writing in the same statement (one commit) that the previous message was sent
# (a data-modifying WITH runs to completion whether or not the claim finds its row).
_SENT_THEN_CLAIM = (
    "WITH sent AS (UPDATE missions_outgoingmessage SET state = %s, sent_at = %s,"
    " last_error = '' WHERE id = %s AND state = %s)"
    " UPDATE missions_outgoingmessage SET state = %s, locked_at = %s, attempts = attempts + 1"
    " WHERE id = %s AND state = %s AND due_at <= %s RETURNING attempts"
)


def _claim(message_id: int, *, sent: OutgoingMessage | None = None) -> int | None:
    """Mark a queued, due message in flight; its attempts, this one counted, or None.

    One conditional UPDATE: of two workers claiming the same row, the second waits for
    the first's commit, finds the row no longer queued and gets None. RETURNING gives
    the attempts as the UPDATE left them (the ORM's update() returns only a count).
    With `sent` (another row, accepted by the server over our claim), the same
    statement marks it sent: one round trip and one commit per message.
    """
    now = timezone.now()
    sql, params = _CLAIM, [MessageState.IN_FLIGHT, now, message_id, MessageState.QUEUED, now]
    if sent is not None and connection.vendor != "postgresql":
        _mark_sent(sent)  # SQLite (`make run`) has no UPDATE inside WITH: two statements
    elif sent is not None:
        sent_params = [MessageState.SENT, sent.sent_at, sent.pk, MessageState.IN_FLIGHT]
        sql, params = _SENT_THEN_CLAIM, sent_params + params
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def claim(message_id: int) -> OutgoingMessage | None:
    """Mark a queued, due message in flight and commit; None if it is not ours to send."""
    if _claim(message_id) is None:
        return None
    return _rows([message_id])[message_id]


def _rows(message_ids: list[int]) -> dict[int, OutgoingMessage]:
    """The rows by id, with whom they are for: every message to a participant renders them.

    A participant's mission is not read with each row: `emails.Shared` reads it once.
    """
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
    code = smtp_code(error)
    text = f"{type(error).__name__}: {error}"
    return f"SMTP {code}: {text}" if code else text


def backoff(attempts: int) -> dt.timedelta:
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    ceiling = settings.OUTBOX_RETRY_MAX_SECONDS
    return dt.timedelta(seconds=min(base * 2 ** (attempts - 1), ceiling))


def _finish(message: OutgoingMessage, **fields) -> None:
    """Write a sending outcome, only over our own in-flight claim."""
    OutgoingMessage.objects.filter(pk=message.pk, state=MessageState.IN_FLIGHT).update(**fields)


def _mark_sent(message: OutgoingMessage) -> None:
    _finish(message, state=MessageState.SENT, sent_at=message.sent_at, last_error="")


def deliver(message_ids: Iterable[int]) -> dict[str, int]:
    """Send the given messages over one SMTP connection; returns counts by outcome.

    Idempotent: messages not queued and due are skipped, so running it twice sends once.
    Each message is claimed (and the claim committed) before it is sent, so a worker
    process holds at most one message in flight: the one a killed worker may have had
    accepted, and only that one, can be sent again. That a message was sent is written
    by the statement that claims the next one: one commit per message.

    The rows and what they have in common (`emails.Shared`) are read once for the
    batch, as it starts. Each message is rendered while the server takes in the one
    before; a message that has its bytes ready is claimed while the server answers its
    MAIL FROM (see `_Delivery`).
    """
    from messaging.reminders import messages_cancel_stale  # reminders queue through this module

    ids = list(dict.fromkeys(message_ids))  # a row claimed once per statement
    rows = _rows(ids)
    if any(row.kind not in ALWAYS_WANTED for row in rows.values()):
        # A reminder whose reason went away since it was queued (the person answered a
        # moment ago) is cancelled, not sent; the claim below then skips it.
        messages_cancel_stale(ids=ids)
    delivery = _Delivery(rows)
    try:
        for message_id in ids:
            message = rows.get(message_id)
            email = delivery.render(message) if _may_be_claimed(message) else None
            delivery.answered()  # the previous message's fate, before the next commit
            if delivery.has_wire(email):
                delivery.send_wire(message, email)
                continue
            attempts = delivery.claim(message_id)
            if attempts is None:
                continue
            message = message or _rows([message_id])[message_id]
            message.state, message.attempts = MessageState.IN_FLIGHT, attempts
            delivery.send(message, email if email is not None else delivery.render(message))
        delivery.answered()
    finally:
        delivery.close()
    _schedule_retries(delivery.retry_at)
    return delivery.counts


def _may_be_claimed(message: OutgoingMessage | None) -> bool:
    """Whether a row, as the batch read it, is worth rendering before its claim."""
    if message is None:
        return False
    return message.state == MessageState.QUEUED and message.due_at <= timezone.now()


class _Delivery:
    """One batch's SMTP connection, claims and outcomes, for `deliver`.

    A message that has its bytes ready (`emails.Wire`) goes over Django's SMTP backend's
    connection in the steps of `smtplib.SMTP.sendmail`, with two overlaps. Its MAIL FROM
    is sent before its claim and answered after it (`send_wire`): the server reads the
    envelope's first line while PostgreSQL commits the claim, and nothing is delivered
    before that commit (the message's text follows it; a message someone else claimed
    is reset with RSET). And the server's answer to the message's text is read once the
    next message is rendered (`answered`), so rendering and the server's work on the
    message overlap; whatever the answer, it is written before the next claim commits.
    Other messages are claimed, then sent through the backend.
    """

    def __init__(self, rows: dict[int, OutgoingMessage]) -> None:
        from messaging.emails import Shared

        self.shared = Shared(rows.values())
        self.smtp = get_connection(fail_silently=False)
        self.counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
        self.retry_at: list[tuple[int, dt.timedelta]] = []
        self.accepted: OutgoingMessage | None = None  # by the server; "sent" not yet written
        self.awaiting: OutgoingMessage | None = None  # sent; the server's answer not yet read

    def render(self, message: OutgoingMessage):
        """The e-mail, or the exception that rendering raised (the message fails with it)."""
        from messaging.emails import render_message

        try:
            return render_message(message, connection=self.smtp, shared=self.shared)
        except Exception as error:  # noqa: BLE001  (a message that cannot render is failed, visibly)
            return error

    def claim(self, message_id: int) -> int | None:
        """Claim a message, writing the last one accepted as sent; its attempts if ours."""
        attempts = _claim(message_id, sent=self.accepted)
        self.accepted = None
        if attempts is None:
            self.counts["skipped"] += 1
        return attempts

    def has_wire(self, email) -> bool:
        return (
            not isinstance(email, Exception | None)
            and email.wire is not None
            and type(self.smtp) is SMTPBackend
        )

    def send_wire(self, message: OutgoingMessage, email) -> None:
        """Claim and send a message as its bytes; the server's answer is read by `answered`."""
        ours: bool | None = None  # not asked yet

        def claim() -> bool:
            nonlocal ours
            attempts = self.claim(message.pk)
            ours = attempts is not None
            if ours:
                message.state, message.attempts = MessageState.IN_FLIGHT, attempts
            return ours

        try:
            self.smtp.open()
            started = _send_start(self.smtp.connection, *email.wire, claim=claim)
        except DatabaseError:
            raise  # the claim itself failed: the batch stops, its rows wait for rescue
        except Exception as error:  # noqa: BLE001  (classified below; nothing is lost)
            if ours is None:  # the server failed before the claim was asked
                claim()
            if ours:
                self._not_sent(message, error)
            else:
                self.smtp.close()  # not ours: nothing to record; the session is reset
            return
        if started:
            self.awaiting = message

    def send(self, message: OutgoingMessage, email) -> None:
        """Send a claimed message through the backend, the full way."""
        if isinstance(email, Exception):
            logger.error("outbox: message %s cannot be rendered: %r", message.pk, email)
            _finish(message, state=MessageState.FAILED, last_error=f"render: {email}")
            self.counts["failed"] += 1
            return
        try:
            self.smtp.open()
            self.smtp.send_messages([email])
        except Exception as error:  # noqa: BLE001  (classified below; nothing is lost)
            self._not_sent(message, error)
        else:
            self._sent(message)

    def answered(self) -> None:
        """Read the server's answer to the message sent last, if it is awaited."""
        message, self.awaiting = self.awaiting, None
        if message is None:
            return
        try:
            _send_end(self.smtp.connection)
        except Exception as error:  # noqa: BLE001  (classified below; nothing is lost)
            self._not_sent(message, error)
        else:
            self._sent(message)

    def _sent(self, message: OutgoingMessage) -> None:
        message.sent_at = timezone.now()
        self.accepted = message
        self.counts["sent"] += 1

    def _not_sent(self, message: OutgoingMessage, error: Exception) -> None:
        self.smtp.close()  # reset the session after any error
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
        """Hear the last answer if the batch stopped before it, close, write the last "sent"."""
        if self.awaiting is not None:
            with suppress(Exception):  # the batch is failing already: that error matters
                self.answered()
        self.smtp.close()
        if self.accepted is not None:
            _mark_sent(self.accepted)


_LEADING_DOT = re.compile(rb"(?m)^\.")


def _send_start(
    client: smtplib.SMTP,
    sender: str,
    recipients: list[str],
    data: bytes,
    *,
    claim: Callable[[], bool],
) -> bool:
    """`smtplib.SMTP.sendmail` up to the message's last line, without reading the answer to
    it (`_send_end` does): the same commands, options and errors, in the same order.

    `claim()` is called once MAIL FROM is sent, before its answer is read; if it says the
    message is not ours, the transaction is reset (RSET) and False returned. Without the
    SMTP PIPELINING extension a client waits for each answer before its next command; it
    may do its own work meanwhile, and that is all this buys. After an error the caller
    closes the connection (no RSET is needed).
    """
    client.ehlo_or_helo_if_needed()
    options = f" size={len(data)}" if client.does_esmtp and client.has_extn("size") else ""
    client.putcmd("mail", f"FROM:{smtplib.quoteaddr(sender)}{options}")  # as `mail()` does
    ours = claim()
    code, reply = client.getreply()
    if not ours:
        if code == 250:
            client.rset()
        return False
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused = {}
    for recipient in recipients:
        code, reply = client.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, reply)
        if code == 421 or len(refused) == len(recipients):
            raise smtplib.SMTPRecipientsRefused(refused)
    client.putcmd("data")
    code, reply = client.getreply()
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    data = _LEADING_DOT.sub(b"..", data)  # dot-stuffing, as smtplib quotes periods
    client.send(data + (b"" if data.endswith(b"\r\n") else b"\r\n") + b".\r\n")
    return True


def _send_end(client: smtplib.SMTP) -> None:
    """Read the server's answer to the message `_send_start` sent; raise if it refused it."""
    code, reply = client.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)


def _schedule_retries(retry_at: list[tuple[int, dt.timedelta]]) -> None:
    """Retries wait seconds to minutes (a short countdown); `rescue` covers a lost one."""
    if not retry_at:
        return
    from messaging.tasks import deliver_messages

    delay = max(d for _, d in retry_at) + dt.timedelta(seconds=1)  # be due when it runs
    deliver_messages.apply_async([[pk for pk, _ in retry_at]], countdown=delay.total_seconds())


def message_retry(*, message: OutgoingMessage) -> bool:
    """Staff retry a failed message: back to the queue, attempts from zero."""
    with transaction.atomic():
        updated = OutgoingMessage.objects.filter(pk=message.pk, state=MessageState.FAILED).update(
            state=MessageState.QUEUED,
            attempts=0,
            due_at=timezone.now(),
            enqueued_at=timezone.now(),
            locked_at=None,
        )
        if updated:
            enqueue([message.pk])
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
            last_error="The worker stopped while sending; sending again.",
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
