"""Participants of a mission: adding people, changing their part, bulk import.

Writes live here; the reads that the participant pages and exports need are at the end
(`participants_of`, `people_matching`), each with a bounded number of
queries whatever the size of the mission.
"""

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from simple_history.utils import bulk_create_with_history

from missions.enums import Audience
from missions.imports import PARTICIPANT_COLUMNS, ImportRow, check_rows
from missions.models import ItineraryItem, Mission, Participant
from organisations.models import Organisation, Person
from organisations.selectors import people_browsable_by

# WRITES --------------------------------------------------------------------------


def person_by_email(email: str) -> Person | None:
    """The directory's person with this e-mail, whatever its case."""
    return (
        Person.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower=email.strip().lower())
        .first()
    )


@transaction.atomic
def participant_add(
    *,
    mission: Mission,
    role: str,
    person: Person | None = None,
    full_name: str = "",
    email: str = "",
    organisation: Organisation | None = None,
    job_title: str = "",
    preferred_language: str = "",
    phone: str = "",
    dietary_requirements: str = "",
    accessibility_needs: str = "",
) -> Participant:
    """Put a person on the mission with a role.

    Without `person`, the person is found by e-mail (any case) and reused as they are,
    or created from the other arguments: the directory never gets a second entry for
    one e-mail address. Phone and needs are what the person tells this mission: they
    go on the new participant, never into the directory, and start empty unless given
    (nothing is copied from the person's other missions). Raises ValidationError if the
    person already takes part.
    """
    if person is None:
        person = person_by_email(email)
    if person is None:
        person = Person(
            full_name=full_name,
            email=email.strip(),
            organisation=organisation,
            job_title=job_title,
        )
        if preferred_language:
            person.preferred_language = preferred_language
        person.full_clean()
        person.save()
    participant = Participant(
        mission=mission,
        person=person,
        role=role,
        phone=phone,
        dietary_requirements=dietary_requirements,
        accessibility_needs=accessibility_needs,
    )
    participant.full_clean()
    participant.save()
    return participant


@transaction.atomic
def participant_update(
    *,
    participant: Participant,
    role: str,
    rsvp_status: str,
    phone: str,
    dietary_requirements: str,
    accessibility_needs: str,
    arrival_at: dt.datetime | None,
    arrival_details: str,
    departure_at: dt.datetime | None,
    departure_details: str,
    notes: str,
    selected_items: Iterable[ItineraryItem] | None = None,
) -> Participant:
    """Change a participant's part in the mission.

    `selected_items` are the items for selected participants that they attend; their
    links to any other item (e.g. one whose audience changed since) are left alone.
    """
    participant.role = role
    participant.rsvp_status = rsvp_status
    participant.phone = phone
    participant.dietary_requirements = dietary_requirements
    participant.accessibility_needs = accessibility_needs
    participant.arrival_at = arrival_at
    participant.arrival_details = arrival_details
    participant.departure_at = departure_at
    participant.departure_details = departure_details
    participant.notes = notes
    participant.full_clean()
    participant.save()
    if selected_items is not None:
        selectable = participant.mission.items.filter(audience=Audience.SELECTED)
        chosen = {item.pk for item in selected_items if item.mission_id == participant.mission_id}
        kept = participant.items.exclude(pk__in=selectable.values("pk")).values_list(
            "pk", flat=True
        )
        participant.items.set([*kept, *chosen])
    return participant


def participant_remove(*, participant: Participant) -> None:
    """Take the person off the mission; they stay in the directory."""
    participant.delete()


class ImportOutdated(Exception):
    """Rows that were ready on the preview are not any more; nothing was written."""

    def __init__(self, rows: list[ImportRow]) -> None:
        super().__init__("rows changed since the preview")
        self.rows = rows


@transaction.atomic
def participants_import(
    *, mission: Mission, rows: list[dict], imported_by: AbstractBaseUser | None
) -> list[Participant]:
    """Import the rows the user confirmed on the preview, all or nothing.

    The rows are checked again first: if one of them is no longer ready (someone added
    the person meanwhile, say), ImportOutdated carries the fresh check and nothing is
    written. Anything the database refuses while writing (IntegrityError) rolls back
    the whole import. People found by e-mail are reused; the others are created.
    """
    checked = check_rows(mission=mission, rows=rows)
    if not checked or any(row.errors for row in checked):
        raise ImportOutdated(checked)
    new_people = []
    for row in checked:
        if row.person is None:
            row.person = Person(
                full_name=row.value("full_name"),
                email=row.value("email"),
                organisation=row.organisation,
                job_title=row.value("job_title"),
                preferred_language=row.language,
            )
            # check_rows checked the e-mails against the directory in one query; the
            # database constraint still stops a person created meanwhile.
            row.person.full_clean(validate_unique=False, validate_constraints=False)
            new_people.append(row.person)
    bulk_create_with_history(new_people, Person, default_user=imported_by)
    participants = [
        Participant(
            mission=mission,
            person=row.person,
            role=row.role,
            **{column: row.value(column) for column in PARTICIPANT_COLUMNS},
        )
        for row in checked
    ]
    for participant in participants:
        participant.full_clean(validate_unique=False, validate_constraints=False)
    bulk_create_with_history(participants, Participant, default_user=imported_by)
    return participants


# READS ---------------------------------------------------------------------------


def participants_of(mission: Mission) -> QuerySet[Participant]:
    """The mission's participants with their person and organisation, by name."""
    return mission.participants.select_related("person", "person__organisation").order_by(
        "person__full_name", "pk"
    )


def people_matching(
    query: str, *, mission: Mission, user: AbstractBaseUser, limit: int = 20
) -> list[Person]:
    """At most `limit` people of the user's own organisations (`people_browsable_by`) whose
    name or e-mail contains the query, marked if already on the mission. Other
    organisations' people are not searched: they are added by exact e-mail address."""
    query = query.strip()
    if not query:
        return []
    return list(
        people_browsable_by(user)
        .filter(Q(full_name__icontains=query) | Q(email__icontains=query))
        .select_related("organisation")
        .annotate(
            on_mission=Exists(Participant.objects.filter(mission=mission, person=OuterRef("pk")))
        )
        .order_by("full_name", "pk")[:limit]
    )


def selectable_items(mission: Mission) -> QuerySet[ItineraryItem]:
    """Items for selected participants, which a participant can be put on one by one."""
    return (
        mission.items.filter(audience=Audience.SELECTED)
        .select_related("mission", "venue")
        .order_by("starts_at", "pk")
    )
