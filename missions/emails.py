"""Rendering of outbox rows into e-mails, in the recipient's language, at send time.

Each kind has three templates, `emails/<kind>/{subject.txt,body.txt,body.html}`, and a
context builder here. Rendering happens in the worker, after the row is claimed, so a
retried message shows the current state of the mission.
"""

from collections.abc import Callable
from email.utils import formataddr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from organisations.enums import MembershipRole
from organisations.models import Membership

from .calendar import participant_calendar, with_revisions
from .enums import MessageKind
from .models import ItineraryItem, Mission, OutgoingMessage
from .outbox import clean_header_text
from .services.rsvp import (
    item_period,
    item_place,
    long_date,
    mission_dates,
    participant_items,
    personal_url,
    supported_language,
    today_at,
)
from .tokens import token_for


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def personal_link(message: OutgoingMessage) -> str:
    return personal_url(message.participant)


def _participant_context(message: OutgoingMessage) -> dict:
    participant = message.participant
    mission = participant.mission
    return {
        "participant": participant,
        "person": participant.person,
        "mission": mission,
        "link": personal_link(message),
    }


def _contacts(message: OutgoingMessage, mission: Mission) -> list[dict[str, str]]:
    """Whom to ask: the planner who sent the message, else the lead organisation's planners."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    sender = (message.context or {}).get("sent_by")
    found = list(users.filter(pk=sender)) if sender else []
    if not found:
        planners = Membership.objects.filter(
            organisation=mission.lead_organisation, role=MembershipRole.PLANNER
        ).values("user")
        found = list(users.filter(pk__in=planners).order_by("pk")[:2])
    return [
        {"name": user.get_full_name() or user.get_username(), "email": user.email} for user in found
    ]


def _mission_context(message: OutgoingMessage) -> dict:
    """What every message to a participant says of the mission, in the active language."""
    context = _participant_context(message)
    mission = context["mission"]
    return {
        **context,
        "organisation": mission.lead_organisation,
        "organisers": [organisation.name for organisation in mission.organisers.all()],
        "dates": mission_dates(mission),
        "contacts": _contacts(message, mission),
    }


def _invited_items(message: OutgoingMessage) -> list[ItineraryItem]:
    """The items the person is invited to, fetched once for the body and the calendar."""
    items = getattr(message, "_invited_items", None)
    if items is None:
        items = list(with_revisions(participant_items(message.participant)))
        message._invited_items = items
    return items


def _invitation_context(message: OutgoingMessage) -> dict:
    """The invitation: the mission, the items the person is invited to, the deadline, the link."""
    context = _mission_context(message)
    mission = context["mission"]
    deadline = mission.rsvp_deadline
    if deadline is not None and deadline < today_at(mission):
        deadline = None  # invited late: "please answer soon" rather than a date gone by
    return {
        **context,
        "deadline": long_date(deadline) if deadline else "",
        "items": [
            {"title": item.title, "when": item_period(item), "place": item_place(item)}
            for item in _invited_items(message)
        ],
    }


def _invitation_attachments(message: OutgoingMessage) -> list[tuple[str, bytes, str]]:
    """The items the person is invited to, as a calendar file."""
    participant = message.participant
    calendar = participant_calendar(participant, items=_invited_items(message))
    return [(f"{participant.mission.slug}.ics", calendar, "text/calendar")]


def _follow_up_context(message: OutgoingMessage) -> dict:
    """The thank-you after the mission, with the link to the feedback form."""
    context = _mission_context(message)
    return {**context, "feedback_link": personal_url(context["participant"], "rsvp:feedback")}


CONTEXT: dict[str, Callable[[OutgoingMessage], dict]] = {
    MessageKind.INVITATION: _invitation_context,
    MessageKind.FOLLOW_UP: _follow_up_context,
}
ATTACHMENTS: dict[str, Callable[[OutgoingMessage], list[tuple[str, bytes, str]]]] = {
    MessageKind.INVITATION: _invitation_attachments,
}


def render_message(message: OutgoingMessage, *, connection=None) -> EmailMultiAlternatives:
    """The e-mail for an outbox row, with its own Message-ID and the recipient's language."""
    # English for a language the site does not speak (the .po files have en and de).
    with translation.override(supported_language(message.language)):
        context = {"message": message, **CONTEXT[message.kind](message)}
        folder = f"emails/{message.kind}"
        subject = clean_header_text(render_to_string(f"{folder}/subject.txt", context))
        text = render_to_string(f"{folder}/body.txt", context)
        html = render_to_string(f"{folder}/body.html", context)
        attachments = ATTACHMENTS.get(message.kind, lambda m: [])(message)
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[formataddr((message.recipient_name, message.recipient_email))],
        headers={"Message-ID": message.message_id},
        connection=connection,
    )
    email.attach_alternative(html, "text/html")
    for name, content, mimetype in attachments:
        email.attach(name, content, mimetype)
    return email


# Reminders and notices ----------------------------------------------------------------
# What the reminders, "itinerary changed" notices and action reminders say; when they go
# out is decided in missions/reminders.py. Built at send time: a notice shows the changes
# and the itinerary as they are when it is sent.


def _reminder_base(message: OutgoingMessage) -> dict:
    participant = message.participant
    return {
        "participant": participant,
        "person": participant.person,
        "mission": participant.mission,
        "link": absolute(
            reverse("rsvp:answer", kwargs={"token": token_for(participant=participant)})
        ),
        "days": message.context.get("days"),
    }


def _rsvp_reminder_context(message: OutgoingMessage) -> dict:
    return _reminder_base(message)


def _mission_reminder_context(message: OutgoingMessage) -> dict:
    from . import reminders  # imported here: this section keeps to itself

    context = _reminder_base(message)
    context["itinerary"] = reminders.personal_itinerary(message.participant)
    return context


def _itinerary_changed_context(message: OutgoingMessage) -> dict:
    from . import reminders

    context = _reminder_base(message)
    context["changes"] = reminders.itinerary_changes(message)
    context["itinerary"] = reminders.personal_itinerary(message.participant)
    return context


def _action_due_context(message: OutgoingMessage) -> dict:
    action = message.action
    return {
        "action": action,
        "mission": action.mission,
        "link": absolute(reverse("plan:action-edit", kwargs={"pk": action.pk})),
        "follow_up_link": absolute(reverse("plan:follow-up", kwargs={"pk": action.mission_id})),
    }


CONTEXT.update(
    {
        MessageKind.RSVP_REMINDER: _rsvp_reminder_context,
        MessageKind.MISSION_REMINDER: _mission_reminder_context,
        MessageKind.ITINERARY_CHANGED: _itinerary_changed_context,
        MessageKind.ACTION_DUE: _action_due_context,
    }
)
