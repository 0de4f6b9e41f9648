"""Data-subject rights and retention: everything held about one person, exported or
erased everywhere; a mission's personal data anonymised once past its retention.

It spans the rooms (the directory, the missions, the portal's kept pages and booklet
archives, the outbox, the history tables, the admin's log), so it lives in the top room.

`MISSION_PERSONAL_FIELDS` is the one list of what a mission's rows hold of a person: the
anonymisation clears exactly those fields. When a field moves between models, move it
there (the test that searches every table for an erased person finds what is missed).
"""

import datetime as dt
import json
import logging
import uuid

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Prefetch, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from matchmaking.models import Meeting, MeetingRequest, Profile, Unavailability
from messaging.models import OutgoingMessage
from missions.audit import audit_record
from missions.enums import AuditAction
from missions.models import (
    AuditEntry,
    Feedback,
    FollowUpAction,
    ItemRating,
    Mission,
    Participant,
)
from organisations.models import Person
from portal.booklet_archives import archives_discard
from portal.models import DelegatePage

logger = logging.getLogger(__name__)

# What each model of a mission holds of a person, cleared when the mission's personal
# data are anonymised (the rows stay: the counts by answer, role and item remain for
# reports). A nullable field becomes NULL, an e-mail address one at ANONYMISED_DOMAIN, a
# JSON field its default, anything else "". The person's name and address are the
# directory's (`Person`): an anonymised participant points at a placeholder person instead.
MISSION_PERSONAL_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Participant: (
        *Participant.PERSONAL_FIELDS,  # what the person told the mission
        "language",
        "page_seen_at",
        "token_nonce",  # the personal link goes too
        "token_hash",
        "calendar_token_hash",
        "token_created_at",
    ),
    # The ratings stay, the mission's and its items' (`ItemRating`: nothing else), for the
    # feedback summary and the report.
    Feedback: ("comment",),
    # What a participant told the marketplace; sectors and languages stay for reports.
    Profile: ("offer", "seek", "pitch"),
    MeetingRequest: ("message",),  # who met whom stays (the participants are anonymised)
    OutgoingMessage: ("recipient_email", "recipient_name", "context", "last_error"),
}

ANONYMISED_DOMAIN = "anonymised.invalid"  # RFC 2606: never a real address
ANONYMISED_NAME = "Anonymised participant"

# Never exported: what a personal link is derived from and looked up by.
SECRET_FIELDS = {"token_nonce", "token_hash", "calendar_token_hash"}

EXPORT_FORMAT = "itinera-personal-data/1"


# EXPORT -----------------------------------------------------------------------------------


class _Encoder(DjangoJSONEncoder):
    """Dates, times and decimals as DjangoJSONEncoder writes them; zones by name."""

    def default(self, o):
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def _record(obj: models.Model) -> dict:
    """Every stored field of the row, by name (a relation as the related row's id)."""
    return {
        field.attname: field.value_from_object(obj)
        for field in obj._meta.concrete_fields
        if field.name not in SECRET_FIELDS
    }


def _history(rows) -> list[dict]:
    return [_record(row) for row in rows]


def person_export(*, person: Person) -> dict:
    """Everything held about the person, as a JSON-ready document: the directory record,
    each participation (travel, needs, answers, items, feedback), the follow-up actions
    they are the contact of, the messages addressed to them, the audit entries about them
    and the history of their records. A fixed number of queries."""
    participations = list(
        Participant.objects.filter(person=person)
        .select_related("mission", "feedback")
        .prefetch_related(
            "items",
            Prefetch("feedback__item_ratings", ItemRating.objects.select_related("item")),
        )
        .order_by("mission__start_date", "pk")
    )
    ids = [participant.pk for participant in participations]
    messages = OutgoingMessage.objects.filter(
        Q(participant_id__in=ids) | Q(recipient_email__iexact=person.email)
    ).order_by("created_at", "pk")
    entries = AuditEntry.objects.filter(Q(person=person) | Q(participant_id__in=ids)).order_by(
        "at", "pk"
    )
    return {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now(),
        "person": _record(person),
        "participations": [
            {
                "mission": {
                    "id": participant.mission.pk,
                    "title": participant.mission.title,
                    "destination_city": participant.mission.destination_city,
                    "start_date": participant.mission.start_date,
                    "end_date": participant.mission.end_date,
                },
                **_record(participant),
                "rsvp_status_label": participant.get_rsvp_status_display(),
                "selected_items": [item.title for item in participant.items.all()],
                "feedback": _feedback(participant),
            }
            for participant in participations
        ],
        "follow_up_actions": [
            _record(action) for action in FollowUpAction.objects.filter(contact=person)
        ],
        "messages": [_record(message) for message in messages],
        "matchmaking": _matchmaking(ids),
        "audit_entries": [
            {
                "at": entry.at,
                "action": entry.action,
                "actor": entry.actor,
                "mission_id": entry.mission_id,
                "description": entry.description,
            }
            for entry in entries
        ],
        "history": {
            "person": _history(Person.history.filter(id=person.pk).order_by("history_date")),
            "participations": _history(
                Participant.history.filter(id__in=ids).order_by("history_date")
            ),
            "matchmaking_profiles": _history(
                Profile.history.filter(participant_id__in=ids).order_by("history_date")
            ),
            "meeting_requests": _history(
                MeetingRequest.history.filter(_either_side(ids)).order_by("history_date")
            ),
        },
    }


