"""Reads of matchmaking, each with a bounded number of queries.

`schedule_problem` turns a mission into the scheduler's input: every rule of who can
meet when is decided here (which items a person attends, their unavailability, arrival
and departure), and the scheduler only sees busy times.
"""

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from matchmaking import scheduler
from matchmaking.enums import Conflict, MeetingState, RequestStatus, RunState
from matchmaking.models import (
    MatchmakingSettings,
    Meeting,
    MeetingBlock,
    MeetingRequest,
    Profile,
    ScheduleRun,
    Unavailability,
)
from missions.attendance import attends, chosen_items
from missions.enums import ParticipantRole, RsvpStatus
from missions.models import ItineraryItem, Mission, Participant
from missions.selectors import User, missions_editable_by

# The two sides of a fair: hosts (local companies, agencies) and everyone else.
HOSTS = "hosts"
DELEGATES = "delegates"
MUTUAL_WEIGHT = 2
# A schedule run still queued or running this long after it was asked for has most likely
# lost its task: staff are offered to ask again, which hands it to a worker again.
STUCK_AFTER = dt.timedelta(minutes=10)
_ALWAYS = (
    dt.datetime.min.replace(tzinfo=dt.UTC),
    dt.datetime.max.replace(tzinfo=dt.UTC),
)


def side_of(participant: Participant) -> str:
    """Which side of the marketplace a participant is on: they meet the other side."""
    return HOSTS if participant.role == ParticipantRole.HOST else DELEGATES


def matchmaking_settings(mission: Mission) -> MatchmakingSettings | None:
    """The mission's matchmaking settings as staff saved them, or None: the mission has no
    matchmaking (saving them turns it on)."""
    return MatchmakingSettings.objects.filter(mission=mission).first()


def settings_for(mission: Mission) -> MatchmakingSettings:
    """The mission's matchmaking settings; the defaults (unsaved) until staff chose."""
    return matchmaking_settings(mission) or MatchmakingSettings(mission=mission)


def profile_of(participant: Participant) -> Profile | None:
    return Profile.objects.filter(participant=participant).first()


def languages_listed(profiles: QuerySet[Profile]) -> set[str]:
    """The language codes the profiles list, in one query."""
    listed = profiles.order_by().values_list("languages", flat=True)
    return {code for codes in listed for code in codes}


def profiles_visible_to(
    participant: Participant,
    *,
    sector: int | None = None,
    language: str = "",
    text: str = "",
) -> QuerySet[Profile]:
    """The other side's profiles that opted in, in the participant's mission; filtered by
    a sector's id, a language code, words in the offer, seek or pitch."""
    others = Profile.objects.filter(participant__mission_id=participant.mission_id, opted_in=True)
    others = others.exclude(participant=participant)
    if side_of(participant) == HOSTS:
        others = others.exclude(participant__role=ParticipantRole.HOST)
    else:
        others = others.filter(participant__role=ParticipantRole.HOST)
    if sector:
        others = others.filter(sectors=sector)
    if language:
        # JSON containment is not on SQLite: a list of short codes is matched as text.
        others = others.filter(languages__icontains=f'"{language}"')
    if text:
        others = others.filter(
            Q(offer__icontains=text) | Q(seek__icontains=text) | Q(pitch__icontains=text)
        )
    return (
        others.select_related("participant__person__organisation")
        .prefetch_related("sectors")
        .order_by("participant__person__organisation__name", "participant__person__full_name")
        .distinct()
    )


def requests_received(participant: Participant) -> QuerySet[MeetingRequest]:
    return MeetingRequest.objects.filter(recipient=participant).select_related(
        "requester__person__organisation", "meeting"
    )


def requests_made(participant: Participant) -> QuerySet[MeetingRequest]:
    return MeetingRequest.objects.filter(requester=participant).select_related(
        "recipient__person__organisation", "meeting"
    )


def accepted_count(participant: Participant) -> int:
    """The participant's accepted meetings, asked by them or of them."""
    return MeetingRequest.objects.filter(
        Q(requester=participant) | Q(recipient=participant), status=RequestStatus.ACCEPTED
    ).count()


def meetings_of(participant: Participant, *, final_only: bool = False) -> QuerySet[Meeting]:
    """The participant's meetings (only the final ones, with `final_only`): see
    `meetings_of_participants`."""
    return meetings_of_participants([participant.pk], final_only=final_only)


def meetings_of_participants(
    participant_ids: Iterable[int], *, final_only: bool = False
) -> QuerySet[Meeting]:
    """The meetings any of the participants has, asked by them or of them (only the final
    ones, with `final_only`), in time order, with what shows one: both people and their
    organisations, the table, the block's item with its venue and mission (its zone)."""
    participant_ids = list(participant_ids)
    meetings = (
        Meeting.objects.filter(
            Q(request__requester_id__in=participant_ids)
            | Q(request__recipient_id__in=participant_ids)
        )
        .select_related(
            "table",
            "block__item__venue",
            "block__item__mission",
            "request__requester__person__organisation",
            "request__recipient__person__organisation",
        )
        .order_by("starts_at", "pk")
    )
    return meetings.filter(state=MeetingState.FINAL) if final_only else meetings


