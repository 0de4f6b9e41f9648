"""Reads of the staff's matchmaking tab (planning/views/matchmaking.py): the grid of a
mission's meetings (per meeting block, its slots as rows by its tables as columns, each
meeting in its cell, and each person's count), the tab's overview, the profiles and
requests per person, the latest scheduling run.

A fixed number of queries however many meetings there are: the blocks with their tables,
the meetings with both people, the accepted requests with both people.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from matchmaking.enums import MeetingState, RequestStatus, RunState, UnplacedReason
from matchmaking.models import Meeting, MeetingBlock, MeetingRequest, Profile, Table
from matchmaking.selectors import (
    blocks_of,
    latest_run,
    meetings_of_mission,
    run_is_stuck,
    slot_value,
)
from missions.display import long_date, short_day, time_span, time_span_with_zone, zone_names
from missions.models import Mission, Participant


@dataclass
class Cell:
    table: Table
    slot: str
    meeting: Meeting | None = None


@dataclass
class Row:
    label: str  # `10:00–10:20`, in the block's zone
    slot: str
    cells: list[Cell]
    moment: str = ""  # `Tue 4 Mar, 10:00–10:20 GMT`: the slot on its own


@dataclass
class BlockGrid:
    block: MeetingBlock
    tables: list[Table]
    zone: str
    rows: list[Row]
    day: str = ""  # `Tuesday, 4 March 2025`: the block's first local day
    # Meetings no longer on one of the block's slots (the block was changed since).
    off_slots: list[Meeting] = field(default_factory=list)


@dataclass
class PersonCount:
    participant: Participant
    meetings: int
    accepted: int


@dataclass
class Grid:
    blocks: list[BlockGrid]
    people: list[PersonCount]
    meetings: int
    preliminary: int

    def slot_choices(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The slots grouped by their block (a select's option groups), each with its day
        and zone."""
        return [
            (grid.block.item.title, [(row.slot, row.moment) for row in grid.rows])
            for grid in self.blocks
        ]

    def table_choices(self) -> list[tuple[str, list[tuple[int, str]]]]:
        return [
            (grid.block.item.title, [(table.pk, str(table)) for table in grid.tables])
            for grid in self.blocks
        ]


def _row(block: MeetingBlock, starts_at: dt.datetime, ends_at: dt.datetime, cells) -> Row:
    zone = block.item.time_zone
    starts, ends = timezone.localtime(starts_at, zone), timezone.localtime(ends_at, zone)
    return Row(
        label=time_span(starts, ends),
        slot=slot_value(block.pk, starts_at),
        cells=cells,
        moment=f"{short_day(starts)}, {time_span_with_zone(starts, ends)}",
    )


def meeting_grid(mission: Mission) -> Grid:
    blocks = list(blocks_of(mission))
    meetings = list(meetings_of_mission(mission))
    at: dict[tuple[int, dt.datetime], Meeting] = {
        (meeting.table_id, meeting.starts_at): meeting for meeting in meetings
    }
    grids = []
    for block in blocks:
        tables = list(block.tables.all())
        rows, starts = [], set()
        for starts_at, ends_at in block.slot_times():
            starts.add(starts_at)
            slot = slot_value(block.pk, starts_at)
            cells = [Cell(table, slot, at.get((table.pk, starts_at))) for table in tables]
            rows.append(_row(block, starts_at, ends_at, cells))
        first = timezone.localtime(block.item.starts_at, block.item.time_zone)
        last = timezone.localtime(block.item.ends_at, block.item.time_zone)
        grids.append(
            BlockGrid(
                block=block,
                tables=tables,
                zone=zone_names(first, last),
                rows=rows,
                day=long_date(first.date()),
                off_slots=[
                    m for m in meetings if m.block_id == block.pk and m.starts_at not in starts
                ],
            )
        )
    return Grid(
        blocks=grids,
        people=_people(mission, meetings),
        meetings=len(meetings),
        preliminary=sum(1 for m in meetings if m.state == MeetingState.PRELIMINARY),
    )


