"""iCalendar (.ics) files of a participant's programme.

Each item is a VEVENT in its own zone (the venue's, else the mission's): DTSTART and
DTEND carry the IANA TZID (`Europe/London`, never `GMT`) and the calendar carries a
VTIMEZONE for each zone used, so a calendar that does not know the zone still places
the item at the right moment, on both sides of a change of the clocks. UIDs are
stable (`item-<pk>@<OUTBOX_MESSAGE_ID_DOMAIN>`) and SEQUENCE grows with every saved
change, so importing a newer file updates the events instead of duplicating them.

The same file serves the invitation's attachment, the delegate's download and their
subscription feed (`portal.views.calendar`); only the attachment links each event to the
personal link: the files from the portal end up in calendars that are shared, and
carry no link that can answer or change anything. Without a METHOD, DTSTAMP is
when the item was last revised (RFC 5545, 3.8.7.2), so two fetches of an unchanged
programme give the same events. The participant's final B2B meetings are events too, each
with the meeting's own UID (`meeting-<uuid>@<domain>`), which stays while it moves.
Reads: one query for the items and one for the meetings, whatever their number.
"""

import datetime as dt
from collections.abc import Iterable

import icalendar
from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from matchmaking.models import Meeting
from matchmaking.selectors import meetings_of
from missions.display import clean_header_text, item_place
from missions.enums import MissionStatus, RsvpStatus
from missions.models import ItineraryItem, Participant
from missions.selectors import participant_items
from missions.tokens import personal_url

PRODID = "-//Itinera//Delegation and trade-mission planner//EN"
# VTIMEZONE definitions cover the mission and this margin around it.
ZONE_MARGIN = dt.timedelta(days=31)
# How often a subscribed calendar should fetch the feed again (RFC 7986, and the
# property Outlook reads).
REFRESH_INTERVAL = dt.timedelta(hours=1)
ALARM_BEFORE = dt.timedelta(hours=1)


def item_uid(item: ItineraryItem) -> str:
    return f"item-{item.pk}@{settings.OUTBOX_MESSAGE_ID_DOMAIN}"


def meeting_uid(meeting: Meeting) -> str:
    """The meeting's own UID, kept while it moves: `meeting-<uuid>@<domain>`."""
    return f"meeting-{meeting.uid}@{settings.OUTBOX_MESSAGE_ID_DOMAIN}"


def _final_meetings(participant: Participant) -> QuerySet[Meeting]:
    """The participant's final B2B meetings with what their events say; one query."""
    return with_revisions(meetings_of(participant, final_only=True))


def _meeting_event(
    meeting: Meeting, participant: Participant, *, cancelled: bool, alarm: bool
) -> icalendar.Event:
    request = meeting.request
    other = request.other_than(participant)
    name = other.person.full_name
    if other.person.organisation_id:
        name = f"{name}, {other.person.organisation.name}"
    item = meeting.block.item
    zone = item.time_zone
    event = icalendar.Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", meeting.updated_at)
    event.add("created", meeting.created_at)
    event.add("last-modified", meeting.updated_at)
    event.add("sequence", max(meeting.revisions - 1, 0))
    event.add("summary", _("Meeting: %(name)s") % {"name": name})
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    place = item_place(item)
    location = f"{meeting.table}, {place}" if place else str(meeting.table)
    event.add("location", location)
    event.add("description", f"{item.title}, {meeting.table}")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if alarm and not cancelled:
        reminder = icalendar.Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("trigger", -ALARM_BEFORE)
        reminder.add("description", name)
        event.add_component(reminder)
    return event


def with_revisions(rows: QuerySet) -> QuerySet:
    """Annotate `revisions`: how many times each item or meeting was saved (its history
    rows), which its event's SEQUENCE counts."""
    history = rows.model.history.model.objects.filter(id=OuterRef("pk"))
    counted = history.order_by().values("id").annotate(count=Count("history_id")).values("count")
    return rows.annotate(
        revisions=Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
    )


