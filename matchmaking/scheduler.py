"""The matchmaking scheduler: accepted meetings into slots at tables. Pure: no database.

The input is a `Problem`: the people (each with the times they are busy: their other
itinerary items, what they said they cannot make, before arrival and after departure;
and their meeting limit), the accepted requests (a pair of people and a weight: mutual
ones weigh more), the slots of the meeting blocks (each with its tables) and the
meetings staff locked. `schedule` answers a `Schedule`: where each meeting goes, and
the meetings it could not place with the reason.

The rules, the same for the scheduler and for a meeting moved by hand (`check_placement`,
the one home of what a valid placement is):

- a meeting lies in a slot both people are free for (nothing they are busy with overlaps
  the slot);
- nobody is in two meetings at once (slots that overlap in time count as one);
- no table holds two meetings in a slot, and a slot has only its block's tables;
- nobody has more meetings than their limit;
- locked meetings stay where they are (they count against the limit and hold their table).

How (CP-SAT, Google OR-Tools), in two rounds:

1. One yes/no variable per meeting and slot both are free for. Each meeting gets at most
   one slot; each person at most one meeting among the slots that overlap one instant;
   each slot at most as many meetings as it has free tables; each person at most their
   limit. Maximise the meetings placed, and among schedules with as many, the weight
   (a mutual meeting counts for more, but never for two others: the weight only breaks
   ties of the count). A greedy schedule is given as a hint, so the solver starts from a
   good one; a time limit bounds the round.
2. The count and weight reached are fixed, and the number of idle gaps is minimised
   (someone waiting between two of their meetings in a block; slots they are busy in are
   not idle), with its own time limit, starting from the first round's schedule.

Tables are not in the model: within a slot any meeting fits any free table, so a slot's
meetings only need as many tables as there are (the capacity constraint), and the tables
are given afterwards, slot by slot in time order, by a greedy pass that keeps each person
at the table of their previous meeting in the block where it is free (the person with
more meetings in the block first: at a fair the host usually stays and the delegates
move). Giving the CP-SAT model a variable per meeting, slot and table would multiply it
by the number of tables (80 at a fair) for a secondary aim; the greedy pass is exact
when each slot's meetings can all keep a table, which is the common case.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from ortools.sat.python import cp_model

from matchmaking.enums import Conflict, UnplacedReason

# Defaults of a run on a real mission: it finishes in seconds.
TIME_LIMIT_SECONDS = 10.0
GAP_TIME_LIMIT_SECONDS = 5.0
WORKERS = 2


@dataclasses.dataclass(frozen=True)
class Slot:
    id: int
    block: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    tables: tuple[int, ...]

    def overlaps(self, starts_at: dt.datetime, ends_at: dt.datetime) -> bool:
        return self.starts_at < ends_at and starts_at < self.ends_at


@dataclasses.dataclass(frozen=True)
class Person:
    id: int
    # What the person is busy with: (start, end), end excluded.
    busy: tuple[tuple[dt.datetime, dt.datetime], ...] = ()
    limit: int | None = None  # None: no limit

    def is_free(self, slot: Slot) -> bool:
        return not any(slot.overlaps(start, end) for start, end in self.busy)


@dataclasses.dataclass(frozen=True)
class Request:
    """An accepted meeting to place: between `first` and `second` (person ids)."""

    id: int
    first: int
    second: int
    weight: int = 1


@dataclasses.dataclass(frozen=True)
class Placement:
    request: int
    slot: int
    table: int
    locked: bool = False


@dataclasses.dataclass(frozen=True)
class Unplaced:
    request: int
    reason: UnplacedReason


@dataclasses.dataclass(frozen=True)
class Problem:
    people: Sequence[Person]
    requests: Sequence[Request]
    slots: Sequence[Slot]
    locked: Sequence[Placement] = ()


@dataclasses.dataclass(frozen=True)
class Schedule:
    placements: tuple[Placement, ...]
    unplaced: tuple[Unplaced, ...]
    optimal: bool  # the count and weight are proven the best possible
    gaps: int  # idle gaps between someone's meetings in a block
    table_changes: int  # someone moving to another table between two meetings in a block

    @property
    def placed(self) -> int:
        return len(self.placements)


Progress = Callable[[str, float], None]


# THE RULES (one home) ---------------------------------------------------------------


class _Index:
    """Look-ups over a problem, built once."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.people = {person.id: person for person in problem.people}
        self.requests = {request.id: request for request in problem.requests}
        self.slots = {slot.id: slot for slot in problem.slots}
        ordered = sorted(problem.slots, key=lambda slot: (slot.starts_at, slot.ends_at, slot.id))
        self.slot_ids = [slot.id for slot in ordered]
        # Slots that overlap each slot in time (itself included): one person, one of them.
        self.overlapping: dict[int, frozenset[int]] = {
            slot.id: frozenset(
                other.id for other in ordered if slot.overlaps(other.starts_at, other.ends_at)
            )
            for slot in ordered
        }
        # The slots just before and just after each slot in its block.
        by_block: dict[int, list[int]] = defaultdict(list)
        for slot in ordered:
            by_block[slot.block].append(slot.id)
        self.neighbours: dict[int, tuple[int, ...]] = {}
        for slots in by_block.values():
            for n, slot_id in enumerate(slots):
                self.neighbours[slot_id] = tuple(slots[max(n - 1, 0) : n] + slots[n + 1 : n + 2])
        self.free: dict[int, frozenset[int]] = {
            person.id: frozenset(s for s in self.slot_ids if person.is_free(self.slots[s]))
            for person in problem.people
        }

    def pair(self, request_id: int) -> tuple[int, int]:
        request = self.requests[request_id]
        return request.first, request.second


