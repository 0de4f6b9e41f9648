"""What a delegate sees on their own page, `/d/<token>/`: one read, a fixed number of queries.

`delegate_itinerary(participant, now=...)` gathers everything the page shows: the
participant's items day by day in each item's local time (with the person's home time
alongside when the clocks there read differently), what changed since the previous
visit, the item to go to next while the mission is under way, the organisers with their
contacts, and the other delegates who agreed to be listed.

The page must be fast on a slow phone and cheap to serve, whatever the size of the
mission. So this reads plain values (no model instances for 60 items and 300 people)
and hands the template finished text: times are formatted here in the active language
(the template language would also turn every datetime back into the active zone, the
mission's, losing the home time), labels are translated once per page, not per row.

Queries: the participant's items with venue and host (1), the mission's organising
organisations (1), its organisers and listed delegates with their organisations (1),
whether it has B2B meetings (1, the page then links them) and, if so, the
participant's meetings (1), whatever the number of items or participants. The meetings
page (`meetings_page`, `/d/<token>/meetings/`: profile, requests, forms) is read at the
end of this module; it is rendered per request, never kept.
"""

import datetime as dt
import itertools
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.db import connection
from django.db.models import Case, CharField, Q, Value, When
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext

from matchmaking.enums import MeetingState, RequestStatus, SlotPicking
from matchmaking.models import MatchmakingSettings, Meeting, MeetingRequest, Profile
from matchmaking.selectors import (
    blocks_of,
    meetings_of_participants,
    profile_of,
    profiles_visible_to,
    requests_made,
    requests_received,
    schedule_problem,
    slot_value,
)
from missions.display import (
    day_span,
    home_time,
    long_date,
    map_url,
    mission_dates,
    time_span,
    time_span_with_zone,
    venue_place,
    zone_names,
)
from missions.enums import ItemKind, MissionStatus, ParticipantRole, RsvpStatus
from missions.languages import language_for_values
from missions.models import ItineraryItem, Mission, Participant
from missions.selectors import participant_items
from missions.tokens import link_expired, token_hash
from organisations.enums import OrganisationKind
from organisations.models import Organisation, Person, Venue
from portal.models import DelegatePage

ITEM_FIELDS = (
    "pk",
    "kind",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "is_cancelled",
    "meeting_point",
    "online_link",
    "venue_id",
    "venue__name",
    "venue__address",
    "venue__city",
    "venue__latitude",
    "venue__longitude",
    "venue__time_zone",
    "host_id",
    "host__name",
    "host__kind",
    "host__city",
    "host__website",
    "host__description",
)


class Change:
    NEW = "new"
    CHANGED = "changed"


class Moment:
    NOW = "now"  # under way at this moment
    NEXT = "next"  # the next one to go to


@dataclass(frozen=True)
class Host:
    """A host organisation's short profile."""

    name: str
    kind: str
    city: str
    website: str
    summary: str  # the description's first 60 words


@dataclass(frozen=True)
class MapVenue:
    """A venue on the page's map (templates/_venue_map.html)."""

    name: str
    address: str
    city: str
    latitude: Decimal
    longitude: Decimal


@dataclass(frozen=True)
class PageItem:
    pk: int
    title: str
    kind: str  # the kind's label, translated
    description: str
    is_cancelled: bool
    starts: dt.datetime  # in the item's zone
    ends: dt.datetime
    time: str  # `19:00–21:00`, or across midnight `23:30 – Fri 14 Nov, 01:00`
    zone: str  # `JST`
    home_time: str  # `11:00–13:00 CET`, or "" when the clocks at home read the same
    change: str  # Change.NEW, Change.CHANGED or ""
    moment: str  # Moment.NOW, Moment.NEXT or ""
    venue: str  # the venue's name, or ""
    place: str  # `Suntory Hall, 1-13-1 Akasaka, Minato-ku, Tokyo`, or ""
    map_url: str
    meeting_point: str
    online_link: str
    host: Host | None
    map_venue: MapVenue | None = None  # its venue, when it has coordinates

    @property
    def anchor(self) -> str:
        return f"item-{self.pk}"

    @property
    def classes(self) -> str:
        """The CSS classes of the item on the page."""
        return " ".join(
            name
            for name, applies in (
                ("delegate-item", True),
                ("is-cancelled", self.is_cancelled),
                ("is-next", self.moment),
                ("is-changed", self.change),
            )
            if applies
        )


