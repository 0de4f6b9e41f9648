"""The second baseline of bench/invitations.py: what most Django apps do to send mail.

One Celery task per message, which renders it and sends it with `EmailMessage.send()`
through Django's SMTP backend (a connection per message), with no row to claim or mark.
The worker of the benchmark imports this module (`--include bench.tasks`).
"""

from celery import shared_task

from messaging.emails import render_message
from messaging.models import OutgoingMessage


@shared_task(ignore_result=True)
def send_one(message_id: int) -> None:
    message = OutgoingMessage.objects.select_related("participant__person").get(pk=message_id)
    render_message(message).send()
