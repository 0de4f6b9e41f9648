"""Feasibility checks of a mission's itinerary: plain functions over objects in memory.

Each rule is a pure function (no queries inside, given a participant's prefetched
`items`), so the builder, the mission page, the dashboard, the API and e-mails can
share them. `check_all` runs every rule and attaches current acknowledgements;
`mission_warnings` and `open_warning_counts` load what the rules need in a fixed
number of queries, whatever the size of the missions.

Rules (`FeasibilityRule`) and the `subject` of their warnings, which identifies a
warning on its item and is what a `WarningAcknowledgement` records:

1. OUTSIDE_DATES: the item starts or ends, in its own zone, on a day outside the
   mission's first to last day. Subject "".
2. OVERLAP: someone attends two items whose times overlap (back to back is fine). The
   warning goes on the later item of the pair only (later start; same start: higher id),
   so that one clash is one warning to acknowledge. When everyone attending the later
   item is also on the earlier one (two whole-delegation items, say) it is one warning
   with subject "item:<earlier id>"; otherwise one warning per participant, subject
   "participant:<id>", naming every item it clashes with.
3. TRAVEL_TIME: between consecutive items someone attends on the same day, at two
   different venues that both have coordinates, the gap from the earlier end to the
   later start is shorter than the straight-line (haversine) distance at walking
   speed below `WALKING_LIMIT_KM`, or at urban driving speed from it on, plus the
   mission's travel buffer. One warning per pair of items on the later one, subject
   "item:<earlier id>", whoever makes the journey; it names them when not everyone
   attending the later item comes from the earlier one. Items that overlap are left to
   rule 2. Before any participant is added, the whole-delegation items are checked as
   the delegation's own journey, so a planner sees the warning while building.
4. CAPACITY: more attendees than the item's capacity or its venue's (the message says
   which). Subject "".
5. ARRIVAL_DEPARTURE: the item starts before a participant arrives or ends after they
   leave. Subject "participant:<id>".
6. SITE_VISIT_INCOMPLETE: a site visit without a venue or without a host organisation.
   Subject "".

Attendees are the participants expected on the mission (RSVP neither declined nor
withdrawn) who attend the item by `missions.attendance.attends`.
Cancelled items are ignored by every rule.
"""

import dataclasses
import datetime as dt
import functools
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from missions.attendance import attends
from missions.display import format_local, short_date, time_span
from missions.enums import Audience, FeasibilityRule, ItemKind, RsvpStatus
from missions.models import (
    ItineraryItem,
    Mission,
    Participant,
    WarningAcknowledgement,
)
from organisations.models import Venue

#: Below this straight-line distance people walk between venues; from it on they drive.
WALKING_LIMIT_KM = 1.5
#: A delegation's walking pace through a city centre, in km/h.
WALKING_SPEED_KMH = 4.5
#: Average urban driving speed door to door (traffic, lights), in km/h.
DRIVING_SPEED_KMH = 20.0
#: Mean radius of the Earth (IUGG), for the haversine distance.
EARTH_RADIUS_KM = 6371.0088
#: RSVP answers of participants who are not expected to come.
#: How many people a message names before it says "and N others".
NAMED_PEOPLE = 3

RULE_ORDER = {rule: n for n, rule in enumerate(FeasibilityRule)}


@dataclass(frozen=True)
class FeasibilityWarning:
    """One problem with one item; `subject` tells it apart from others of its rule."""

    rule: FeasibilityRule
    item_id: int
    subject: str
    message: str
    acknowledgement: WarningAcknowledgement | None = None

    @property
    def is_open(self) -> bool:
        return self.acknowledgement is None


