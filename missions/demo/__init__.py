"""Load the demo missions (`manage.py load_demo`): the five real ones in `data.py`, the
two that live relative to today in `living.py`. Their mail is `messaging.demo`'s."""

import datetime as dt
import zoneinfo
from collections import Counter
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from missions.demo.data import JAPAN_TRAVEL, MISSIONS, ORGANISATIONS, PEOPLE, SECTORS, VENUES
from missions.demo.living import ACTION_OWNER, UPCOMING, living_missions
from missions.enums import Audience
from missions.models import (
    Feedback,
    FollowUpAction,
    ItemRating,
    ItineraryItem,
    Mission,
    Participant,
)
from missions.tokens import personal_url
from organisations.enums import MembershipRole
from organisations.models import Membership, Organisation, Person, Sector, Venue

__all__ = ["DELEGATE_LINK_PEOPLE", "delegate_links", "load_demo"]


def _differs(obj: models.Model, name: str, value: Any) -> bool:
    field = obj._meta.get_field(name)
    if field.many_to_one:
        return getattr(obj, field.attname) != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def _upsert(
    model: type[models.Model],
    *,
    existing: models.Model | None,
    values: dict[str, Any],
    tally: Counter,
) -> Any:
    """update_or_create for a row already looked up: validate, save only what differs.

    Leaving an unchanged row alone keeps a second run from writing anything: no history
    rows, no new `updated_at`.
    """
    if existing is None:
        obj = model(**values)
        tally["created"] += 1
    else:
        obj = existing
        changed = [name for name, value in values.items() if _differs(obj, name, value)]
        if not changed:
            return obj
        for name in changed:
            setattr(obj, name, values[name])
        tally["updated"] += 1
    obj.full_clean()
    obj.save()
    return obj


def _at(naive: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> dt.datetime | None:
    return naive.replace(tzinfo=zone) if naive else None


def _action_owner(
    *, organisation: Organisation, person: Person, tally: Counter
) -> AbstractBaseUser:
    """The account that owns the demo's follow-up actions (`living.ACTION_OWNER`): a
    planner of `organisation` with no usable password, made once and then left alone."""
    User = get_user_model()
    user = User.objects.filter(username=ACTION_OWNER["username"]).first()
    if user is None:
        first_name, _, last_name = person.full_name.partition(" ")
        user = User(
            username=ACTION_OWNER["username"],
            email=person.email,
            first_name=first_name,
            last_name=last_name,
        )
        user.set_unusable_password()  # it owns actions; nobody signs in with it
        user.full_clean()
        user.save()
        tally["created"] += 1
    _, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": MembershipRole.PLANNER}
    )
    tally["created"] += created
    return user