def meeting_for(user: User, pk: int) -> Meeting:
    """A meeting of a mission the user may change (`missions_editable_by`: its
    organisers' planners), with its mission, table and block; else 404."""
    return get_object_or_404(
        Meeting.objects.select_related(
            "request__mission", "table", "block__item__venue", "block__item__mission"
        ),
        pk=pk,
        request__mission__in=missions_editable_by(user),
    )


def meetings_of_mission(mission: Mission) -> QuerySet[Meeting]:
    """The mission's meetings by time and table, with who meets whom, where (the table,
    the block's item with its venue and mission: its zone)."""
    return (
        Meeting.objects.filter(request__mission=mission)
        .select_related(
            "table",
            "block__item__venue",
            "block__item__mission",
            "request__requester__person",
            "request__recipient__person",
        )
        .order_by("starts_at", "table__number")
    )


def meeting_counts(mission: Mission) -> dict[int, int]:
    """Participant id: how many meetings they have in the schedule."""
    counts: dict[int, int] = defaultdict(int)
    for field in ("request__requester", "request__recipient"):
        rows = (
            Meeting.objects.filter(request__mission=mission)
            .values(field)
            .annotate(n=Count("pk"))
            .values_list(field, "n")
        )
        for participant_id, n in rows:
            counts[participant_id] += n
    return dict(counts)


def blocks_of(mission: Mission) -> QuerySet[MeetingBlock]:
    """The mission's meeting blocks that are not cancelled, in time order, with tables."""
    return (
        MeetingBlock.objects.filter(item__mission=mission, item__is_cancelled=False)
        .select_related("item")
        .prefetch_related("tables")
        .order_by("item__starts_at", "pk")
    )


def latest_run(mission: Mission) -> ScheduleRun | None:
    return ScheduleRun.objects.filter(mission=mission).order_by("-created_at", "-pk").first()


def active_run(mission: Mission) -> ScheduleRun | None:
    return (
        ScheduleRun.objects.filter(mission=mission, state__in=RunState.ACTIVE)
        .order_by("-created_at", "-pk")
        .first()
    )


def run_is_stuck(run: ScheduleRun, *, now: dt.datetime | None = None) -> bool:
    """Still queued or running long after any worker would have finished it: it has most
    likely lost its task (a Redis restart, a worker killed)."""
    return run.state in RunState.ACTIVE and run.created_at < (now or timezone.now()) - STUCK_AFTER


# THE SCHEDULER'S INPUT ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SlotKey:
    block: int
    starts_at: dt.datetime
    ends_at: dt.datetime


def slot_value(block_id: int, starts_at: dt.datetime) -> str:
    """A slot as a form's value: the block and the start (UTC seconds)."""
    return f"{block_id}:{int(starts_at.timestamp())}"


def slot_parse(value: str) -> tuple[int, dt.datetime] | None:
    """`slot_value` read back: the block's id and the slot's start; None when it is not one."""
    block, _, seconds = (value or "").partition(":")
    if not (block.isdigit() and seconds.isdigit()):
        return None
    return int(block), dt.datetime.fromtimestamp(int(seconds), tz=dt.UTC)


@dataclasses.dataclass(frozen=True)
class MissionProblem:
    """The scheduler's input for a mission, and the way back to rows."""

    problem: scheduler.Problem
    slots: dict[int, SlotKey]  # scheduler slot id: (block id, start, end)
    slot_ids: dict[tuple[int, dt.datetime], int]  # (block id, start): scheduler slot id
    meetings: list[Meeting]  # the mission's meetings as they are now
    tables: dict[int, tuple[int, ...]]  # scheduler slot id: its tables' ids

    def placement_of(self, meeting: Meeting) -> scheduler.Placement:
        return scheduler.Placement(
            request=meeting.request_id,
            slot=self.slot_ids[meeting.block_id, meeting.starts_at],
            table=meeting.table_id,
            locked=meeting.locked,
        )

    def check(
        self, *, request: MeetingRequest, slot_id: int, table_id: int | None
    ) -> tuple[int | None, list[Conflict]]:
        """Whether the request's meeting may go into the slot at the table (the first
        free one when None): (the table, the rules it breaks), by the scheduler's rules
        (`scheduler.check_placement`) beside the mission's other meetings."""
        problem = self.problem
        if all(r.id != request.pk for r in problem.requests):
            requests = [*problem.requests, scheduler.Request(request.pk, *request.pair)]
            problem = dataclasses.replace(problem, requests=requests)
        known = {r.id for r in problem.requests}
        placements = [
            self.placement_of(m)
            for m in self.meetings
            if m.request_id in known and (m.block_id, m.starts_at) in self.slot_ids
        ]
        if table_id is None:
            taken = {p.table for p in placements if p.slot == slot_id and p.request != request.pk}
            free = [t for t in self.tables[slot_id] if t not in taken]
            if not free:
                return None, [Conflict.TABLE_TAKEN]
            table_id = free[0]
        candidate = scheduler.Placement(request=request.pk, slot=slot_id, table=table_id)
        return table_id, scheduler.check_placement(
            problem, placements=placements, candidate=candidate
        )