@dataclass
class MissionFeasibility:
    """The warnings of a mission, in itinerary order, and the same grouped by item."""

    warnings: list[FeasibilityWarning]
    by_item: dict[int, list[FeasibilityWarning]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_item = defaultdict(list)
        for warning in self.warnings:
            self.by_item[warning.item_id].append(warning)
        self.by_item = dict(self.by_item)

    @property
    def open_count(self) -> int:
        return sum(warning.is_open for warning in self.warnings)

    @property
    def acknowledged_count(self) -> int:
        return len(self.warnings) - self.open_count


# Distances and travel times ---------------------------------------------------------


def distance_km(origin: Venue, destination: Venue) -> float:
    """The great-circle (haversine) distance between two venues with coordinates."""
    lat1, lon1 = math.radians(float(origin.latitude)), math.radians(float(origin.longitude))
    lat2 = math.radians(float(destination.latitude))
    lon2 = math.radians(float(destination.longitude))
    a = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def is_walking(distance: float) -> bool:
    return distance < WALKING_LIMIT_KM


def travel_minutes(distance: float) -> int:
    """Whole minutes to cover a straight-line distance, on foot or by car; no buffer."""
    speed = WALKING_SPEED_KMH if is_walking(distance) else DRIVING_SPEED_KMH
    # The rounding guards against 1e-12 of float noise turning 20 minutes into 21.
    return math.ceil(round(distance / speed * 60, 6))


@dataclass(frozen=True)
class Leg:
    """The journey between two consecutive items at different venues on one day."""

    origin: Venue
    destination: Venue
    distance: float  # km, straight line
    needed: int  # minutes: on foot or by car, plus the mission's travel buffer
    available: int  # minutes from the earlier end to the later start

    @property
    def walking(self) -> bool:
        return is_walking(self.distance)

    @property
    def is_tight(self) -> bool:
        return self.available < self.needed


def leg_between(before: ItineraryItem, after: ItineraryItem, *, buffer_minutes: int) -> Leg | None:
    """The journey from one item to the next, or None when there is none to check: the
    same venue or one without coordinates, overnight (it starts from the hotel), or the
    items overlap (rule 2's concern). The travel-time rule and the timetable both use it."""
    origin, destination = before.venue, after.venue
    if not (before.venue_id and after.venue_id) or before.venue_id == after.venue_id:
        return None
    if origin.latitude is None or destination.latitude is None:
        return None
    if before.local_ends_at.date() != after.local_starts_at.date():
        return None
    gap = after.starts_at - before.ends_at
    if gap < dt.timedelta(0):
        return None
    distance = distance_km(origin, destination)
    return Leg(
        origin=origin,
        destination=destination,
        distance=distance,
        needed=travel_minutes(distance) + buffer_minutes,
        available=gap // dt.timedelta(minutes=1),
    )


# Attendance ---------------------------------------------------------------------------


def is_expected(participant: Participant) -> bool:
    return participant.rsvp_status not in RsvpStatus.NOT_COMING


def _picked_item_ids(participant: Participant) -> set[int]:
    if participant.pk is None:  # unsaved: cannot have picked any item yet
        return set()
    return {item.pk for item in participant.items.all()}


def attendees(item: ItineraryItem, participants: Iterable[Participant]) -> list[Participant]:
    """Who is expected at the item: everyone expected, or those picked for it."""
    return [
        participant
        for participant in participants
        if is_expected(participant)
        and attends(item.audience, item.pk, _picked_item_ids(participant))
    ]


def _order(item: ItineraryItem) -> tuple[dt.datetime, int]:
    return item.starts_at, item.pk or 0


class _Plan:
    """Who attends which non-cancelled item, worked out once for every rule.

    Items are numbered by their place in time. Participants who attend the same items
    make one journey, so a delegation that travels together is checked once, and the
    whole work stays within items × participants.
    """

    def __init__(self, items: Iterable[ItineraryItem], participants: Iterable[Participant]):
        self.items = sorted((item for item in items if not item.is_cancelled), key=_order)
        self.rank = {item.pk: n for n, item in enumerate(self.items) if item.pk is not None}
        expected = [participant for participant in participants if is_expected(participant)]
        # The whole delegation's items: those attended without being put on them.
        everyone = {n for n, item in enumerate(self.items) if attends(item.audience, item.pk, ())}
        # The others, attended by those put on them (an unsaved one by nobody).
        selected = {
            item.pk: n
            for n, item in enumerate(self.items)
            if n not in everyone and item.pk is not None
        }
        # Whole-delegation items share the one `expected` list; it is never changed.
        self.attendees: list[list[Participant]] = [
            expected if n in everyone else [] for n in range(len(self.items))
        ]
        groups: dict[tuple[int, ...], list[Participant]] = {}
        for participant in expected:
            picked = tuple(
                sorted(selected[pk] for pk in _picked_item_ids(participant) if pk in selected)
            )
            for n in picked:
                self.attendees[n].append(participant)
            groups.setdefault(picked, []).append(participant)
        if not expected:
            groups[()] = []  # the delegation to come
        #: (item numbers in time order, the participants who attend exactly those)
        self.journeys = [
            (sorted(itertools.chain(everyone, picked)), members)
            for picked, members in groups.items()
        ]

    def is_everyone(self, people: Sequence[Participant], n: int) -> bool:
        """Whether `people` (a subset of item n's attendees) are all its attendees."""
        return len(people) == len(self.attendees[n])


# Message helpers ----------------------------------------------------------------------


def _span(item: ItineraryItem) -> str:
    zone = item.time_zone
    return time_span(
        timezone.localtime(item.starts_at, zone), timezone.localtime(item.ends_at, zone)
    )


def _people(people: Sequence[Participant]) -> str:
    """`Anna Schmidt, Ben Ortiz and 12 others`."""
    names = [participant.person.full_name for participant in people[:NAMED_PEOPLE]]
    rest = len(people) - len(names)
    if rest:
        others = ngettext("%(count)d other", "%(count)d others", rest) % {"count": rest}
        return get_text_list([*names, others], _("and"))
    return get_text_list(names, _("and"))


def _quoted(item: ItineraryItem) -> str:
    # Translators: an item's title in the quotation marks of the language, then its times.
    return _("“%(title)s” (%(span)s)") % {"title": item.title, "span": _span(item)}


def _warning(
    rule: FeasibilityRule, item: ItineraryItem, message: str, subject: str = ""
) -> FeasibilityWarning:
    return FeasibilityWarning(rule=rule, item_id=item.pk, subject=subject, message=message)


# Rules on a plan ------------------------------------------------------------------------


def _outside_dates(mission: Mission, items: Sequence[ItineraryItem]) -> list[FeasibilityWarning]:
    first, last = mission.start_date, mission.end_date
    warnings = []
    for item in items:
        start, end = item.local_starts_at.date(), item.local_ends_at.date()
        if first <= start <= last and first <= end <= last:
            continue
        dates = {"first": short_date(first), "last": short_date(last)}
        if start == end:
            message = _(
                "Takes place on %(day)s, outside the mission's dates (%(first)s to %(last)s)."
            ) % {"day": short_date(start), **dates}
        else:
            message = _(
                "Runs from %(start)s to %(end)s, outside the mission's dates "
                "(%(first)s to %(last)s)."
            ) % {"start": short_date(start), "end": short_date(end), **dates}
        warnings.append(_warning(FeasibilityRule.OUTSIDE_DATES, item, message))
    return warnings


def _overlaps(plan: _Plan) -> list[FeasibilityWarning]:
    shared: dict[tuple[int, int], list[Participant]] = {}
    for journey, members in plan.journeys:
        for k, earlier in enumerate(journey):
            ends_at = plan.items[earlier].ends_at
            for later in journey[k + 1 :]:
                if plan.items[later].starts_at >= ends_at:
                    break  # the journey is in time order: nothing later overlaps either
                shared.setdefault((earlier, later), []).extend(members)
    clashes: dict[int, list[tuple[int, list[Participant]]]] = defaultdict(list)
    for (earlier, later), members in sorted(shared.items(), key=lambda pair: pair[0][::-1]):
        clashes[later].append((earlier, members))

    personal_message = _("%(person)s is also booked on %(others)s at the same time.")
    others_text: dict[tuple[int, ...], str] = {}  # shared by everyone with the same clashes
    warnings = []
    for later, pairs in clashes.items():
        item = plan.items[later]
        personal: dict[int, list[int]] = defaultdict(list)
        for earlier, members in pairs:
            other = plan.items[earlier]
            if not plan.is_everyone(members, later):
                for participant in members:
                    personal[id(participant)].append(earlier)
                continue
            if Audience.SELECTED not in (item.audience, other.audience):
                message = _("Overlaps with %(other)s; the whole delegation is booked on both.")
            else:
                message = _("Overlaps with %(other)s, which everyone attending is booked on: "
                            "%(people)s.")  # fmt: skip
            message %= {"other": _quoted(other), "people": _people(members)}
            warnings.append(
                _warning(FeasibilityRule.OVERLAP, item, message, subject=f"item:{other.pk}")
            )
        for participant in plan.attendees[later]:
            if not (earlier_ones := tuple(personal.get(id(participant), ()))):
                continue
            if earlier_ones not in others_text:
                others_text[earlier_ones] = get_text_list(
                    [_quoted(plan.items[n]) for n in earlier_ones], _("and")
                )
            message = personal_message % {
                "person": participant.person.full_name,
                "others": others_text[earlier_ones],
            }
            subject = f"participant:{participant.pk}"
            warnings.append(_warning(FeasibilityRule.OVERLAP, item, message, subject))
    return warnings


def _travel_time(plan: _Plan, buffer_minutes: int) -> list[FeasibilityWarning]:
    legs: dict[tuple[int, int], list[Participant]] = {}
    for journey, members in plan.journeys:
        for earlier, later in itertools.pairwise(journey):
            legs.setdefault((earlier, later), []).extend(members)

    warnings = []
    for (earlier, later), members in sorted(legs.items(), key=lambda leg: leg[0][::-1]):
        before, after = plan.items[earlier], plan.items[later]
        leg = leg_between(before, after, buffer_minutes=buffer_minutes)
        if leg is None or not leg.is_tight:
            continue
        distance = leg.distance
        values = {
            "origin": leg.origin.name,
            "destination": leg.destination.name,
            "needed": leg.needed,
            "distance": number_format(round(distance, 1), 1),
            "buffer": buffer_minutes,
            "available": leg.available,
            "previous": before.title,
        }
        if is_walking(distance):
            message = _(
                "Getting from %(origin)s to %(destination)s takes %(needed)d min "
                "(%(distance)s km on foot, plus %(buffer)d min buffer), but there are only "
                "%(available)d min after “%(previous)s”."
            )
        else:
            message = _(
                "Getting from %(origin)s to %(destination)s takes %(needed)d min "
                "(%(distance)s km by car, plus %(buffer)d min buffer), but there are only "
                "%(available)d min after “%(previous)s”."
            )
        message %= values
        if not plan.is_everyone(members, later):
            message += " " + _("This affects %(people)s.") % {"people": _people(members)}
        subject = f"item:{before.pk}"
        warnings.append(_warning(FeasibilityRule.TRAVEL_TIME, after, message, subject))
    return warnings


def _capacity(plan: _Plan) -> list[FeasibilityWarning]:
    warnings = []
    for item, people in zip(plan.items, plan.attendees, strict=True):
        count = len(people)
        over_item = item.capacity is not None and count > item.capacity
        venue = item.venue if item.venue_id else None
        over_venue = venue is not None and venue.capacity is not None and count > venue.capacity
        if not (over_item or over_venue):
            continue
        values = {
            "attendees": ngettext("%(count)d attendee", "%(count)d attendees", count)
            % {"count": count},
            "capacity": item.capacity,
            "venue": venue.name if venue else "",
            "venue_capacity": venue.capacity if venue else None,
        }
        if over_item and over_venue:
            message = _(
                "%(attendees)s, more than the item's capacity of %(capacity)d and the "
                "capacity of %(venue)s (%(venue_capacity)d)."
            )
        elif over_item:
            message = _("%(attendees)s, more than the item's capacity of %(capacity)d.")
        else:
            message = _("%(attendees)s, more than the capacity of %(venue)s (%(venue_capacity)d).")
        warnings.append(_warning(FeasibilityRule.CAPACITY, item, message % values))
    return warnings


def _arrival_departure(plan: _Plan) -> list[FeasibilityWarning]:
    both = _("%(person)s is only there from %(arrival)s to %(departure)s.")
    arrives_late = _("%(person)s arrives on %(arrival)s, after the item starts.")
    leaves_early = _("%(person)s leaves on %(departure)s, before the item ends.")
    when = functools.cache(format_local)  # a delegation often shares its flights
    warnings = []
    for item, people in zip(plan.items, plan.attendees, strict=True):
        for participant in people:
            arrives, leaves = participant.arrival_at, participant.departure_at
            early = arrives is not None and item.starts_at < arrives
            late = leaves is not None and item.ends_at > leaves
            if not (early or late):
                continue
            message = both if early and late else arrives_late if early else leaves_early
            values = {
                "person": participant.person.full_name,
                "arrival": when(arrives, item.time_zone) if arrives else "",
                "departure": when(leaves, item.time_zone) if leaves else "",
            }
            subject = f"participant:{participant.pk}"
            warnings.append(
                _warning(FeasibilityRule.ARRIVAL_DEPARTURE, item, message % values, subject)
            )
    return warnings


def _site_visits(items: Sequence[ItineraryItem]) -> list[FeasibilityWarning]:
    warnings = []
    for item in items:
        if item.kind != ItemKind.SITE_VISIT or (item.venue_id and item.host_id):
            continue
        if not (item.venue_id or item.host_id):
            message = _("A site visit needs a venue and a host organisation; it has neither.")
        elif not item.venue_id:
            message = _("A site visit needs a venue; it has none.")
        else:
            message = _("A site visit needs a host organisation; it has none.")
        warnings.append(_warning(FeasibilityRule.SITE_VISIT_INCOMPLETE, item, message))
    return warnings


# The rules, one function each -----------------------------------------------------------


def _active(items: Iterable[ItineraryItem]) -> list[ItineraryItem]:
    return sorted((item for item in items if not item.is_cancelled), key=_order)


def check_outside_dates(
    mission: Mission, items: Iterable[ItineraryItem]
) -> list[FeasibilityWarning]:
    """Rule 1: items whose local start or end day is outside the mission's days."""
    return _outside_dates(mission, _active(items))


def check_overlaps(
    items: Iterable[ItineraryItem], participants: Iterable[Participant]
) -> list[FeasibilityWarning]:
    """Rule 2: someone booked on two items at once, reported on the later one."""
    return _overlaps(_Plan(items, participants))


def check_travel_time(
    items: Iterable[ItineraryItem], participants: Iterable[Participant], *, buffer_minutes: int
) -> list[FeasibilityWarning]:
    """Rule 3: too little time to get from one venue to the next on the same day."""
    return _travel_time(_Plan(items, participants), buffer_minutes)


def check_capacity(
    items: Iterable[ItineraryItem], participants: Iterable[Participant]
) -> list[FeasibilityWarning]:
    """Rule 4: more attendees than the item's or the venue's capacity."""
    return _capacity(_Plan(items, participants))


def check_arrival_departure(
    items: Iterable[ItineraryItem], participants: Iterable[Participant]
) -> list[FeasibilityWarning]:
    """Rule 5: an item before a participant arrives or after they leave."""
    return _arrival_departure(_Plan(items, participants))


def check_site_visits(items: Iterable[ItineraryItem]) -> list[FeasibilityWarning]:
    """Rule 6: a site visit without a venue or without a host organisation."""
    return _site_visits(_active(items))


def check_all(
    mission: Mission,
    items: Iterable[ItineraryItem],
    participants: Iterable[Participant],
    acknowledgements: Iterable[WarningAcknowledgement],
) -> list[FeasibilityWarning]:
    """Every rule over the mission's non-cancelled items, in itinerary order.

    A warning carries its acknowledgement when one matches its item, rule and subject
    and was given on the item's current version (`updated_at`); a stale one is ignored.
    """
    plan = _Plan(items, participants)
    warnings = [
        *_outside_dates(mission, plan.items),
        *_overlaps(plan),
        *_travel_time(plan, mission.travel_buffer_minutes),
        *_capacity(plan),
        *_arrival_departure(plan),
        *_site_visits(plan.items),
    ]
    warnings.sort(
        key=lambda warning: (plan.rank.get(warning.item_id, -1), RULE_ORDER[warning.rule])
    )
    versions = {item.pk: item.updated_at for item in plan.items if item.pk is not None}
    current = {
        (ack.item_id, str(ack.rule), ack.subject): ack
        for ack in acknowledgements
        if ack.item_id in versions and ack.item_updated_at == versions[ack.item_id]
    }
    return [
        dataclasses.replace(warning, acknowledgement=acknowledgement)
        if (acknowledgement := current.get((warning.item_id, str(warning.rule), warning.subject)))
        else warning
        for warning in warnings
    ]


# Loaders --------------------------------------------------------------------------------


def _load(missions: Sequence[Mission]) -> dict[int, tuple[list, list, list]]:
    """Items, participants and acknowledgements of the missions: four queries in all."""
    by_id = {mission.pk: mission for mission in missions}
    loaded: dict[int, tuple[list, list, list]] = {pk: ([], [], []) for pk in by_id}
    items = {}
    for item in ItineraryItem.objects.filter(
        mission__in=list(by_id), is_cancelled=False
    ).select_related("venue"):
        item.mission = by_id[item.mission_id]  # the zone of items without a venue
        items[item.pk] = item
        loaded[item.mission_id][0].append(item)
    participants = (
        Participant.objects.filter(mission__in=list(by_id))
        .select_related("person")
        .prefetch_related(Prefetch("items", queryset=ItineraryItem.objects.only("pk").order_by()))
    )
    for participant in participants:
        loaded[participant.mission_id][1].append(participant)
    acknowledgements = WarningAcknowledgement.objects.filter(
        item__mission__in=list(by_id), item__is_cancelled=False
    ).select_related("acknowledged_by")
    for acknowledgement in acknowledgements:
        # The item loaded above, so that `is_current` needs no query; it may have been
        # cancelled between the two queries.
        if item := items.get(acknowledgement.item_id):
            acknowledgement.item = item
            loaded[item.mission_id][2].append(acknowledgement)
    return loaded


def mission_warnings(mission: Mission) -> MissionFeasibility:
    """The mission's warnings, with their acknowledgements, in four queries."""
    items, participants, acknowledgements = _load([mission])[mission.pk]
    return MissionFeasibility(check_all(mission, items, participants, acknowledgements))


def open_warning_counts(missions: Iterable[Mission]) -> dict[int, int]:
    """Open warnings per mission id, in four queries however many missions are listed.

    A queryset passed in costs one more query if it has not been evaluated yet.
    """
    missions = list(missions)
    if not missions:
        return {}
    loaded = _load(missions)
    return {
        mission.pk: sum(warning.is_open for warning in check_all(mission, *loaded[mission.pk]))
        for mission in missions
    }