def check_placement(
    problem: Problem, *, placements: Iterable[Placement], candidate: Placement
) -> list[Conflict]:
    """What stops `candidate` (a meeting in a slot at a table) beside the `placements`
    (any other placement of the same meeting is ignored); [] when it is valid."""
    return _check(_Index(problem), placements=placements, candidate=candidate)


def _check(index: _Index, *, placements: Iterable[Placement], candidate: Placement) -> list:
    slot = index.slots.get(candidate.slot)
    if slot is None:
        return [Conflict.NO_SUCH_SLOT]
    conflicts = []
    if candidate.table not in slot.tables:
        conflicts.append(Conflict.NO_SUCH_TABLE)
    pair = index.pair(candidate.request)
    if not all(index.people[p].is_free(slot) for p in pair):
        conflicts.append(Conflict.PERSON_BUSY)
    others = [p for p in placements if p.request != candidate.request]
    if any(p.slot == slot.id and p.table == candidate.table for p in others):
        conflicts.append(Conflict.TABLE_TAKEN)
    overlapping = index.overlapping[slot.id]
    counts: dict[int, int] = defaultdict(int)
    double = False
    for other in others:
        shared = set(index.pair(other.request)) & set(pair)
        for person in shared:
            counts[person] += 1
        if shared and other.slot in overlapping:
            double = True
    if double:
        conflicts.append(Conflict.DOUBLE_BOOKED)
    if any(_at_limit(index.people[p], counts[p]) for p in pair):
        conflicts.append(Conflict.MEETING_LIMIT)
    return conflicts


def _at_limit(person: Person, count: int) -> bool:
    return person.limit is not None and count >= person.limit


# THE SCHEDULER ----------------------------------------------------------------------


