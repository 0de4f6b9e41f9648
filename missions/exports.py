"""CSV exports of a mission's participants, for Excel and for the people who host them.

Every export is UTF-8 with a byte-order mark, so that Excel shows umlauts correctly,
separated as Excel expects in the reader's language (semicolons where the decimal
separator is a comma, as in German; commas otherwise), and every cell that a
spreadsheet would read as a formula (starting with =, +, -, @, a tab or a carriage
return) gets a leading apostrophe: a participant named "=HYPERLINK(...)" stays text.
Each export runs a fixed number of queries whatever the mission's size.

Who attends what is `missions.attendance.attends`, over the participants who have not
declined or withdrawn; cancelled items are left out.
"""

import csv
from collections.abc import Iterable
from typing import IO

from django.utils.formats import get_format
from django.utils.translation import gettext as _

from missions.attendance import attends, chosen_items
from missions.display import format_local
from missions.enums import RsvpStatus
from missions.models import ItineraryItem, Mission

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The value as text that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def delimiter() -> str:
    """The list separator of the active language's spreadsheets: `;` where `,` is decimal."""
    return ";" if get_format("DECIMAL_SEPARATOR") == "," else ","


def write_csv(out: IO[str], header: Iterable[str], rows: Iterable[Iterable[object]]) -> None:
    out.write(BOM)
    writer = csv.writer(out, delimiter=delimiter())
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])


def _participants(mission: Mission):
    return mission.participants.select_related("person", "person__organisation").order_by(
        "person__full_name", "pk"
    )


def _local(moment, mission: Mission) -> str:
    return format_local(moment, mission.time_zone) if moment else ""


def participant_list(out: IO[str], mission: Mission) -> None:
    """Everyone on the mission, by name, with contact, role, answer, travel and needs."""
    header = [
        _("Name"),
        _("E-mail"),
        _("Phone"),
        _("Organisation"),
        _("Job title"),
        _("Role"),
        _("RSVP"),
        _("Language"),
        _("Arrival"),
        _("Arrives by"),
        _("Departure"),
        _("Departs by"),
        _("Dietary requirements"),
        _("Accessibility needs"),
        _("Notes"),
    ]
    rows = (
        [
            p.person.full_name,
            p.person.email,
            p.phone,
            p.person.organisation or "",
            p.person.job_title,
            p.get_role_display(),
            p.get_rsvp_status_display(),
            p.person.get_preferred_language_display(),
            _local(p.arrival_at, mission),
            p.arrival_details,
            _local(p.departure_at, mission),
            p.departure_details,
            p.dietary_requirements,
            p.accessibility_needs,
            p.notes,
        ]
        for p in _participants(mission)
    )
    write_csv(out, header, rows)


def _items(mission: Mission) -> list[ItineraryItem]:
    return list(
        mission.items.filter(is_cancelled=False).select_related("venue").order_by("starts_at", "pk")
    )


def _item_label(item: ItineraryItem) -> str:
    return f"{format_local(item.starts_at, item.time_zone)} {item.title}"


def dietary_list(out: IO[str], mission: Mission) -> None:
    """People with dietary or accessibility needs who have not declined, with their items."""
    items = _items(mission)
    for item in items:
        item.mission = mission  # the zone of an item without a venue, without a query
    participants = list(
        _participants(mission)
        .exclude(rsvp_status__in=RsvpStatus.NOT_COMING)
        .exclude(dietary_requirements="", accessibility_needs="")
    )
    chosen = chosen_items(p.pk for p in participants)
    header = [
        _("Name"),
        _("Organisation"),
        _("Role"),
        _("Dietary requirements"),
        _("Accessibility needs"),
        _("Items attended"),
    ]
    rows = []
    for p in participants:
        attended = [item for item in items if attends(item.audience, item.pk, chosen[p.pk])]
        rows.append(
            [
                p.person.full_name,
                p.person.organisation or "",
                p.get_role_display(),
                p.dietary_requirements,
                p.accessibility_needs,
                "; ".join(_item_label(item) for item in attended),
            ]
        )
    write_csv(out, header, rows)


def attendance_list(out: IO[str], mission: Mission) -> None:
    """One row per item, by time: local start with zone, title, venue, then the attendees."""
    items = _items(mission)
    for item in items:
        item.mission = mission
    attending = list(_participants(mission).exclude(rsvp_status__in=RsvpStatus.NOT_COMING))
    chosen = chosen_items(p.pk for p in attending)
    header = [_("Starts"), _("Title"), _("Venue"), _("Attendees")]
    rows = (
        [
            format_local(item.starts_at, item.time_zone),
            item.title,
            item.venue or "",
            *(
                p.person.full_name
                for p in attending
                if attends(item.audience, item.pk, chosen[p.pk])
            ),
        ]
        for item in items
    )
    write_csv(out, header, rows)