def _either_side(ids: list[int]) -> Q:
    """The meeting requests of the participations, as rows or their history: those they
    made and those made to them."""
    return Q(requester_id__in=ids) | Q(recipient_id__in=ids)


def _matchmaking(ids: list[int]) -> dict:
    """The participations' matchmaking: profiles, requests made and received, the times
    they said they cannot meet, their meetings."""
    profiles = Profile.objects.filter(participant_id__in=ids).prefetch_related("sectors")
    requests = MeetingRequest.objects.filter(_either_side(ids))
    return {
        "profiles": [
            {**_record(profile), "sectors": [sector.name for sector in profile.sectors.all()]}
            for profile in profiles.order_by("pk")
        ],
        "meeting_requests": [_record(request) for request in requests.order_by("pk")],
        "unavailabilities": [
            _record(unavailability)
            for unavailability in Unavailability.objects.filter(participant_id__in=ids)
        ],
        "meetings": [
            _record(meeting)
            for meeting in Meeting.objects.filter(request__in=requests).order_by("starts_at")
        ],
    }


def _matchmaking_history_delete(*, participant_ids: list[int], request_ids: list[int]) -> None:
    """The history of the participants' matchmaking: profiles, requests, unavailability,
    meetings."""
    Profile.history.filter(participant_id__in=participant_ids).delete()
    Unavailability.history.filter(participant_id__in=participant_ids).delete()
    MeetingRequest.history.filter(id__in=request_ids).delete()
    Meeting.history.filter(request_id__in=request_ids).delete()


def _feedback(participant: Participant) -> dict | None:
    try:
        feedback = participant.feedback
    except Feedback.DoesNotExist:
        return None
    return {
        **_record(feedback),
        "item_ratings": [
            {**_record(rating), "item_title": rating.item.title}
            for rating in feedback.item_ratings.all()
        ],
    }


def person_export_json(*, person: Person) -> bytes:
    """`person_export` as UTF-8 JSON, and an entry of the audit log (a download of
    personal data, visible to the administrators of the person's organisation)."""
    document = person_export(person=person)
    audit_record(
        action=AuditAction.PERSON_EXPORTED,
        person=person,
        organisation=person.organisation,
        description="personal-data.json",
    )
    return json.dumps(document, cls=_Encoder, ensure_ascii=False, indent=2).encode()


# ERASURE ----------------------------------------------------------------------------------


def _ids(queryset) -> list[int]:
    return list(queryset.values_list("pk", flat=True))


def _admin_log_scrub(
    objects: dict[type[models.Model], list[int]], mentions: tuple[str, ...] = ()
) -> None:
    """The admin's log keeps each changed object's name (a participant's is the person's,
    a message's its address): those of these rows, and any naming `mentions`, go."""
    condition = Q(pk__in=[])
    for model, ids in objects.items():
        if ids:
            condition |= Q(
                content_type=ContentType.objects.get_for_model(model),
                object_id__in=[str(pk) for pk in ids],
            )
    for text in mentions:
        if text:
            condition |= Q(object_repr__icontains=text) | Q(change_message__icontains=text)
    LogEntry.objects.filter(condition).update(object_repr="", change_message="")


@transaction.atomic
def person_erase(*, person: Person) -> None:
    """Erase the person everywhere: the directory record and its history, every
    participation with its feedback (and its ratings of items), history and kept page, the
    outbox rows to their participations or their address, the kept pages and booklet
    archives of their missions (which may show their name), and their names in the
    admin's log. The audit log keeps that a person was erased, by whom, without their
    name; its entries about them lose the link to them.
    """
    person_id, organisation = person.pk, person.organisation
    participations = list(Participant.objects.filter(person=person).values_list("pk", "mission_id"))
    ids = [pk for pk, _mission in participations]
    mission_ids = sorted({mission for _pk, mission in participations})
    messages = OutgoingMessage.objects.filter(
        Q(participant_id__in=ids) | Q(recipient_email__iexact=person.email)
    )
    logged = {
        Person: [person_id],
        Participant: ids,
        Feedback: _ids(Feedback.objects.filter(participant_id__in=ids)),
        OutgoingMessage: _ids(messages),
    }
    requests = _ids(MeetingRequest.objects.filter(_either_side(ids)))
    messages.delete()
    # Other delegates' kept pages may list the person among who else is coming.
    DelegatePage.objects.filter(participant__mission_id__in=mission_ids).delete()
    archives_discard(mission_ids=mission_ids)
    for participant in Participant.objects.filter(pk__in=ids):
        participant.delete()  # with its feedback, page and messages; history writes a row
    person.delete()
    # After the deletes, which simple-history records as rows of their own.
    Participant.history.filter(id__in=ids).delete()
    Person.history.filter(id=person_id).delete()
    _matchmaking_history_delete(participant_ids=ids, request_ids=requests)
    _admin_log_scrub(logged, mentions=(person.full_name, person.email))
    audit_record(
        action=AuditAction.PERSON_ERASED,
        organisation=organisation,
        description=f"person {person_id}, {len(ids)} participations",
    )


