"""Rendering of outbox rows into e-mails, in the recipient's language, at send time.

Each kind has three templates, `emails/<kind>/{subject.txt,body.txt,body.html}`, and a
context builder here. Rendering happens in the worker, as the row is about to be
claimed and sent, so a retried message shows the current state of the mission. What the
messages of a batch have in common (`Shared`) is worked out once per batch, not once per
message; a batch's invitations are a mail merge, their templates rendered once per group
(`Stencil`) with each person's name and link filled in as text. `batch_renderer` is what
the outbox calls (registered for every kind in messaging/kinds.py).
"""

import copy
import re
import secrets
from collections.abc import Callable, Iterable
from email.utils import formataddr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.html import conditional_escape
from django.utils.http import urlsafe_base64_encode

from messaging import reminders
from messaging.enums import MessageKind
from messaging.models import OutgoingMessage
from missions.attendance import attends, chosen_items
from missions.display import (
    clean_header_text,
    item_period,
    item_place,
    long_date,
    mission_dates,
    today_at,
)
from missions.languages import site_language
from missions.models import ItineraryItem, Mission, Participant
from missions.tokens import personal_url, token_for
from organisations.enums import MembershipRole
from organisations.models import Membership
from portal.calendar import participant_calendar, with_revisions


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


class Shared:
    """What the messages of one batch have in common, worked out once for the batch.

    A batch is usually one mission's invitations: the mission, its organisers, the
    contacts, the programme and the calendar file are the same for everyone who sees
    the same items in the same language, so each message only adds its personal bits
    (the name and the link). Read as the batch's first message is rendered, after its
    claim: a retried message still shows the mission as it is when it is sent. Rendering
    a single message (a preview) uses a Shared of its own.
    """

    def __init__(self, messages: Iterable[OutgoingMessage] = ()) -> None:
        self.messages = list(messages)
        self._missions: dict[int, Mission] = {}
        self._contacts: dict[tuple[int, int | None], list[dict[str, str]]] = {}
        self._mission_items: dict[int, list[ItineraryItem]] = {}
        self._selected: dict[int, set[int]] | None = None
        self._item_lines: dict[tuple[str, int], dict[str, str]] = {}
        self._calendars: dict[tuple, tuple[bytes, re.Pattern]] = {}
        self._by_language: dict[tuple[str, int], dict] = {}
        # Stencils pay off when messages share them; a single message renders in full.
        self.stencils = len(self.messages) > 1
        self._stencils: dict[tuple, Stencil | None] = {}

    def mission(self, participant: Participant) -> Mission:
        """One instance per mission, with its lead organisation and organisers loaded."""
        mission = self._missions.get(participant.mission_id)
        if mission is None:
            mission = (
                Mission.objects.select_related("lead_organisation")
                .prefetch_related("organisers")
                .get(pk=participant.mission_id)
            )
            self._missions[mission.pk] = mission
        participant.mission = mission  # the calendar and the links read it from here
        return mission

    def contacts(self, message: OutgoingMessage, mission: Mission) -> list[dict[str, str]]:
        sender = (message.context or {}).get("sent_by")
        key = (mission.pk, sender)
        if key not in self._contacts:
            self._contacts[key] = _contacts(sender, mission)
        return self._contacts[key]

    def in_language(self, mission: Mission) -> dict:
        """What is said of the mission in the active language: its dates and the deadline."""
        key = (translation.get_language(), mission.pk)
        if key not in self._by_language:
            deadline = mission.rsvp_deadline
            if deadline is not None and deadline < today_at(mission):
                deadline = None  # invited late: "please answer soon" rather than a date gone by
            self._by_language[key] = {
                "dates": mission_dates(mission),
                "deadline": long_date(deadline) if deadline else "",
            }
        return self._by_language[key]

    def invited_items(self, participant: Participant) -> list[ItineraryItem]:
        """`participant_items(participant)`, from one query per mission and one per batch.

        The items the participant attends (`missions.attendance`), not cancelled, by
        start. Who was put on which item is read for every participant of the batch at
        once.
        """
        mission_id = participant.mission_id
        if mission_id not in self._mission_items:
            items = ItineraryItem.objects.filter(mission_id=mission_id, is_cancelled=False)
            self._mission_items[mission_id] = list(
                with_revisions(
                    items.select_related("mission", "venue", "host").order_by("starts_at", "pk")
                )
            )
        if self._selected is None or participant.pk not in self._selected:
            self._load_selections(participant)
        chosen = self._selected[participant.pk]
        return [
            item
            for item in self._mission_items[mission_id]
            if attends(item.audience, item.pk, chosen)
        ]

    def _load_selections(self, participant: Participant) -> None:
        ids = {m.participant_id for m in self.messages if m.participant_id} | {participant.pk}
        if self._selected is not None:
            ids -= set(self._selected)
        self._selected = {**(self._selected or {}), **chosen_items(ids)}

    def item_line(self, item: ItineraryItem) -> dict[str, str]:
        """An item as the e-mail lists it, in the active language."""
        key = (translation.get_language(), item.pk)
        if key not in self._item_lines:
            self._item_lines[key] = {
                "title": item.title,
                "when": item_period(item),
                "place": item_place(item),
            }
        return self._item_lines[key]

    def calendar(self, participant: Participant, items: list[ItineraryItem]) -> bytes:
        """`participant_calendar(participant, items=items)`, built once per group.

        The file is built for a stand-in with a link of its own, once per language,
        answer and items, and each participant's token is written over the stand-in's. A
        token is 64 hex digits whoever it is for, so both files have the same lines,
        folded at the same places: the token is written piece by piece around the folds.
        """
        key = (translation.get_language(), participant.mission_id, participant.rsvp_status)
        key += tuple(item.pk for item in items)
        if key not in self._calendars:
            stand_in = copy.copy(participant)
            stand_in.token_nonce = CALENDAR_STAND_IN_NONCE
            token = token_for(participant=stand_in).encode()
            folded_token = re.compile(FOLD.join(re.escape(bytes([c])) for c in token))
            self._calendars[key] = (participant_calendar(stand_in, items=items), folded_token)
        content, folded_token = self._calendars[key]
        token = token_for(participant=participant).encode()

        def written_over(match: re.Match) -> bytes:
            pieces, at = [], 0
            for piece in match.group().split(b"\r\n "):
                pieces.append(token[at : at + len(piece)])
                at += len(piece)
            return b"\r\n ".join(pieces)

        return folded_token.sub(written_over, content)

    def stencil(self, message: OutgoingMessage, context: dict) -> "Stencil | None":
        """The stencil of the message's group, if its kind has stencils (see `Stencil`)."""
        shape = SHAPES.get(message.kind)
        if not self.stencils or shape is None:
            return None
        key = (translation.get_language(), message.kind, *shape(message, self))
        if key not in self._stencils:
            self._stencils[key] = Stencil.render(message.kind, context)
        return self._stencils[key]