def _people(mission: Mission, meetings: list[Meeting]) -> list[PersonCount]:
    """Everyone with an accepted request: their meetings in the schedule, and accepted."""
    accepted = MeetingRequest.objects.filter(
        Q(status=RequestStatus.ACCEPTED) | Q(meeting__isnull=False), mission=mission
    ).select_related("requester__person", "recipient__person")
    people: dict[int, Participant] = {}
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for request in accepted:
        for participant in (request.requester, request.recipient):
            people[participant.pk] = participant
            counts[participant.pk][1] += request.status == RequestStatus.ACCEPTED
    for meeting in meetings:
        for participant_id in (meeting.request.requester_id, meeting.request.recipient_id):
            counts[participant_id][0] += 1
    return sorted(
        (PersonCount(people[pk], *counts[pk]) for pk in people),
        key=lambda count: count.participant.person.full_name.casefold(),
    )


def matchmaking_overview(mission: Mission) -> dict:
    """The items (and their blocks), requests by status, profiles, meetings."""
    items = mission.items.filter(is_cancelled=False).select_related(
        "meeting_block", "venue", "mission"
    )
    by_status = dict(
        MeetingRequest.objects.filter(mission=mission)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    profiles = Profile.objects.filter(participant__mission=mission)
    return {
        "items": [(item, getattr(item, "meeting_block", None)) for item in items],
        "requests": [(status.label, by_status.get(status, 0)) for status in RequestStatus],
        "profiles": profiles.count(),
        "opted_in": profiles.filter(opted_in=True).count(),
    }


def profiles_overview(mission: Mission) -> tuple[list[tuple], list[MeetingRequest]]:
    """Each participant with their profile (or None), requests made and received (as
    annotations) and accepted; and the mission's requests."""
    participants = list(
        mission.participants.select_related("person__organisation", "matchmaking_profile")
        .annotate(made=Count("meeting_requests_made", distinct=True))
        .annotate(received=Count("meeting_requests_received", distinct=True))
        .order_by("person__full_name")
    )
    counts: dict[int, dict[str, int]] = {}
    requests = list(
        MeetingRequest.objects.filter(mission=mission)
        .select_related("requester__person", "recipient__person")
        .order_by("status", "created_at")
    )
    for meeting_request in requests:
        for participant_id in meeting_request.pair:
            person = counts.setdefault(participant_id, dict.fromkeys(RequestStatus, 0))
            person[meeting_request.status] += 1
    rows = [
        (
            participant,
            getattr(participant, "matchmaking_profile", None),
            counts.get(participant.pk, {}).get(RequestStatus.ACCEPTED, 0),
        )
        for participant in participants
    ]
    return rows, requests


def schedule_run_status(mission: Mission) -> dict:
    """The latest run (stuck or not), the meetings it could not place with why, and the
    schedule's meetings: the run's card shows them all, so its poll refreshes them."""
    run = latest_run(mission)
    unplaced = []
    if run is not None and run.state == RunState.DONE and run.unplaced_reasons:
        reasons = {entry["request"]: entry["reason"] for entry in run.unplaced_reasons}
        for meeting_request in MeetingRequest.objects.filter(pk__in=reasons).select_related(
            "requester__person", "recipient__person"
        ):
            reason = reasons[meeting_request.pk]
            label = UnplacedReason(reason).label if reason in UnplacedReason.values else reason
            unplaced.append((meeting_request, label))
    meetings = Meeting.objects.filter(request__mission=mission)
    return {
        "mission": mission,
        "run": run,
        "in_progress": run is not None and run.state in RunState.ACTIVE,
        "stuck": run is not None and run_is_stuck(run),
        "unplaced": unplaced,
        "meetings": meetings.count(),
        "preliminary": meetings.filter(state=MeetingState.PRELIMINARY).count(),
    }
