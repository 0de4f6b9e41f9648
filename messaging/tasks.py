"""Celery tasks of messaging: thin. They take ids, and the domain modules keep them idempotent."""

from celery import shared_task

from messaging import outbox, reminders


@shared_task(name=outbox.DELIVER_TASK, acks_late=True, ignore_result=True)
def deliver_messages(message_ids: list[int]) -> dict[str, int]:
    """Send these outbox rows; rows already sent, in flight or not due are skipped."""
    return outbox.deliver(message_ids)


@shared_task(ignore_result=True)
def rescue_messages() -> int:
    """Periodic: re-enqueue outbox rows that no worker is handling."""
    return outbox.rescue()


# Reminders and notices ------------------------------------------------------------------


@shared_task(acks_late=True, ignore_result=True)
def scan_reminders() -> dict[str, int]:
    """Periodic: queue the reminders, thank-yous and action reminders now due; counts.

    Idempotent and safe alongside another scan: each message has a fixed occasion.
    """
    return reminders.reminders_scan()