@dataclass(frozen=True)
class PageDay:
    day: dt.date
    label: str  # `Thursday, 13 November 2025`
    items: list[PageItem]


@dataclass(frozen=True)
class Contact:
    name: str
    organisation: str
    email: str
    phone: str

    @property
    def tel(self) -> str:
        """The phone number as a `tel:` link dials it: digits and a leading plus only."""
        digits = "".join(char for char in self.phone if char.isdigit())
        return ("+" if self.phone.strip().startswith("+") else "") + digits


@dataclass(frozen=True)
class DelegateItinerary:
    participant: Participant
    mission: Mission
    dates: str  # the mission's local dates, spelt out
    now: dt.datetime
    seen_before: dt.datetime | None  # the previous visit, from which changes are marked
    home_zone: zoneinfo.ZoneInfo | None
    under_way: bool
    days: list[PageDay]
    next_item: PageItem | None
    changes: list[PageItem]
    organisers: list[Organisation]
    contacts: list[Contact]  # the organisers' people to ask, with e-mail and phone
    others: list[str]  # other delegates coming who agreed to be listed: `Name, Organisation`
    matchmaking: bool = False  # the mission has B2B meetings: the page links them
    meetings: tuple = ()  # the participant's B2B meetings (`MeetingRow`s), in time order

    @property
    def items(self) -> list[PageItem]:
        return [row for day in self.days for row in day.items]

    @property
    def venues(self) -> list[MapVenue]:
        """The venues of the items still on, once each, for the map."""
        return list(
            dict.fromkeys(
                row.map_venue for row in self.items if row.map_venue and not row.is_cancelled
            )
        )

    @property
    def fresh_until(self) -> dt.datetime:
        """When the page would next read differently with no change to the data.

        The next start or end of an item that is not cancelled (the item to go to next
        moves on), or the next midnight that starts or ends the mission where it takes
        place (it is under way, then over).
        """
        zone = self.mission.time_zone
        midnights = (
            dt.datetime.combine(day, dt.time(), zone)
            for day in (self.mission.start_date, self.mission.end_date + dt.timedelta(days=1))
        )
        moments = [
            moment
            for row in self.items
            if not row.is_cancelled
            for moment in (row.starts, row.ends)
        ]
        later = [moment for moment in (*midnights, *moments) if moment > self.now]
        return min(later, default=self.now + dt.timedelta(days=1))

    @property
    def on_site_contact(self) -> Contact | None:
        """Whom to call about an item: the first organiser with a phone, else the first."""
        with_phone = [contact for contact in self.contacts if contact.phone]
        return (with_phone or self.contacts or [None])[0]


def _change(seen_before: dt.datetime | None) -> Case | Value:
    """What happened to an item since the previous visit, worked out by the database."""
    if seen_before is None:  # a first visit: everything is new, so nothing is marked
        return Value("")
    return Case(
        When(created_at__gt=seen_before, then=Value(Change.NEW)),
        When(updated_at__gt=seen_before, then=Value(Change.CHANGED)),
        default=Value(""),
        output_field=CharField(),
    )


def _next_item_pk(rows: list[dict], now: dt.datetime) -> int | None:
    """The item under way now, else the next one to start; cancelled items do not count."""
    for row in rows:
        if not row["is_cancelled"] and row["ends_at"] > now:
            return row["pk"]
    return None


