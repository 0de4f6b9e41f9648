"""The audit log: every export or download of personal data and every change of a
personal link, with who, when and from where (model `AuditEntry`).

`audit_record` writes one entry and `audit_record_links` one entry per participant in a
single INSERT; nothing else writes the log. Who and from where come from the request
being answered, which `AuditMiddleware` notes for the duration of the request (as
django-simple-history's middleware does for history rows); outside a request (a worker,
a periodic task, a management command) the entry is the system's.
"""

import contextvars
from collections.abc import Callable, Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from missions.enums import AuditAction
from missions.models import AuditEntry, Mission, Participant
from organisations.models import Organisation, Person

SYSTEM = "system"

_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "audit_request", default=None
)


class AuditMiddleware:
    """Notes the request being answered, so that entries name its user and address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def request_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind a proxy the header it sets (the
    setting the personal links' rate limit reads, `LINK_RATE_IP_META_KEY`)."""
    meta_key = getattr(settings, "LINK_RATE_IP_META_KEY", None) or "REMOTE_ADDR"
    # X-Forwarded-For style headers list the client first.
    address = request.META.get(meta_key, "").split(",")[0].strip()
    return address or None


def _who() -> dict:
    """The fields of an entry that say who and from where."""
    request = _request.get()
    if request is None:
        return {"user": None, "actor": SYSTEM, "ip_address": None}
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "user": user if signed_in else None,
        "actor": user.get_username() if signed_in else SYSTEM,
        "ip_address": request_address(request),
    }


def audit_record(
    *,
    action: AuditAction,
    mission: Mission | None = None,
    participant: Participant | None = None,
    person: Person | None = None,
    organisation: Organisation | None = None,
    description: str = "",
) -> AuditEntry:
    """Write one entry. A participant's mission and person are filled in from it.

    `description` says what in a few words (a file's name, a count), never a person's
    name or address: the entry outlives an erasure.
    """
    if participant is not None:
        mission_id = mission.pk if mission is not None else participant.mission_id
        person_id = person.pk if person is not None else participant.person_id
    else:
        mission_id = mission.pk if mission is not None else None
        person_id = person.pk if person is not None else None
    return AuditEntry.objects.create(
        action=action,
        mission_id=mission_id,
        participant=participant,
        person_id=person_id,
        organisation=organisation,
        description=description[:300],
        **_who(),
    )


def audit_record_links(*, action: AuditAction, participants: Sequence[Participant]) -> None:
    """One entry per participant, all in one INSERT (a send to 300 people: one statement)."""
    who = _who()
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                action=action,
                mission_id=participant.mission_id,
                participant_id=participant.pk,
                person_id=participant.person_id,
                **who,
            )
            for participant in participants
        ],
        batch_size=500,
    )