def schedule(
    problem: Problem,
    *,
    time_limit: float = TIME_LIMIT_SECONDS,
    gap_time_limit: float = GAP_TIME_LIMIT_SECONDS,
    workers: int = WORKERS,
    seed: int = 0,
    progress: Progress | None = None,
) -> Schedule:
    """Place as many accepted meetings as possible (see the module's docstring).

    When `optimal`, as many meetings (and as much weight) as any schedule can place;
    which slots they get may differ from run to run (CP-SAT's workers race). Locked
    meetings are kept as given, even if they break a rule. `progress(step, fraction)` is
    called as the rounds end.
    """
    report = progress or (lambda step, fraction: None)
    index = _Index(problem)
    state = _State(index)
    for placement in problem.locked:
        state.add(dataclasses.replace(placement, locked=True))
    locked_ids = {placement.request for placement in problem.locked}
    open_ids = [r.id for r in problem.requests if r.id not in locked_ids]
    candidates = {r: state.candidate_slots(r) for r in open_ids}
    report("model", 0.1)

    chosen, optimal = _maximise(index, state, candidates, time_limit, workers, seed)
    report("placed", 0.6)
    if gap_time_limit > 0 and chosen:
        chosen = _close_gaps(index, state, candidates, chosen, gap_time_limit, workers, seed)
    report("gaps", 0.9)

    for request_id, slot_id in sorted(chosen.items(), key=lambda item: item[0]):
        state.occupy(request_id, slot_id)
    if not optimal:  # a time limit was reached: fill what the solver left open
        for request_id in _most_constrained_first(index, candidates):
            if request_id in chosen:
                continue
            slot_id = state.first_open_slot(request_id)
            if slot_id is not None:
                state.occupy(request_id, slot_id)
                chosen[request_id] = slot_id
    placements = _tables(index, state, chosen)
    placed_ids = {p.request for p in placements}
    unplaced = tuple(
        Unplaced(request=r, reason=state.reason(r)) for r in open_ids if r not in placed_ids
    )
    report("tables", 1.0)
    return Schedule(
        placements=tuple(placements),
        unplaced=unplaced,
        optimal=optimal,
        gaps=idle_gaps(problem, placements),
        table_changes=table_changes(problem, placements),
    )


class _State:
    """Who is where, and which tables are taken, as meetings are placed."""

    def __init__(self, index: _Index):
        self.index = index
        self.busy: dict[int, set[int]] = defaultdict(set)  # person: slots of their meetings
        self.count: dict[int, int] = defaultdict(int)  # person: meetings
        self.taken: dict[int, int] = defaultdict(int)  # slot: meetings
        self.tables: dict[int, set[int]] = defaultdict(set)  # slot: tables given (locked)
        self.locked: list[Placement] = []

    def add(self, placement: Placement) -> None:
        self.occupy(placement.request, placement.slot)
        self.tables[placement.slot].add(placement.table)
        self.locked.append(placement)

    def occupy(self, request_id: int, slot_id: int) -> None:
        for person in self.index.pair(request_id):
            self.busy[person].add(slot_id)
            self.count[person] += 1
        self.taken[slot_id] += 1

    def capacity(self, slot_id: int) -> int:
        return len(self.index.slots[slot_id].tables) - self.taken[slot_id]

    def can_meet(self, person: int, slot_id: int) -> bool:
        return slot_id in self.index.free[person] and not (
            self.busy[person] & self.index.overlapping[slot_id]
        )

    def candidate_slots(self, request_id: int) -> list[int]:
        first, second = self.index.pair(request_id)
        return [
            s
            for s in self.index.slot_ids
            if self.can_meet(first, s) and self.can_meet(second, s) and self.capacity(s) > 0
        ]

    def within_limit(self, person: int) -> bool:
        return not _at_limit(self.index.people[person], self.count[person])

    def first_open_slot(self, request_id: int) -> int | None:
        pair = self.index.pair(request_id)
        if not all(self.within_limit(p) for p in pair):
            return None
        for slot_id in self.index.slot_ids:
            if self.capacity(slot_id) > 0 and all(self.can_meet(p, slot_id) for p in pair):
                return slot_id
        return None

    def reason(self, request_id: int) -> UnplacedReason:
        pair = self.index.pair(request_id)
        if not all(self.within_limit(p) for p in pair):
            return UnplacedReason.MEETING_LIMIT
        both_free = [s for s in self.index.slot_ids if all(self.can_meet(p, s) for p in pair)]
        if both_free and all(self.capacity(s) <= 0 for s in both_free):
            return UnplacedReason.TABLE_CAPACITY
        return UnplacedReason.NO_COMMON_SLOT