def _page_items(
    participant: Participant, *, now: dt.datetime, under_way: bool, home: zoneinfo.ZoneInfo | None
) -> list[PageItem]:
    mission = participant.mission
    rows = list(
        participant_items(participant, include_cancelled=True)
        .annotate(change=_change(participant.page_seen_at))
        .values(*ITEM_FIELDS, "change")
    )
    next_pk = _next_item_pk(rows, now) if under_way else None
    kinds = {value: str(label) for value, label in ItemKind.choices}
    host_kinds = {value: str(label) for value, label in OrganisationKind.choices}
    hosts: dict[int, Host] = {}
    items = []
    for row in rows:
        zone = row["venue__time_zone"] if row["venue_id"] else mission.time_zone
        starts, ends = row["starts_at"].astimezone(zone), row["ends_at"].astimezone(zone)
        moment = ""
        if row["pk"] == next_pk:
            moment = Moment.NOW if row["starts_at"] <= now else Moment.NEXT
        host = None
        if row["host_id"]:
            host = hosts.get(row["host_id"])
            if host is None:
                host = hosts[row["host_id"]] = Host(
                    name=row["host__name"],
                    kind=host_kinds.get(row["host__kind"], ""),
                    city=row["host__city"],
                    website=row["host__website"],
                    summary=Truncator(row["host__description"]).words(60),
                )
        venue = bool(row["venue_id"])
        items.append(
            PageItem(
                pk=row["pk"],
                title=row["title"],
                kind=kinds.get(row["kind"], ""),
                description=row["description"],
                is_cancelled=row["is_cancelled"],
                starts=starts,
                ends=ends,
                time=time_span(starts, ends),
                zone=zone_names(starts, ends),
                home_time=home_time(starts, ends, home),
                change=row["change"],
                moment=moment,
                venue=row["venue__name"] if venue else "",
                place=venue_place(
                    name=row["venue__name"], address=row["venue__address"], city=row["venue__city"]
                )
                if venue
                else "",
                map_url=map_url(
                    latitude=row["venue__latitude"],
                    longitude=row["venue__longitude"],
                    address=row["venue__address"],
                    city=row["venue__city"],
                )
                if venue
                else "",
                meeting_point=row["meeting_point"],
                online_link=row["online_link"],
                host=host,
                map_venue=MapVenue(
                    name=row["venue__name"],
                    address=row["venue__address"],
                    city=row["venue__city"],
                    latitude=row["venue__latitude"],
                    longitude=row["venue__longitude"],
                )
                if venue and row["venue__latitude"] is not None
                else None,
            )
        )
    return items


def _people(participant: Participant) -> tuple[list[Contact], list[str]]:
    """The organisers' people to contact, and the other listed delegates who are coming."""
    rows = (
        Participant.objects.filter(mission_id=participant.mission_id)
        .filter(
            Q(role=ParticipantRole.ORGANISER) & ~Q(rsvp_status__in=RsvpStatus.NOT_COMING)
            | Q(listed=True, rsvp_status__in=RsvpStatus.COMING)
        )
        .order_by("person__full_name", "pk")
        .values_list(
            "pk",
            "role",
            "rsvp_status",
            "listed",
            "person__full_name",
            "person__email",
            "phone",
            "person__organisation__name",
        )
    )
    tentative = gettext("tentative")
    contacts, others = [], []
    for pk, role, status, listed, name, email, phone, organisation in rows:
        if role == ParticipantRole.ORGANISER and status not in RsvpStatus.NOT_COMING:
            contacts.append(
                Contact(name=name, organisation=organisation or "", email=email, phone=phone)
            )
        if listed and status in RsvpStatus.COMING and pk != participant.pk:
            line = f"{name}, {organisation}" if organisation else name
            others.append(f"{line} ({tentative})" if status == RsvpStatus.TENTATIVE else line)
    return contacts, others


def delegate_itinerary(
    participant: Participant, *, now: dt.datetime | None = None
) -> DelegateItinerary:
    """Everything the delegate's page shows, as of `now` (the current time by default).

    Expects the participant with its mission and person loaded (as
    `missions.tokens.participant_for_token` gives it). Reads only: remembering the
    visit is `portal.services.delegate.delegate_page_seen`, after this.
    """
    now = now or timezone.now()
    mission, home = participant.mission, participant.person.time_zone
    today = timezone.localtime(now, mission.time_zone).date()
    under_way = (
        mission.status != MissionStatus.CANCELLED
        and mission.start_date <= today <= mission.end_date
    )
    items = _page_items(participant, now=now, under_way=under_way, home=home)
    days = [
        PageDay(day=day, label=long_date(day), items=list(group))
        for day, group in itertools.groupby(items, key=lambda row: row.starts.date())
    ]
    contacts, others = _people(participant)
    matchmaking = MatchmakingSettings.objects.filter(mission_id=mission.pk).exists()
    return DelegateItinerary(
        participant=participant,
        mission=mission,
        dates=mission_dates(mission),
        now=now,
        seen_before=participant.page_seen_at,
        home_zone=home,
        under_way=under_way,
        days=days,
        next_item=next((row for row in items if row.moment), None),
        changes=[row for row in items if row.change],
        organisers=list(mission.organisers.all()),
        contacts=contacts,
        others=others,
        matchmaking=matchmaking,
        meetings=tuple(meeting_rows([participant.pk])[participant.pk]) if matchmaking else (),
    )