@transaction.atomic
def load_demo(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Create or bring up to date the demo missions and everything they refer to.

    The five real missions keep their dates; the two living ones (`living.py`) are placed
    relative to `now` (default: now), each by today in its destination.

    Idempotent: rows are found by natural key (Sector.slug, Organisation name regardless
    of case and city, Venue name and city, Person e-mail regardless of case, Mission
    slug, ItineraryItem mission and title, Participant mission and person,
    FollowUpAction mission and what was agreed, Feedback participant, ItemRating feedback
    and item), validated with `full_clean()` and saved only when a field differs;
    many-to-many links are `.set()`.
    Run again the same day it writes nothing; on a later day it moves the living
    missions' dates, times and answers along, and creates nothing. Rows that are not
    demo data are never changed. Returns the number of demo rows of each kind, and how
    many rows this run created or updated.
    """
    tally: Counter = Counter()
    all_missions = [*MISSIONS, *living_missions(now=now or timezone.now())]
    # One read per model finds the rows that already exist, by natural key.
    found_sectors = Sector.objects.in_bulk([row["slug"] for row in SECTORS], field_name="slug")
    found_organisations = {
        (org.lower_name, org.city): org
        for org in Organisation.objects.annotate(lower_name=Lower("name")).filter(
            lower_name__in=[name.lower() for name, _ in (row["key"] for row in ORGANISATIONS)]
        )
    }
    found_venues = {
        (venue.name, venue.city): venue
        for venue in Venue.objects.filter(name__in=[name for name, _ in (r["key"] for r in VENUES)])
    }
    found_people = {
        person.lower_email: person
        for person in Person.objects.annotate(lower_email=Lower("email")).filter(
            lower_email__in=[row["email"].lower() for row in PEOPLE]
        )
    }
    found_missions = Mission.objects.in_bulk(
        [row["slug"] for row in all_missions], field_name="slug"
    )
    found_items = {
        (item.mission_id, item.title): item
        for item in ItineraryItem.objects.filter(mission__in=found_missions.values())
    }
    found_participants = {
        (participant.mission_id, participant.person_id): participant
        for participant in Participant.objects.filter(mission__in=found_missions.values())
    }
    found_actions = {
        (action.mission_id, action.agreed): action
        for action in FollowUpAction.objects.filter(mission__in=found_missions.values())
    }
    found_feedback = {
        feedback.participant_id: feedback
        for feedback in Feedback.objects.filter(participant__mission__in=found_missions.values())
    }
    found_item_ratings = {
        (rating.feedback_id, rating.item_id): rating
        for rating in ItemRating.objects.filter(
            feedback__participant__mission__in=found_missions.values()
        )
    }

    sectors = {}
    for row in SECTORS:
        sectors[row["slug"]] = _upsert(
            Sector, existing=found_sectors.get(row["slug"]), values=row, tally=tally
        )

    organisations = {}
    for row in ORGANISATIONS:
        name, city = row["key"]
        org = _upsert(
            Organisation,
            existing=found_organisations.get((name.lower(), city)),
            values={
                "name": name,
                "city": city,
                "short_name": row.get("short_name", ""),
                "kind": row["kind"],
                "country": row["country"],
                "website": row.get("website", ""),
                "description": row.get("description", ""),
                "parent": organisations[row["parent"]] if "parent" in row else None,
            },
            tally=tally,
        )
        org.sectors.set([sectors[slug] for slug in row.get("sectors", [])])
        organisations[row["key"]] = org

    venues = {}
    for row in VENUES:
        name, city = row["key"]
        venues[row["key"]] = _upsert(
            Venue,
            existing=found_venues.get(row["key"]),
            values={
                "name": name,
                "city": city,
                "organisation": organisations.get(row.get("organisation")),
                "address": row["address"],
                "country": row["country"],
                "latitude": Decimal(row["lat"]),
                "longitude": Decimal(row["lng"]),
                "time_zone": zoneinfo.ZoneInfo(row["tz"]),
                "capacity": row.get("capacity"),
                "notes": row.get("notes", ""),
            },
            tally=tally,
        )

    people = {}
    needs = {
        row["name"]: {"diet": row.get("diet", ""), "access": row.get("access", "")}
        for row in PEOPLE
    }
    for row in PEOPLE:
        people[row["name"]] = _upsert(
            Person,
            existing=found_people.get(row["email"].lower()),
            values={
                "full_name": row["name"],
                "email": row["email"],
                "organisation": organisations.get(row["org"]),
                "job_title": row["job"],
                "preferred_language": row["lang"],
                "time_zone": zoneinfo.ZoneInfo(row["tz"]),
            },
            tally=tally,
        )

    owner = None
    item_count = participant_count = action_count = feedback_count = item_rating_count = 0
    for row in all_missions:
        zone = zoneinfo.ZoneInfo(row["tz"])
        mission = _upsert(
            Mission,
            existing=found_missions.get(row["slug"]),
            values={
                "slug": row["slug"],
                "title": row["title"],
                "kind": row["kind"],
                "status": row["status"],
                "destination_city": row["city"],
                "destination_country": row["country"],
                "time_zone": zone,
                "start_date": row["start"],
                "end_date": row["end"],
                "lead_organisation": organisations[row["lead"]],
                "objectives": row["objectives"],
                "description": row["description"],
                "rsvp_deadline": row.get("rsvp_deadline"),
            },
            tally=tally,
        )
        mission.organisers.set([organisations[key] for key in row["organisers"]])
        mission.partners.set([organisations[key] for key in row["partners"]])
        mission.sectors.set([sectors[slug] for slug in row["sectors"]])

        items, participants = {}, {}
        for item in row["items"]:
            venue = venues.get(item.get("venue"))
            local = venue.time_zone if venue else zone
            items[item["title"]] = _upsert(
                ItineraryItem,
                existing=found_items.get((mission.pk, item["title"])),
                values={
                    "mission": mission,
                    "title": item["title"],
                    "kind": item["kind"],
                    "description": item.get("description", ""),
                    "starts_at": _at(item["starts"], local),
                    "ends_at": _at(item["ends"], local),
                    "venue": venue,
                    "host": organisations.get(item.get("host")),
                    "meeting_point": item.get("meeting_point", ""),
                    "online_link": item.get("online_link", ""),
                    "audience": item.get("audience", Audience.WHOLE_DELEGATION),
                    "capacity": item.get("capacity"),
                },
                tally=tally,
            )
        item_count += len(items)

        for entry in row["participants"]:
            person = people[entry["person"]]
            travel = JAPAN_TRAVEL if entry.get("travel") else {}
            # When a living mission's participant answered moves with the mission.
            answered = {"answered_at": _at(entry["answered"], zone)} if "answered" in entry else {}
            participants[entry["person"]] = _upsert(
                Participant,
                existing=found_participants.get((mission.pk, person.pk)),
                values={
                    **answered,
                    "mission": mission,
                    "person": person,
                    "role": entry["role"],
                    "rsvp_status": entry["rsvp"],
                    # what the person told this mission (the same for every mission here)
                    "dietary_requirements": needs[entry["person"]]["diet"],
                    "accessibility_needs": needs[entry["person"]]["access"],
                    "arrival_at": _at(travel.get("arrival_at"), zone),
                    "arrival_details": travel.get("arrival_details", ""),
                    "departure_at": _at(travel.get("departure_at"), zone),
                    "departure_details": travel.get("departure_details", ""),
                    "notes": entry.get("notes", ""),
                },
                tally=tally,
            )
            participants[entry["person"]].items.set(
                [items[title] for title in entry.get("items", [])]
            )
        participant_count += len(row["participants"])

        for action in row.get("actions", []):
            if owner is None:
                owner = _action_owner(
                    organisation=organisations[ACTION_OWNER["organisation"]],
                    person=people[ACTION_OWNER["person"]],
                    tally=tally,
                )
            _upsert(
                FollowUpAction,
                existing=found_actions.get((mission.pk, action["agreed"])),
                values={
                    "mission": mission,
                    "organisation": organisations[action["organisation"]],
                    "contact": people.get(action["contact"]),
                    "agreed": action["agreed"],
                    "owner": owner,
                    "due_date": action["due"],
                    "status": action["status"],
                },
                tally=tally,
            )
        action_count += len(row.get("actions", []))

        for given in row.get("feedback", []):
            participant = participants[given["person"]]
            feedback = _upsert(
                Feedback,
                existing=found_feedback.get(participant.pk),
                values={
                    "participant": participant,
                    "rating": given["rating"],
                    "comment": given["comment"],
                },
                tally=tally,
            )
            for title, rating in given.get("items", {}).items():
                _upsert(
                    ItemRating,
                    existing=found_item_ratings.get((feedback.pk, items[title].pk)),
                    values={"feedback": feedback, "item": items[title], "rating": rating},
                    tally=tally,
                )
            item_rating_count += len(given.get("items", {}))
        feedback_count += len(row.get("feedback", []))

    return {
        "sectors": len(sectors),
        "organisations": len(organisations),
        "venues": len(venues),
        "people": len(people),
        "missions": len(all_missions),
        "items": item_count,
        "participants": participant_count,
        "actions": action_count,
        "feedback": feedback_count,
        "item_ratings": item_rating_count,
        "created": tally["created"],
        "updated": tally["updated"],
    }


# Whose personal links `load_demo --delegate-links` prints: two delegates of the upcoming
# mission, one who accepted and one who has not answered yet.
DELEGATE_LINK_PEOPLE = ("Lena Vogt", "David Nguyen")


def delegate_links() -> list[tuple[Participant, str]]:
    """The delegate pages of `DELEGATE_LINK_PEOPLE` on the upcoming mission, with their
    personal links (secrets: whoever has one opens the page). Their current links: the
    ones the demo's invitations carry (`messaging.demo`), issued if they have none."""
    participants = (
        Participant.objects.filter(
            mission__slug=UPCOMING, person__full_name__in=DELEGATE_LINK_PEOPLE
        )
        .select_related("mission", "person")
        .order_by("person__full_name")
    )
    return [
        (participant, personal_url(participant, "delegate:page")) for participant in participants
    ]