def _most_constrained_first(index: _Index, candidates: dict[int, list[int]]) -> list[int]:
    degree: dict[int, int] = defaultdict(int)
    for request_id in candidates:
        for person in index.pair(request_id):
            degree[person] += 1
    return sorted(
        candidates,
        key=lambda r: (
            len(candidates[r]),
            -sum(degree[p] for p in index.pair(r)),
            -index.requests[r].weight,
            r,
        ),
    )


def _greedy(index: _Index, state: _State, candidates: dict[int, list[int]]) -> dict[int, int]:
    """A quick schedule to start the solver from: the most constrained meetings first,
    each into the candidate slot next to the most meetings of the two (no idle gap), then
    in a block where they already meet, then with the most free tables left."""
    busy: dict[int, set[int]] = defaultdict(set)
    blocks: dict[int, set[int]] = defaultdict(set)
    for person, slots in state.busy.items():
        busy[person] |= slots
        blocks[person] |= {index.slots[s].block for s in slots}
    count = dict(state.count)
    taken = dict(state.taken)
    chosen = {}
    for request_id in _most_constrained_first(index, candidates):
        pair = index.pair(request_id)
        if any(_at_limit(index.people[p], count.get(p, 0)) for p in pair):
            continue
        best = None
        for slot_id in candidates[request_id]:
            room = len(index.slots[slot_id].tables) - taken.get(slot_id, 0)
            if room <= 0 or any(busy[p] & index.overlapping[slot_id] for p in pair):
                continue
            block = index.slots[slot_id].block
            score = (
                sum(n in busy[p] for p in pair for n in index.neighbours[slot_id]),
                sum(block in blocks[p] for p in pair),
                room,
            )
            if best is None or score > best[0]:
                best = (score, slot_id)
        if best is None:
            continue
        slot_id = best[1]
        chosen[request_id] = slot_id
        taken[slot_id] = taken.get(slot_id, 0) + 1
        for person in pair:
            busy[person].add(slot_id)
            blocks[person].add(index.slots[slot_id].block)
            count[person] = count.get(person, 0) + 1
    return chosen


class _Model:
    """A CP-SAT model with x[meeting, slot] and the rules as constraints.

    `exactly_one`: every meeting gets a slot (the second round: the first round's
    meetings, moved around); else at most one.
    """

    def __init__(
        self,
        index: _Index,
        state: _State,
        candidates: dict[int, list[int]],
        *,
        exactly_one: bool = False,
    ):
        self.index = index
        self.model = cp_model.CpModel()
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        self.by_person_slot: dict[tuple[int, int], list] = defaultdict(list)
        by_person: dict[int, list] = defaultdict(list)
        by_slot: dict[int, list] = defaultdict(list)
        for request_id, slots in candidates.items():
            own = []
            pair = index.pair(request_id)
            for slot_id in slots:
                var = self.model.new_bool_var(f"x{request_id}_{slot_id}")
                self.x[request_id, slot_id] = var
                own.append(var)
                by_slot[slot_id].append(var)
                for person in pair:
                    self.by_person_slot[person, slot_id].append(var)
                    by_person[person].append(var)
            if exactly_one:
                self.model.add_exactly_one(own)
            elif len(own) > 1:
                self.model.add_at_most_one(own)
        # One meeting at a time: among the slots overlapping each slot's start.
        for person, slot_id in list(self.by_person_slot):
            start = index.slots[slot_id].starts_at
            at_once = [
                var
                for other in index.overlapping[slot_id]
                if index.slots[other].starts_at <= start
                for var in self.by_person_slot.get((person, other), ())
            ]
            if len(at_once) > 1:
                self.model.add_at_most_one(at_once)
        for slot_id, variables in by_slot.items():
            if len(variables) > state.capacity(slot_id):
                self.model.add(cp_model.LinearExpr.sum(variables) <= state.capacity(slot_id))
        for person, variables in by_person.items():
            limit = index.people[person].limit
            if limit is not None and len(variables) > limit - state.count[person]:
                room = max(limit - state.count[person], 0)
                self.model.add(cp_model.LinearExpr.sum(variables) <= room)

    def hint(self, chosen: dict[int, int]) -> None:
        for (request_id, slot_id), var in self.x.items():
            self.model.add_hint(var, chosen.get(request_id) == slot_id)

    def solve(
        self, time_limit: float, workers: int, seed: int, *, light: bool = False
    ) -> tuple[int, cp_model.CpSolver]:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = time_limit
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = seed
        if light:
            # A search that starts from a known schedule: a short presolve leaves the
            # time to improve it (a full one can use up the whole limit at a fair's size).
            solver.parameters.max_presolve_iterations = 1
            solver.parameters.cp_model_probing_level = 0
            solver.parameters.symmetry_level = 0
        return solver.solve(self.model), solver

    def chosen(self, solver: cp_model.CpSolver) -> dict[int, int]:
        return {r: s for (r, s), var in self.x.items() if solver.boolean_value(var)}