# The link's participant with what the page's language, zone and cache key need, the
# page as last rendered, and for each set of rows the page is made of, how many there
# are and their last change (`updated_at` is `auto_now`, so any save is the newest): a
# save shows in the maximum, an insert or a delete in the count, a venue or host deleted
# under an item (SET_NULL) in the count of those joined. People and their organisations
# count for the participants the page may name (organisers, and those who agreed to be
# listed): the others show on it only once their own row changed. Plain SQL that SQLite
# runs as well as PostgreSQL.
_VERSION_PARTS = (
    "link.page_seen_at",
    "link.language",
    "link.changed",
    "link.person_changed",
    "link.mission_changed",
    "items.items",
    "items.items_changed",
    "items.venues",
    "items.venues_changed",
    "items.hosts",
    "items.hosts_changed",
    "participants.participants",
    "participants.participants_changed",
    "people.people_changed",
    "people.employers",
    "people.employers_changed",
    "organisers.organisers",
    "organisers.organisers_changed",
    "organisers.chosen",
    "matchmaking.matchmaking",
    "meetings.meetings",
    "meetings.meetings_changed",
    "meetings.partners_changed",
    "meetings.partner_employers",
    "meetings.partner_employers_changed",
)
_LINK_SQL = """
WITH link AS (
  SELECT p.id, p.mission_id, p.page_seen_at, p.language, p.updated_at AS changed,
         pe.preferred_language, pe.updated_at AS person_changed,
         m.updated_at AS mission_changed, m.end_date, m.time_zone,
         dp.key AS stored_key, dp.gzipped AS stored_gzipped,
         dp.marks_changes AS stored_marks_changes, dp.fresh_until AS stored_fresh_until
    FROM {participant} p
    JOIN {person} pe ON pe.id = p.person_id
    JOIN {mission} m ON m.id = p.mission_id
    LEFT JOIN {page} dp ON dp.participant_id = p.id
   WHERE p.token_hash = %(hash)s AND p.token_nonce <> ''
)
SELECT link.id, link.page_seen_at, link.language, link.preferred_language, link.end_date,
       link.time_zone, link.stored_key, link.stored_gzipped, link.stored_marks_changes,
       link.stored_fresh_until, {version} AS version
  FROM link,
  (SELECT COUNT(*) AS items, MAX(i.updated_at) AS items_changed,
          COUNT(v.id) AS venues, MAX(v.updated_at) AS venues_changed,
          COUNT(h.id) AS hosts, MAX(h.updated_at) AS hosts_changed
     FROM {item} i
     LEFT JOIN {venue} v ON v.id = i.venue_id
     LEFT JOIN {organisation} h ON h.id = i.host_id
    WHERE i.mission_id = (SELECT mission_id FROM link)) items,
  (SELECT COUNT(*) AS participants, MAX(p.updated_at) AS participants_changed
     FROM {participant} p
    WHERE p.mission_id = (SELECT mission_id FROM link)) participants,
  (SELECT MAX(pe.updated_at) AS people_changed,
          COUNT(o.id) AS employers, MAX(o.updated_at) AS employers_changed
     FROM {participant} p
     JOIN {person} pe ON pe.id = p.person_id
     LEFT JOIN {organisation} o ON o.id = pe.organisation_id
    WHERE p.mission_id = (SELECT mission_id FROM link)
      AND (p.role = %(organiser)s OR p.listed)) people,
  (SELECT COUNT(*) AS organisers, MAX(o.updated_at) AS organisers_changed,
          (SELECT COUNT(*) FROM {chosen} c WHERE c.participant_id = (SELECT id FROM link))
          AS chosen
     FROM {organisers} mo
     JOIN {organisation} o ON o.id = mo.organisation_id
    WHERE mo.mission_id = (SELECT mission_id FROM link)) organisers,
  (SELECT COUNT(*) AS matchmaking
     FROM {matchmaking} s
    WHERE s.mission_id = (SELECT mission_id FROM link)) matchmaking,
  (SELECT COUNT(*) AS meetings, MAX(mt.updated_at) AS meetings_changed,
          MAX(pe.updated_at) AS partners_changed,
          COUNT(o.id) AS partner_employers, MAX(o.updated_at) AS partner_employers_changed
     FROM {meeting} mt
     JOIN {meeting_request} r ON r.id = mt.request_id
     JOIN {participant} p ON p.id IN (r.requester_id, r.recipient_id)
                         AND p.id <> (SELECT id FROM link)
     JOIN {person} pe ON pe.id = p.person_id
     LEFT JOIN {organisation} o ON o.id = pe.organisation_id
    WHERE (SELECT id FROM link) IN (r.requester_id, r.recipient_id)) meetings
"""