# A nonce no participant has (theirs are 32 hex digits): the stand-in's link is never live.
CALENDAR_STAND_IN_NONCE = "calendar-stand-in"
# Where iCalendar may fold a line: CRLF and a space (RFC 5545, 3.1).
FOLD = b"(?:\r\n )?"


def _render(kind: str, context: dict) -> tuple[str, str, str]:
    folder = f"emails/{kind}"
    return tuple(
        render_to_string(f"{folder}/{name}", context)
        for name in ("subject.txt", "body.txt", "body.html")
    )


class StandInRead(Exception):  # noqa: N818  (not an error: a signal to render in full)
    """A template read more of a personal object than its stencil stands in for."""


class _StandIn:
    """A personal object (the person, the participant, the row) while a stencil renders:
    it has only the given attributes; reading any other stops the stencil."""

    def __init__(self, **attributes: str) -> None:
        self.__dict__.update(attributes)

    def __getattr__(self, name: str):
        raise StandInRead(name)


class Stencil:
    """A message rendered once for a group of recipients, with marks for the name and link.

    A mail merge: the invitations of a batch that go out in the same language, from the
    same sender, with the same items differ only in the person's name and personal link,
    so the three templates render once per group with random marks in their place, and
    each message fills in its own, escaped for HTML as the template would have escaped
    them, in one pass (a name that looks like a mark is never filled in again). If the
    templates read anything else of the person, the participant or the row, the group
    renders message by message. The guard is the test that batch and one-by-one
    renderings are equal, names with markup and right-to-left text included.
    """

    def __init__(self, parts: tuple[str, str, str], marks: dict[str, str]) -> None:
        self.parts = parts
        self.marks = marks  # mark -> "name" or "link"
        self.pattern = re.compile("|".join(marks))

    @classmethod
    def render(cls, kind: str, context: dict) -> "Stencil | None":
        name, link = (f"stencil{secrets.token_hex(12)}{what}" for what in ("name", "link"))
        stand_ins = {
            **context,
            "message": _StandIn(),
            "participant": _StandIn(),
            "person": _StandIn(full_name=name),
            "link": link,
        }
        try:
            parts = _render(kind, stand_ins)
        except StandInRead:
            return None
        return cls(parts, {name: "name", link: "link"})

    def fill(self, *, name: str, link: str) -> tuple[str, str, str]:
        subject, text, html = self.parts
        plain = {"name": name, "link": link}
        escaped = {what: conditional_escape(value) for what, value in plain.items()}

        def filled(part: str, values: dict[str, str]) -> str:
            return self.pattern.sub(lambda match: values[self.marks[match.group()]], part)

        return filled(subject, plain), filled(text, plain), filled(html, escaped)