def _maximise(
    index: _Index,
    state: _State,
    candidates: dict[int, list[int]],
    time_limit: float,
    workers: int,
    seed: int,
) -> tuple[dict[int, int], bool]:
    """Round 1: the most meetings, then the most weight. (schedule, proven optimal)"""
    greedy = _greedy(index, state, candidates)
    if len(greedy) == sum(1 for slots in candidates.values() if slots):
        # Every meeting that has a slot at all is placed: nothing can beat it.
        return greedy, True
    model = _Model(index, state, candidates)
    # The count first, then the weight: a weight never outweighs one more meeting.
    total_weight = sum(index.requests[r].weight for r in candidates)
    keys = list(model.x)
    model.model.maximize(
        cp_model.LinearExpr.weighted_sum(
            [model.x[key] for key in keys],
            [total_weight + 1 + index.requests[key[0]].weight for key in keys],
        )
    )
    model.hint(greedy)
    status, solver = model.solve(time_limit, workers, seed)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return greedy, False
    chosen = model.chosen(solver)
    if len(chosen) < len(greedy):  # the hint is feasible, so only as a guard
        return greedy, False
    return chosen, status == cp_model.OPTIMAL


def _close_gaps(
    index: _Index,
    state: _State,
    candidates: dict[int, list[int]],
    chosen: dict[int, int],
    time_limit: float,
    workers: int,
    seed: int,
) -> dict[int, int]:
    """Round 2: the same meetings, each in one of its slots, with fewer idle gaps.

    A person's meetings in a block make runs of consecutive slots (slots they are busy
    in do not break a run); the number of runs is minimised, which closes idle gaps and
    gathers a person's meetings into fewer blocks. Starts from the first round's
    schedule, so what it answers is never worse.
    """
    model = _Model(index, state, {r: candidates[r] for r in chosen}, exactly_one=True)
    mine: dict[int, set[int]] = defaultdict(set)
    for request_id, slot_id in chosen.items():
        for person in index.pair(request_id):
            mine[person].add(slot_id)
    starts, hints = [], []
    for person in mine:
        locked = state.busy[person]
        previous: dict[int, object] = {}  # block: whether the person met in its last slot
        previous_hint: dict[int, int] = {}
        for slot_id in index.slot_ids:  # in time order
            block = index.slots[slot_id].block
            variables = model.by_person_slot.get((person, slot_id), ())
            if slot_id in locked:
                now, now_hint = 1, 1
            elif variables:
                now = model.model.new_bool_var(f"o{person}_{slot_id}")
                model.model.add(now == cp_model.LinearExpr.sum(variables))
                now_hint = int(slot_id in mine[person])
                hints.append((now, now_hint))
            elif slot_id in index.free[person]:
                now, now_hint = 0, 0  # free, and no meeting of theirs can go there
            else:
                continue  # busy with something else: not idle, the run goes on
            before, before_hint = previous.get(block, 0), previous_hint.get(block, 0)
            if not (isinstance(now, int) and now == 0):
                start = model.model.new_bool_var(f"s{person}_{slot_id}")
                model.model.add(start >= now - before)
                starts.append(start)
                hints.append((start, int(now_hint > before_hint)))
            previous[block], previous_hint[block] = now, now_hint
    model.model.minimize(cp_model.LinearExpr.sum(starts))
    model.hint(chosen)
    for var, value in hints:
        model.model.add_hint(var, value)
    status, solver = model.solve(time_limit, workers, seed, light=True)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return chosen
    return model.chosen(solver)