@cache
def _link_sql() -> str:
    # The version as one text, `value,value,...` ("-" for none), put together by the
    # database: one column to read instead of twenty timestamps to convert.
    version = " || ',' || ".join(f"COALESCE(CAST({part} AS TEXT), '-')" for part in _VERSION_PARTS)
    return _LINK_SQL.format(
        version=version,
        participant=Participant._meta.db_table,
        person=Person._meta.db_table,
        mission=Mission._meta.db_table,
        item=ItineraryItem._meta.db_table,
        venue=Venue._meta.db_table,
        organisation=Organisation._meta.db_table,
        chosen=Participant.items.through._meta.db_table,
        organisers=Mission.organisers.through._meta.db_table,
        page=DelegatePage._meta.db_table,
        matchmaking=MatchmakingSettings._meta.db_table,
        meeting=Meeting._meta.db_table,
        meeting_request=MeetingRequest._meta.db_table,
    )


@dataclass(frozen=True)
class StoredPage:
    """The participant's page as last rendered (`missions.models.DelegatePage`)."""

    key: str
    gzipped: bytes
    marks_changes: bool
    fresh_until: dt.datetime


@dataclass(frozen=True)
class DelegateLink:
    """A live personal link as the delegate's page needs it before it renders anything."""

    participant_id: int
    token_hash: str
    page_seen_at: dt.datetime | None
    language: str  # the page's language: the participant's choice, else their profile's
    time_zone: zoneinfo.ZoneInfo  # the mission's
    version: str  # changes whenever anything the page shows changes
    page: StoredPage | None  # as last rendered, whatever has changed since


def _moment(value) -> dt.datetime | None:
    """A timestamp from a plain query: SQLite gives text or a naive datetime, in UTC."""
    if value is None:
        return None
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def delegate_link(token: str) -> DelegateLink | None:
    """The live link `token`, or None (wrong, revoked or expired); one query.

    The same rules as `missions.tokens.participant_for_token`, which loads the whole
    participant, in one plain query that also reads the page's version: the counts and
    last changes of the mission, its items with their venues and hosts, its participants
    with their people and organisations, its organising organisations, the participant
    (and their items and person), whether the mission has matchmaking settings, the
    participant's B2B meetings with the people and organisations they meet (a table
    renamed shows within `MAX_AGE`: tables keep no time of change).
    Changes that bypass `save()` (`QuerySet.update`) must set `updated_at` themselves,
    as `messaging.invitations` does; the page's own writes (the visit, the language)
    are in the link itself.
    """
    if not token or len(token) > 128:
        return None
    hashed = token_hash(token)
    with connection.cursor() as cursor:
        cursor.execute(_link_sql(), {"hash": hashed, "organiser": ParticipantRole.ORGANISER.value})
        row = cursor.fetchone()
    if row is None:
        return None
    (pk, seen, language, preferred, end_date, zone, key, gzipped, marks, fresh, version) = row
    zone = zoneinfo.ZoneInfo(str(zone))
    if not isinstance(end_date, dt.date):  # SQLite hands some columns over as text
        end_date = dt.date.fromisoformat(str(end_date))
    if link_expired(end_date=end_date, time_zone=zone):
        return None
    page = None
    if key is not None:
        page = StoredPage(
            key=key, gzipped=bytes(gzipped), marks_changes=bool(marks), fresh_until=_moment(fresh)
        )
    return DelegateLink(
        participant_id=pk,
        token_hash=hashed,
        page_seen_at=_moment(seen),
        language=language_for_values(chosen=language, preferred=preferred),
        time_zone=zone,
        version=version,
        page=page,
    )