def _description(item: ItineraryItem, link: str | None) -> str:
    lines = [item.description] if item.description else []
    if item.host_id:
        lines.append(_("Host: %(host)s") % {"host": item.host.name})
    if item.meeting_point:
        lines.append(_("Meeting point: %(place)s") % {"place": item.meeting_point})
    if item.online_link:
        lines.append(_("Online: %(link)s") % {"link": item.online_link})
    if link:
        lines.append(_("Your programme and your answer: %(link)s") % {"link": link})
    return "\n\n".join(lines)


def _alarm(item: ItineraryItem) -> icalendar.Alarm:
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", -ALARM_BEFORE)
    alarm.add("description", item.title)
    return alarm


def _event(
    item: ItineraryItem, *, link: str | None, cancelled: bool, alarm: bool
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", item_uid(item))
    event.add("dtstamp", item.updated_at)
    event.add("created", item.created_at)
    event.add("last-modified", item.updated_at)
    event.add("sequence", max(item.revisions - 1, 0))  # the first save is the creation
    event.add("summary", item.title)
    event.add("dtstart", item.local_starts_at)
    event.add("dtend", item.local_ends_at)
    place = item_place(item)
    if place:
        event.add("location", place)
    if item.venue_id and item.venue.latitude is not None:
        event.add("geo", (float(item.venue.latitude), float(item.venue.longitude)))
    event.add("description", _description(item, link))
    if link:
        event.add("url", link)
    event.add("categories", [str(item.get_kind_display())])
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if alarm and not cancelled:  # no reminder of something that will not happen
        event.add_component(_alarm(item))
    return event


def participant_calendar(
    participant: Participant,
    *,
    include_cancelled: bool = False,
    items: Iterable[ItineraryItem] | None = None,
    alarm: bool = False,
    feed: bool = False,
    link_to: str | None = "delegate:page",
) -> bytes:
    """The items the participant attends as an iCalendar file.

    Cancelled items are left out unless `include_cancelled`, when they are kept with
    STATUS:CANCELLED so that a subscribed calendar removes them; when the mission is
    cancelled, or the participant declined or was withdrawn, every item is. A caller
    that has already fetched the items passes them (through `with_revisions`) as
    `items`. `alarm` adds a reminder an hour before each item that takes place; `feed`
    tells subscribed calendars how often to fetch it again; each event links to the
    participant's page `link_to` (a URL name under the personal link), or to nothing.
    Without `items`, the participant's final B2B meetings are events too.
    """
    mission = participant.mission
    link = personal_url(participant, link_to) if link_to else None
    # Someone who is not coming keeps no live event: every item is cancelled for them.
    everything_off = (
        mission.status == MissionStatus.CANCELLED
        or participant.rsvp_status in RsvpStatus.NOT_COMING
    )
    # The participant's own meetings only in their own file: a caller passing `items`
    # (the invitation's attachment) builds one file for a group of participants.
    own_meetings = items is None
    if items is None:
        items = with_revisions(participant_items(participant, include_cancelled=include_cancelled))
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    title = clean_header_text(mission.title)  # a property value of one line
    calendar.add("name", title)
    calendar.add("x-wr-calname", title)
    if feed:
        calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", icalendar.vDuration(REFRESH_INTERVAL))
    for item in items:
        cancelled = everything_off or item.is_cancelled
        calendar.add_component(_event(item, link=link, cancelled=cancelled, alarm=alarm))
    for meeting in _final_meetings(participant) if own_meetings else ():
        calendar.add_component(
            _meeting_event(meeting, participant, cancelled=everything_off, alarm=alarm)
        )
    calendar.add_missing_timezones(
        first_date=mission.start_date - ZONE_MARGIN, last_date=mission.end_date + ZONE_MARGIN
    )
    return calendar.to_ical()