# TABLES -----------------------------------------------------------------------------


def _tables(index: _Index, state: _State, chosen: dict[int, int]) -> list[Placement]:
    """Give each chosen meeting a table, slot by slot in time order; keep people at the
    table of their previous meeting in the block where it is free."""
    placements = list(state.locked)
    by_slot: dict[int, list[int]] = defaultdict(list)
    for request_id, slot_id in chosen.items():
        by_slot[slot_id].append(request_id)
    in_block: dict[tuple[int, int], int] = defaultdict(int)  # (person, block): meetings
    for request_id, slot_id in chosen.items():
        for person in index.pair(request_id):
            in_block[person, index.slots[slot_id].block] += 1
    for placement in state.locked:
        for person in index.pair(placement.request):
            in_block[person, index.slots[placement.slot].block] += 1
    last_table: dict[tuple[int, int], int] = {}  # (person, block): table of their last
    locked_at: dict[int, list[Placement]] = defaultdict(list)
    for placement in state.locked:
        locked_at[placement.slot].append(placement)
    for slot_id in index.slot_ids:
        slot = index.slots[slot_id]
        used = set(state.tables[slot_id])
        for placement in locked_at[slot_id]:
            for person in index.pair(placement.request):
                last_table[person, slot.block] = placement.table
        waiting = []
        for request_id in sorted(by_slot[slot_id]):
            # The one with more meetings in the block stays: they choose first.
            pair = sorted(index.pair(request_id), key=lambda p: (-in_block[p, slot.block], p))
            waiting.append((request_id, pair))
        # Meetings whose stayer can keep their table first, then the other person's.
        given: dict[int, int] = {}
        for position in (0, 1):
            for request_id, pair in waiting:
                if request_id in given:
                    continue
                table = last_table.get((pair[position], slot.block))
                if table is not None and table not in used and table in slot.tables:
                    given[request_id] = table
                    used.add(table)
        free_tables = [t for t in slot.tables if t not in used]
        for request_id, _pair in waiting:
            if request_id not in given:
                given[request_id] = free_tables.pop(0)
        for request_id, table in given.items():
            placements.append(Placement(request=request_id, slot=slot_id, table=table))
            for person in index.pair(request_id):
                last_table[person, slot.block] = table
    return placements


# MEASURES ---------------------------------------------------------------------------


def _timelines(
    problem: Problem, placements: Iterable[Placement]
) -> dict[tuple[int, int], list[tuple[dt.datetime, int, int]]]:
    """(person, block): their meetings in time order, as (start, slot, table)."""
    index = _Index(problem)
    lines: dict[tuple[int, int], list] = defaultdict(list)
    for placement in placements:
        slot = index.slots[placement.slot]
        for person in index.pair(placement.request):
            lines[person, slot.block].append((slot.starts_at, slot.id, placement.table))
    for line in lines.values():
        line.sort()
    return lines


def idle_gaps(problem: Problem, placements: Iterable[Placement]) -> int:
    """How often someone waits between two of their meetings in a block, with nothing
    else to do: a free slot of the block between them."""
    index = _Index(problem)
    gaps = 0
    for (person, block), line in _timelines(problem, placements).items():
        mine = {slot_id for _, slot_id, _ in line}
        free = [
            s
            for s in index.slot_ids
            if index.slots[s].block == block and (s in index.free[person] or s in mine)
        ]
        inside = free[free.index(line[0][1]) : free.index(line[-1][1]) + 1]
        runs = sum(
            1 for n, s in enumerate(inside) if s in mine and (n == 0 or inside[n - 1] not in mine)
        )
        gaps += runs - 1
    return gaps


def table_changes(problem: Problem, placements: Iterable[Placement]) -> int:
    """How often someone changes table between two consecutive meetings of a block."""
    return sum(
        sum(1 for before, after in zip(line, line[1:], strict=False) if before[2] != after[2])
        for line in _timelines(problem, placements).values()
    )