# MATCHMAKING: the participant's meetings page, `/d/<token>/meetings/` ------------------------


@dataclass(frozen=True)
class MeetingRow:
    """One of a participant's meetings as their page, calendar and booklet show it."""

    pk: int
    uid: str  # the calendar's UID, stable while the meeting moves
    starts: dt.datetime  # in the block's zone
    ends: dt.datetime
    day: str  # `Thursday, 13 November 2025`
    time: str  # `10:00–10:20 JST`
    zone: str  # `Asia/Tokyo`
    block: str  # the meeting block's title
    place: str  # the block's venue, or ""
    table: str  # `Table 3` or a room's name
    other: str  # the other person's name
    organisation: str  # theirs, or ""
    final: bool


def meeting_rows(
    participant_ids: list[int], *, final_only: bool = False
) -> dict[int, list[MeetingRow]]:
    """Participant id: their meetings in time order, each in its block's zone; one query."""
    rows: dict[int, list[MeetingRow]] = {pk: [] for pk in participant_ids}
    for meeting in meetings_of_participants(participant_ids, final_only=final_only):
        item = meeting.block.item
        zone = item.time_zone
        starts, ends = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
        request = meeting.request
        for me, other in (
            (request.requester, request.recipient),
            (request.recipient, request.requester),
        ):
            if me.pk not in rows:
                continue
            organisation = other.person.organisation
            rows[me.pk].append(
                MeetingRow(
                    pk=meeting.pk,
                    uid=str(meeting.uid),
                    starts=starts,
                    ends=ends,
                    day=long_date(starts.date()),
                    time=time_span_with_zone(starts, ends),
                    zone=zone.key,
                    block=item.title,
                    place=item.venue.name if item.venue_id else "",
                    table=str(meeting.table),
                    other=other.person.full_name,
                    organisation=organisation.name if organisation else "",
                    final=meeting.state == MeetingState.FINAL,
                )
            )
    return rows


@dataclass(frozen=True)
class SlotChoice:
    value: str  # `<block id>:<start as a UNIX time>`, what the answer form posts
    label: str  # `Thu 13 Nov, 10:00–10:20 JST (Asia/Tokyo)`


@dataclass(frozen=True)
class RequestRow:
    pk: int
    name: str  # the other person
    organisation: str
    message: str
    status: str  # a `RequestStatus` value
    status_label: str
    mutual: bool
    answerable: bool  # waiting for this participant's answer
    withdrawable: bool  # this participant asked, it is open and its meeting not final
    final: bool  # its meeting is in the published schedule
    slots: list[SlotChoice]  # when participants pick slots: those free for both


@dataclass(frozen=True)
class MeetingsPage:
    settings: MatchmakingSettings
    profile: Profile | None
    pick_slots: bool  # the participant picks a slot when accepting
    incoming: list[RequestRow]
    outgoing: list[RequestRow]
    meetings: list[MeetingRow]


def _request_row(
    request: MeetingRequest, other: Participant, *, answerable: bool, withdrawable: bool, slots
) -> RequestRow:
    organisation = other.person.organisation
    return RequestRow(
        pk=request.pk,
        name=other.person.full_name,
        organisation=organisation.name if organisation else "",
        message=request.message,
        status=request.status,
        status_label=str(request.get_status_display()),
        mutual=request.mutual,
        answerable=answerable,
        withdrawable=withdrawable,
        final=request.meeting_is_final,
        slots=slots,
    )


