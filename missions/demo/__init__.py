"""Load the demo missions (`manage.py load_demo`); the data itself is in `data.py`."""

import datetime as dt
import zoneinfo
from collections import Counter
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models.functions import Lower

from missions.demo.data import JAPAN_TRAVEL, MISSIONS, ORGANISATIONS, PEOPLE, SECTORS, VENUES
from missions.enums import Audience
from missions.models import ItineraryItem, Mission, Participant
from organisations.models import Organisation, Person, Sector, Venue

__all__ = ["load_demo"]


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


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Create or bring up to date the demo missions and everything they refer to.

    Idempotent: rows are found by natural key (Sector.slug, Organisation name regardless
    of case and city, Venue name and city, Person e-mail regardless of case, Mission
    slug, ItineraryItem mission and title, Participant mission and person), validated
    with `full_clean()` and saved only when a field differs; many-to-many links are
    `.set()`. Rows that are not demo data are never changed. Returns the number of demo
    rows of each kind, and how many rows this run created or updated.
    """
    tally: Counter = Counter()
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
    found_missions = Mission.objects.in_bulk([row["slug"] for row in MISSIONS], field_name="slug")
    found_items = {
        (item.mission_id, item.title): item
        for item in ItineraryItem.objects.filter(mission__in=found_missions.values())
    }
    found_participants = {
        (participant.mission_id, participant.person_id): participant
        for participant in Participant.objects.filter(mission__in=found_missions.values())
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

    item_count = participant_count = 0
    for row in MISSIONS:
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

        items = {}
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
            participant = _upsert(
                Participant,
                existing=found_participants.get((mission.pk, person.pk)),
                values={
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
            participant.items.set([items[title] for title in entry.get("items", [])])
        participant_count += len(row["participants"])

    return {
        "sectors": len(sectors),
        "organisations": len(organisations),
        "venues": len(venues),
        "people": len(people),
        "missions": len(MISSIONS),
        "items": item_count,
        "participants": participant_count,
        "created": tally["created"],
        "updated": tally["updated"],
    }
