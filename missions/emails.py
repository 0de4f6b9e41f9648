"""Rendering of outbox rows into e-mails, in the recipient's language, at send time.

Each kind has three templates, `emails/<kind>/{subject.txt,body.txt,body.html}`, and a
context builder here. Rendering happens in the worker, after the row is claimed, so a
retried message shows the current state of the mission.
"""

from collections.abc import Callable
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .enums import MessageKind
from .models import OutgoingMessage
from .outbox import clean_header_text
from .tokens import token_for


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def personal_link(message: OutgoingMessage) -> str:
    token = token_for(participant=message.participant)
    return absolute(reverse("rsvp:answer", kwargs={"token": token}))


def _participant_context(message: OutgoingMessage) -> dict:
    participant = message.participant
    mission = participant.mission
    return {
        "participant": participant,
        "person": participant.person,
        "mission": mission,
        "link": personal_link(message),
    }


CONTEXT: dict[str, Callable[[OutgoingMessage], dict]] = {
    MessageKind.INVITATION: _participant_context,
}
ATTACHMENTS: dict[str, Callable[[OutgoingMessage], list[tuple[str, bytes, str]]]] = {}


def render_message(message: OutgoingMessage, *, connection=None) -> EmailMultiAlternatives:
    """The e-mail for an outbox row, with its own Message-ID and the recipient's language."""
    with translation.override(message.language):
        context = {"message": message, **CONTEXT[message.kind](message)}
        folder = f"emails/{message.kind}"
        subject = clean_header_text(render_to_string(f"{folder}/subject.txt", context))
        text = render_to_string(f"{folder}/body.txt", context)
        html = render_to_string(f"{folder}/body.html", context)
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[formataddr((message.recipient_name, message.recipient_email))],
        headers={"Message-ID": message.message_id},
        connection=connection,
    )
    email.attach_alternative(html, "text/html")
    for name, content, mimetype in ATTACHMENTS.get(message.kind, lambda m: [])(message):
        email.attach(name, content, mimetype)
    return email