def _open_slots(mission: Mission, requests: list[MeetingRequest]) -> dict[int, list[SlotChoice]]:
    """Request id: the slots its meeting may take now, read once for all of them."""
    if not requests:
        return {}
    read = schedule_problem(mission)
    zones = {block.pk: block.item.time_zone for block in blocks_of(mission)}
    slots: dict[int, list[SlotChoice]] = {}
    for request in requests:
        slots[request.pk] = []
        for slot_id, key in read.slots.items():
            if read.check(request=request, slot_id=slot_id, table_id=None)[1]:
                continue
            zone = zones.get(key.block, mission.time_zone)
            label = day_span(key.starts_at, key.ends_at, zone)
            slots[request.pk].append(SlotChoice(slot_value(key.block, key.starts_at), label))
    return slots


def participants_pick_slots(settings: MatchmakingSettings | None) -> bool:
    """Whether a participant picks the meeting's slot when they accept a request."""
    return (
        settings is not None
        and settings.requests_need_acceptance
        and settings.slot_picking == SlotPicking.PARTICIPANTS
    )


def meetings_page(participant: Participant, settings: MatchmakingSettings) -> MeetingsPage:
    """What the participant's meetings page shows: their profile, requests both ways
    (with the free slots when they pick one on accepting), their meetings."""
    incoming = list(requests_received(participant).order_by("-created_at", "-pk"))
    outgoing = list(requests_made(participant).order_by("-created_at", "-pk"))
    pick = participants_pick_slots(settings)
    waiting = [r for r in incoming if r.status == RequestStatus.REQUESTED]
    slots = _open_slots(participant.mission, waiting) if pick else {}
    return MeetingsPage(
        settings=settings,
        profile=profile_of(participant),
        pick_slots=pick,
        incoming=[
            _request_row(
                r,
                r.requester,
                answerable=r.status == RequestStatus.REQUESTED,
                withdrawable=False,
                slots=slots.get(r.pk, []),
            )
            for r in incoming
        ],
        outgoing=[
            _request_row(
                r,
                r.recipient,
                answerable=False,
                withdrawable=r.status in RequestStatus.OPEN and not r.meeting_is_final,
                slots=[],
            )
            for r in outgoing
        ],
        meetings=meeting_rows([participant.pk])[participant.pk],
    )


def received_request(participant: Participant, pk: int | None) -> MeetingRequest | None:
    """A request made to the participant, or None (someone else's, or none)."""
    if pk is None:
        return None
    return requests_received(participant).filter(pk=pk).select_related("mission").first()


def made_request(participant: Participant, pk: int | None) -> MeetingRequest | None:
    """A request the participant made, or None (someone else's, or none)."""
    if pk is None:
        return None
    return requests_made(participant).filter(pk=pk).select_related("mission").first()


def visible_profile(participant: Participant, participant_id: int | None) -> Profile | None:
    """The other side's profile of `participant_id` if it is shown to `participant`."""
    if participant_id is None:
        return None
    return profiles_visible_to(participant).filter(participant_id=participant_id).first()


# Where the participant stands with someone of the marketplace (`standing_with`).
ASKED = "asked"  # the participant asked them, no answer yet
ASKS_YOU = "asks_you"  # they asked the participant, who has not answered
ACCEPTED = "accepted"  # a meeting accepted, whoever asked
DECLINED = "declined"  # the participant's request was declined: it cannot be asked again


def standing_with(participant: Participant) -> dict[int, str]:
    """The other people the participant has a request with (their participant ids), and
    where it stands; those not named may be asked (a withdrawn request may be asked
    again, and so may someone whose request the participant declined)."""
    standing: dict[int, str] = {}
    requests = MeetingRequest.objects.filter(
        Q(requester=participant) | Q(recipient=participant)
    ).values_list("requester_id", "recipient_id", "status")
    for requester_id, recipient_id, status in requests:
        mine = requester_id == participant.pk
        other = recipient_id if mine else requester_id
        if status == RequestStatus.ACCEPTED:
            standing[other] = ACCEPTED
        elif status == RequestStatus.REQUESTED:
            standing.setdefault(other, ASKED if mine else ASKS_YOU)
        elif status == RequestStatus.DECLINED and mine:
            standing.setdefault(other, DECLINED)
    return standing
