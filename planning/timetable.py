"""The itinerary as a timetable: days as columns, a time axis in the destination's zone.

Pure layout over items in memory (their venues loaded): where each item's block sits on
a grid of `ROW_MINUTES` rows, which lane it takes beside the items it overlaps, and the
journeys between consecutive venues (`missions.feasibility.leg_between`, the same as
the travel-time rule's). The template places everything by CSS classes (`tt-row-N`,
`tt-span-N`, `tt-lane-N`, `tt-width-N`, `tt-lanes-N` in static/css/timetable.css), since
the Content-Security-Policy forbids style attributes.
"""

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from missions.feasibility import Leg, leg_between
from missions.models import ItineraryItem, Mission

#: One grid row is a quarter of an hour; dragging snaps to it.
ROW_MINUTES = 15
#: The axis shows at least these hours, more when an item starts earlier or ends later.
DAY_STARTS, DAY_ENDS = 8, 18
#: Lanes side by side at most; more overlapping items share the last lane.
MAX_LANES = 6
#: A time on the axis as a block carries it and a drag posts it back (`RescheduleForm`).
WALL_CLOCK = "%Y-%m-%dT%H:%M"


@dataclass(frozen=True)
class Block:
    item: ItineraryItem
    row: int  # first grid row, from 1
    span: int  # rows
    lane: int  # first lane, from 1
    width: int  # lanes it spans
    starts: str  # wall-clock time on the axis, `2025-11-13T19:00` (what dragging changes)
    ends: str
    runs_on: bool  # it ends after the axis (the next day): its block stops at the bottom


@dataclass(frozen=True)
class Journey:
    leg: Leg
    row: int
    span: int


@dataclass(frozen=True)
class Column:
    day: dt.date
    blocks: list[Block]
    journeys: list[Journey]
    lanes: int


@dataclass(frozen=True)
class Timetable:
    zone: zoneinfo.ZoneInfo
    first_hour: int
    last_hour: int
    columns: list[Column]
    row_minutes: int = ROW_MINUTES

    @property
    def hours(self) -> list[tuple[str, int]]:
        """The axis: `("09:00", row)` for every hour shown."""
        rows_per_hour = 60 // self.row_minutes
        return [
            (f"{hour:02}:00", (hour - self.first_hour) * rows_per_hour + 1)
            for hour in range(self.first_hour, self.last_hour)
        ]


def _minutes(moment: dt.datetime, day: dt.date) -> int:
    """Minutes from the day's midnight on the wall clock (past 24 h for the next day)."""
    return (moment.date() - day).days * 24 * 60 + moment.hour * 60 + moment.minute


def _lanes(items: list[ItineraryItem]) -> dict[int, tuple[int, int]]:
    """Each item's lane (from 0) and the lane count of its group of overlapping items."""
    placed: dict[int, tuple[int, int]] = {}
    group: list[tuple[ItineraryItem, int]] = []
    lane_ends: list[dt.datetime] = []
    group_end: dt.datetime | None = None

    def close() -> None:
        for member, lane in group:
            placed[id(member)] = (lane, len(lane_ends))

    for item in sorted(items, key=lambda item: (item.starts_at, -item.ends_at.timestamp())):
        if group_end is not None and item.starts_at >= group_end:
            close()
            group, lane_ends, group_end = [], [], None
        free = next((n for n, end in enumerate(lane_ends) if end <= item.starts_at), None)
        if free is None:
            lane_ends.append(item.ends_at)
            free = len(lane_ends) - 1
        else:
            lane_ends[free] = item.ends_at
        group.append((item, free))
        group_end = max(group_end or item.ends_at, item.ends_at)
    close()
    return placed


def timetable(mission: Mission, days: Iterable[tuple[dt.date, list[ItineraryItem]]]) -> Timetable:
    """Lay out each day's items (in the mission's zone, as the builder groups them)."""
    zone = mission.time_zone
    days = list(days)
    local = {
        id(item): (timezone.localtime(item.starts_at, zone), timezone.localtime(item.ends_at, zone))
        for _, items in days
        for item in items
    }
    first_hour, last_hour = DAY_STARTS, DAY_ENDS
    for day, items in days:
        for item in items:
            starts, ends = local[id(item)]
            first_hour = min(first_hour, starts.hour)
            end_minutes = min(_minutes(ends, day), 24 * 60)
            last_hour = max(last_hour, -(-end_minutes // 60))
    origin = first_hour * 60
    bottom = last_hour * 60

    def row(minutes: int) -> int:
        return (minutes - origin) // ROW_MINUTES + 1

    def span(start: int, end: int) -> int:
        return max(1, -(-(end - start) // ROW_MINUTES))

    columns = []
    for day, items in days:
        placed = _lanes(items)
        lanes = min(MAX_LANES, max((count for _, count in placed.values()), default=1))
        blocks = []
        for item in items:
            starts, ends = local[id(item)]
            start, end = _minutes(starts, day), _minutes(ends, day)
            lane, count = placed[id(item)]
            width = max(1, lanes // min(count, lanes))
            first = min(lane * width, lanes - 1)
            last = lanes if lane == count - 1 else min(first + width, lanes)
            blocks.append(
                Block(
                    item=item,
                    row=row(start),
                    span=span(start, min(end, bottom)),
                    lane=first + 1,
                    width=max(1, last - first),
                    starts=starts.strftime(WALL_CLOCK),
                    ends=ends.strftime(WALL_CLOCK),
                    runs_on=end > bottom,
                )
            )
        journeys = []
        at_venues = [item for item in items if item.venue_id and not item.is_cancelled]
        for before, after in zip(at_venues, at_venues[1:], strict=False):
            leg = leg_between(before, after, buffer_minutes=mission.travel_buffer_minutes)
            if leg is None:
                continue
            start = _minutes(local[id(before)][1], day)
            end = _minutes(local[id(after)][0], day)
            journeys.append(Journey(leg=leg, row=row(start), span=span(start, end)))
        columns.append(Column(day=day, blocks=blocks, journeys=journeys, lanes=lanes))
    return Timetable(zone=zone, first_hour=first_hour, last_hour=last_hour, columns=columns)