def _participant_context(message: OutgoingMessage, shared: Shared) -> dict:
    participant = message.participant
    return {
        "participant": participant,
        "person": participant.person,
        "mission": shared.mission(participant),
        "link": personal_url(participant),
    }


def _contacts(sender: int | None, mission: Mission) -> list[dict[str, str]]:
    """Whom to ask: the planner who sent the message, else the lead organisation's planners."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    found = list(users.filter(pk=sender)) if sender else []
    if not found:
        planners = Membership.objects.filter(
            organisation=mission.lead_organisation, role__in=MembershipRole.PLANS
        ).values("user")
        found = list(users.filter(pk__in=planners).order_by("pk")[:2])
    return [{"name": user.get_full_name(), "email": user.email} for user in found]


def _mission_context(message: OutgoingMessage, shared: Shared) -> dict:
    """What every message to a participant says of the mission, in the active language."""
    context = _participant_context(message, shared)
    mission = context["mission"]
    return {
        **context,
        "organisation": mission.lead_organisation,
        "organisers": [organisation.name for organisation in mission.organisers.all()],
        "dates": shared.in_language(mission)["dates"],
        "contacts": shared.contacts(message, mission),
    }


def _invitation_context(message: OutgoingMessage, shared: Shared) -> dict:
    """The invitation: the mission, the items the person is invited to, the deadline, the link."""
    context = _mission_context(message, shared)
    return {
        **context,
        "deadline": shared.in_language(context["mission"])["deadline"],
        "items": [shared.item_line(item) for item in shared.invited_items(message.participant)],
    }


def _invitation_attachments(
    message: OutgoingMessage, shared: Shared
) -> list[tuple[str, bytes, str]]:
    """The items the person is invited to, as a calendar file."""
    participant = message.participant
    calendar = shared.calendar(participant, shared.invited_items(participant))
    return [(f"{participant.mission.slug}.ics", calendar, "text/calendar")]


def _invitation_shape(message: OutgoingMessage, shared: Shared) -> tuple:
    """What an invitation says besides the name and link: the mission, sender and items."""
    items = shared.invited_items(message.participant)
    sender = (message.context or {}).get("sent_by")
    return (message.participant.mission_id, sender, *(item.pk for item in items))


def _follow_up_context(message: OutgoingMessage, shared: Shared) -> dict:
    """The thank-you after the mission, with the link to the feedback form."""
    context = _mission_context(message, shared)
    feedback_link = personal_url(context["participant"], "rsvp:feedback")
    return {**context, "feedback_link": feedback_link}


CONTEXT: dict[str, Callable[[OutgoingMessage, Shared], dict]] = {
    MessageKind.INVITATION: _invitation_context,
    MessageKind.FOLLOW_UP: _follow_up_context,
}
ATTACHMENTS: dict[str, Callable[[OutgoingMessage, Shared], list[tuple[str, bytes, str]]]] = {
    MessageKind.INVITATION: _invitation_attachments,
}
# Kinds rendered from stencils (`Stencil`): what their messages share within a batch,
# besides the language. Their templates use the person's name and the link as text only.
SHAPES: dict[str, Callable[[OutgoingMessage, Shared], tuple]] = {
    MessageKind.INVITATION: _invitation_shape,
}


class OutboxEmail(EmailMultiAlternatives):
    """An e-mail whose MIME boundaries are random 128-bit strings drawn up front.

    Left to draw a boundary, the standard library compiles a regular expression for each
    part to check that the text does not contain it: a quarter of a millisecond a
    message, a tenth of what the worker spends on one (bench/invitations.py). A boundary
    nobody can guess needs no such check.
    """

    def message(self, *args, **kwargs):
        message = super().message(*args, **kwargs)
        for part in message.walk():
            if part.is_multipart():
                part.set_boundary(f"=_{secrets.token_hex(16)}")
        return message


def render_message(message: OutgoingMessage, *, shared: Shared | None = None) -> OutboxEmail:
    """The e-mail for an outbox row, with its own Message-ID and the recipient's language.

    `shared` carries what the other messages of the batch already worked out.
    """
    shared = shared if shared is not None else Shared([message])
    if message.participant_id:
        shared.mission(message.participant)  # one instance per mission for the whole batch
    # English for a language the site does not speak (the .po files have en and de).
    with translation.override(site_language(message.language)):
        context = {"message": message, **CONTEXT[message.kind](message, shared)}
        stencil = shared.stencil(message, context)
        if stencil is None:
            subject, text, html = _render(message.kind, context)
        else:
            name, link = context["person"].full_name, context["link"]
            subject, text, html = stencil.fill(name=name, link=link)
        subject = clean_header_text(subject)
        attachments = ATTACHMENTS.get(message.kind, lambda m, s: [])(message, shared)
    email = OutboxEmail(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[formataddr((message.recipient_name, message.recipient_email))],
        headers={"Message-ID": message.message_id},
    )
    email.attach_alternative(html, "text/html")
    for file_name, content, mimetype in attachments:
        email.attach(file_name, content, mimetype)
    return email


def batch_renderer(
    messages: list[OutgoingMessage],
) -> Callable[[OutgoingMessage], EmailMultiAlternatives]:
    """For the outbox: the e-mail of each message of a batch, sharing what they have in common."""
    shared = Shared(messages)
    return lambda message: render_message(message, shared=shared)


# Reminders and notices ----------------------------------------------------------------
# What the reminders, "itinerary changed" notices and action reminders say; when they go
# out is decided in messaging/reminders.py. Built at send time: a notice shows the changes
# and the itinerary as they are when it is sent.


def _reminder_base(message: OutgoingMessage) -> dict:
    participant = message.participant
    return {
        "participant": participant,
        "person": participant.person,
        "mission": participant.mission,
        "link": personal_url(participant),
        "days": message.context.get("days"),
    }


def _rsvp_reminder_context(message: OutgoingMessage, shared: Shared) -> dict:
    return _reminder_base(message)


def _mission_reminder_context(message: OutgoingMessage, shared: Shared) -> dict:
    context = _reminder_base(message)
    context["itinerary"] = reminders.personal_itinerary(message.participant)
    return context


def _itinerary_changed_context(message: OutgoingMessage, shared: Shared) -> dict:
    context = _reminder_base(message)
    context["changes"] = reminders.itinerary_changes(message)
    context["itinerary"] = reminders.personal_itinerary(message.participant)
    return context


def _meetings_published_context(message: OutgoingMessage, shared: Shared) -> dict:
    context = _reminder_base(message)
    context["meetings"] = reminders.personal_meetings(message.participant)
    return context


def _action_due_context(message: OutgoingMessage, shared: Shared) -> dict:
    action = message.action
    return {
        "action": action,
        "mission": action.mission,
        "link": absolute(reverse("plan:action-edit", kwargs={"pk": action.pk})),
        "follow_up_link": absolute(reverse("plan:follow-up", kwargs={"pk": action.mission_id})),
    }


# Accounts ------------------------------------------------------------------------------


def _password_reset_context(message: OutgoingMessage, shared: Shared) -> dict:
    """The link to choose a new password, made now from the account (messaging/
    password_resets.py): the row holds only the account's id. An account gone, disabled
    or with another address since is not written to (the row fails, saying why)."""
    user = get_user_model().objects.get(pk=message.context["user"])
    if not user.is_active or user.email.casefold() != message.recipient_email.casefold():
        raise ValueError("the account changed since the reset was asked for")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return {"user": user, "username": user.get_username(), "link": absolute(path)}


CONTEXT.update(
    {
        MessageKind.PASSWORD_RESET: _password_reset_context,
        MessageKind.RSVP_REMINDER: _rsvp_reminder_context,
        MessageKind.MISSION_REMINDER: _mission_reminder_context,
        MessageKind.ITINERARY_CHANGED: _itinerary_changed_context,
        MessageKind.ACTION_DUE: _action_due_context,
        MessageKind.MEETINGS_PUBLISHED: _meetings_published_context,
    }
)