# RETENTION --------------------------------------------------------------------------------


def _anonymised_email():
    """An expression: `anonymised-<id>@anonymised.invalid`, unique per row."""
    return Concat(
        Value("anonymised-"), Cast("pk", models.CharField()), Value(f"@{ANONYMISED_DOMAIN}")
    )


def _cleared(model: type[models.Model]) -> dict:
    """The `update()` that clears the model's fields of MISSION_PERSONAL_FIELDS."""
    values = {}
    for name in MISSION_PERSONAL_FIELDS[model]:
        field = model._meta.get_field(name)
        if field.null:
            values[name] = None
        elif isinstance(field, models.EmailField):
            values[name] = _anonymised_email()
        elif isinstance(field, models.JSONField):
            values[name] = field.get_default()
        else:
            values[name] = ""
    return values


@transaction.atomic
def mission_anonymise(*, mission: Mission, now: dt.datetime | None = None) -> bool:
    """Anonymise the mission's personal data; False if it already was (idempotent).

    Each participant points at a placeholder person of its own (ANONYMISED_NAME, an
    address at ANONYMISED_DOMAIN, no organisation) and loses the fields of
    MISSION_PERSONAL_FIELDS, its personal link included; feedback keeps its ratings (of the
    mission and of its items), outbox rows their kind and state; the participants' history
    is purged, their kept pages and the booklet archives deleted. What reports count
    stays: participants by role and answer, items, ratings, messages by state.
    """
    now = now or timezone.now()
    mission = Mission.objects.select_for_update().get(pk=mission.pk)
    if mission.personal_data_anonymised_at is not None:
        return False
    participants = list(mission.participants.order_by("pk"))
    placeholders = Person.objects.bulk_create(
        [
            Person(full_name=ANONYMISED_NAME, email=f"{uuid.uuid4().hex}@{ANONYMISED_DOMAIN}")
            for _participant in participants
        ]
    )
    for participant, placeholder in zip(participants, placeholders, strict=True):
        participant.person = placeholder
    Participant.objects.bulk_update(participants, ["person"], batch_size=500)
    ids = [participant.pk for participant in participants]
    Participant.objects.filter(pk__in=ids).update(**_cleared(Participant), updated_at=now)
    Feedback.objects.filter(participant_id__in=ids).update(**_cleared(Feedback), updated_at=now)
    messages = OutgoingMessage.objects.filter(Q(mission=mission) | Q(participant_id__in=ids))
    messages.update(**_cleared(OutgoingMessage))
    Profile.objects.filter(participant_id__in=ids).update(**_cleared(Profile), updated_at=now)
    requests = MeetingRequest.objects.filter(mission=mission)
    requests.update(**_cleared(MeetingRequest), updated_at=now)
    Participant.history.filter(mission_id=mission.pk).delete()
    _matchmaking_history_delete(participant_ids=ids, request_ids=_ids(requests))
    DelegatePage.objects.filter(participant_id__in=ids).delete()
    archives_discard(mission_ids=[mission.pk])
    _admin_log_scrub(
        {
            Participant: ids,
            Feedback: _ids(Feedback.objects.filter(participant_id__in=ids)),
            OutgoingMessage: _ids(messages),
        }
    )
    AuditEntry.objects.filter(participant_id__in=ids).update(person=None)
    Mission.objects.filter(pk=mission.pk).update(personal_data_anonymised_at=now)
    audit_record(
        action=AuditAction.MISSION_ANONYMISED,
        mission=mission,
        description=f"{len(ids)} participants",
    )
    return True


def retention_cutoff(*, today: dt.date | None = None) -> dt.date:
    """Missions that ended before this day are past their retention."""
    today = today or timezone.localdate()
    return today - dt.timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)


def missions_past_retention(*, today: dt.date | None = None):
    """The missions past retention whose personal data are not anonymised yet."""
    return Mission.objects.filter(
        end_date__lt=retention_cutoff(today=today), personal_data_anonymised_at__isnull=True
    ).order_by("end_date", "pk")


def missions_anonymise_expired(*, today: dt.date | None = None) -> int:
    """Periodic: anonymise every mission past retention, each in its own transaction;
    returns how many. Running it again finds nothing left to do."""
    done = 0
    for pk in list(missions_past_retention(today=today).values_list("pk", flat=True)):
        done += mission_anonymise(mission=Mission(pk=pk))
    if done:
        logger.info("Anonymised the personal data of %d missions past retention", done)
    return done