def slots_open_for(request: MeetingRequest) -> list[SlotKey]:
    """The slots the request's meeting may go into now (a participant picking a slot)."""
    read = schedule_problem(request.mission)
    return [
        key
        for slot_id, key in read.slots.items()
        if not read.check(request=request, slot_id=slot_id, table_id=None)[1]
    ]


def _busy_times(
    participant: Participant,
    chosen: set[int],
    items: list[ItineraryItem],
    blocks: dict[int, MeetingBlock],
    unavailable: list[Unavailability],
) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    """When the participant cannot meet: not coming at all; the items they attend other
    than meeting blocks; the blocks they do not attend (`chosen`: the items they were put
    on); what they said; before arrival, after departure."""
    if participant.rsvp_status in RsvpStatus.NOT_COMING:
        return (_ALWAYS,)
    busy = []
    for item in items:
        attended = attends(item.audience, item.pk, chosen)
        is_block = item.pk in blocks
        if (attended and not is_block) or (is_block and not attended):
            busy.append((item.starts_at, item.ends_at))
    busy.extend((u.starts_at, u.ends_at) for u in unavailable)
    if participant.arrival_at:
        busy.append((_ALWAYS[0], participant.arrival_at))
    if participant.departure_at:
        busy.append((participant.departure_at, _ALWAYS[1]))
    return tuple(busy)


def schedule_problem(mission: Mission) -> MissionProblem:
    """The mission as the scheduler's problem: its accepted requests (mutual ones weigh
    more) and the requests of locked meetings, its participants' busy times and limit,
    its blocks' slots and tables, its locked meetings. Eight queries."""
    limit = settings_for(mission).max_meetings_per_person
    blocks = {block.item_id: block for block in blocks_of(mission)}
    items = list(ItineraryItem.objects.filter(mission=mission, is_cancelled=False))
    participants = list(Participant.objects.filter(mission=mission))
    chosen = chosen_items(participant.pk for participant in participants)
    unavailable: dict[int, list[Unavailability]] = defaultdict(list)
    for u in Unavailability.objects.filter(participant__mission=mission):
        unavailable[u.participant_id].append(u)
    meetings = list(Meeting.objects.filter(request__mission=mission).select_related("request"))
    locked = [m for m in meetings if m.locked]
    requests = MeetingRequest.objects.filter(mission=mission).filter(
        Q(status=RequestStatus.ACCEPTED) | Q(pk__in=[m.request_id for m in locked])
    )

    slots: list[scheduler.Slot] = []
    keys: dict[int, SlotKey] = {}
    slot_ids: dict[tuple[int, dt.datetime], int] = {}

    def add_slot(block: MeetingBlock, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
        slot_id = len(slots)
        tables = tuple(table.pk for table in block.tables.all())
        slots.append(scheduler.Slot(slot_id, block.pk, starts_at, ends_at, tables))
        keys[slot_id] = SlotKey(block.pk, starts_at, ends_at)
        slot_ids[block.pk, starts_at] = slot_id

    for block in blocks.values():
        for starts_at, ends_at in block.slot_times():
            add_slot(block, starts_at, ends_at)
    by_id = {block.pk: block for block in blocks.values()}
    for meeting in meetings:  # a meeting off the block's slots now (the block changed)
        if (meeting.block_id, meeting.starts_at) not in slot_ids and meeting.block_id in by_id:
            add_slot(by_id[meeting.block_id], meeting.starts_at, meeting.ends_at)

    people = [
        scheduler.Person(
            participant.pk,
            busy=_busy_times(
                participant, chosen[participant.pk], items, blocks, unavailable[participant.pk]
            ),
            limit=limit,
        )
        for participant in participants
    ]
    problem = scheduler.Problem(
        people=people,
        requests=[
            scheduler.Request(
                r.pk, r.requester_id, r.recipient_id, weight=MUTUAL_WEIGHT if r.mutual else 1
            )
            for r in requests
        ],
        slots=slots,
        locked=[
            scheduler.Placement(
                m.request_id, slot_ids[m.block_id, m.starts_at], m.table_id, locked=True
            )
            for m in locked
            if (m.block_id, m.starts_at) in slot_ids
        ],
    )
    return MissionProblem(
        problem=problem,
        slots=keys,
        slot_ids=slot_ids,
        meetings=meetings,
        tables={slot.id: slot.tables for slot in slots},
    )
