"""Personal links of participants: `/d/<token>/` (`/r/<token>/` before), and calendar feeds.

A token is an HMAC (SHA-256, keyed by SECRET_KEY) of the participant's id and a random
128-bit nonce, so the same link can be put in every message without storing it: the
database keeps the nonce and the token's SHA-256 (for look-up), never the token, and
neither alone gives the link. Staff regenerate a link (new nonce: old links die) or
revoke it (no nonce). A token expires 30 days after its mission ends. Rotating
SECRET_KEY invalidates every link.

The calendar feed (`/c/<calendar token>.ics`), which delegates paste into Google
Calendar or Outlook and may share, has a token of its own: an HMAC of the same id and
nonce with another salt, stored as its SHA-256 too. It opens the feed and nothing else,
and is regenerated, revoked and expires together with the personal link.

Every link issued, regenerated or revoked is an entry of the audit log
(`missions.audit`).
"""

import datetime as dt
import hashlib
import secrets
import zoneinfo

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from missions.audit import audit_record
from missions.enums import AuditAction
from missions.models import Participant

VALID_AFTER_MISSION = dt.timedelta(days=30)
# What each token of a participant is derived for (the HMAC's salt).
LINK_SALT = "itinera.participant-link"
CALENDAR_SALT = "itinera.participant-calendar"


def _derived(participant: Participant, salt: str) -> str:
    return salted_hmac(
        salt, f"{participant.pk}:{participant.token_nonce}", algorithm="sha256"
    ).hexdigest()


def _token(participant: Participant) -> str:
    return _derived(participant, LINK_SALT)


def token_hash(token: str) -> str:
    """What the database keeps of a token, and looks it up by."""
    return hashlib.sha256(token.encode()).hexdigest()


def link_expired(*, end_date: dt.date, time_zone: zoneinfo.ZoneInfo) -> bool:
    """Whether a link to a mission ending on `end_date` (its local date) has expired."""
    return timezone.localdate(timezone=time_zone) > end_date + VALID_AFTER_MISSION


# What issuing a link writes on a participant.
LINK_FIELDS = ("token_nonce", "token_hash", "calendar_token_hash", "token_created_at")


def link_new(*, participant: Participant, now: dt.datetime) -> str:
    """Give the participant a new link, on the instance only; returns its token.

    The one way a link is made, whoever saves it: `token_issue` for one participant,
    `messaging.invitations.links_ensure` for many at once. Saving it (`LINK_FIELDS`)
    makes any earlier link stop working.
    """
    participant.token_nonce = secrets.token_hex(16)
    token = _token(participant)
    participant.token_hash = token_hash(token)
    participant.calendar_token_hash = token_hash(_derived(participant, CALENDAR_SALT))
    participant.token_created_at = now
    return token


def token_issue(*, participant: Participant) -> str:
    """A new link for the participant; any earlier link stops working. Audited: issued,
    or regenerated if they had one."""
    had_link = bool(participant.token_nonce)
    token = link_new(participant=participant, now=timezone.now())
    participant.save(update_fields=[*LINK_FIELDS, "updated_at"])
    audit_record(
        action=AuditAction.LINK_REGENERATED if had_link else AuditAction.LINK_ISSUED,
        participant=participant,
    )
    return token


def token_revoke(*, participant: Participant) -> None:
    """The personal link and the calendar feed stop working (audited)."""
    participant.token_nonce = participant.token_hash = participant.calendar_token_hash = ""
    participant.save(
        update_fields=["token_nonce", "token_hash", "calendar_token_hash", "updated_at"]
    )
    audit_record(action=AuditAction.LINK_REVOKED, participant=participant)


def token_for(*, participant: Participant) -> str:
    """The participant's current link, issuing one if they have none.

    The first issue locks the participant's row, so two requests inviting the same
    person at once agree on one link instead of the second replacing the first's.
    """
    if participant.token_nonce:
        return _token(participant)
    with transaction.atomic():
        current = Participant.objects.select_for_update().only("token_nonce").get(pk=participant.pk)
        if not current.token_nonce:
            return token_issue(participant=participant)
        participant.token_nonce = current.token_nonce
    return _token(participant)


def calendar_token_for(*, participant: Participant) -> str:
    """The participant's calendar feed token, issuing a personal link if they have none."""
    token_for(participant=participant)  # the nonce both are derived from
    return _derived(participant, CALENDAR_SALT)


def participant_for_token(token: str) -> Participant | None:
    """The participant whose live link this is, or None (wrong, revoked or expired)."""
    return _participant_by("token_hash", token)


def participant_for_calendar_token(token: str) -> Participant | None:
    """The participant whose live calendar feed this is, or None (wrong, revoked or expired).

    A personal link's token is not a calendar token, nor the other way round.
    """
    return _participant_by("calendar_token_hash", token)


def _participant_by(field: str, token: str) -> Participant | None:
    if not token or len(token) > 128:
        return None
    participant = (
        Participant.objects.select_related("mission", "person")
        .filter(**{field: token_hash(token)})
        .exclude(token_nonce="")
        .first()
    )
    if participant is None:
        return None
    mission = participant.mission
    if link_expired(end_date=mission.end_date, time_zone=mission.time_zone):
        return None
    return participant


def personal_url(participant: Participant, name: str = "delegate:page") -> str:
    """The absolute address of a page under the participant's link (issued if they have none).

    By default their own page, `/d/<token>/`, which carries the answer form until they
    have answered: every mail that links the person (the invitation, the reminders) and
    the calendar's events open it.
    """
    path = reverse(name, kwargs={"token": token_for(participant=participant)})
    return settings.SITE_URL.rstrip("/") + path


def calendar_path(participant: Participant) -> str:
    """The path of the participant's calendar feed (a link issued if they have none)."""
    return reverse("calendar:feed", kwargs={"token": calendar_token_for(participant=participant)})
