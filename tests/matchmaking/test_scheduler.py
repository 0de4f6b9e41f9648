"""The scheduler (pure): every schedule keeps the rules; it places the most meetings."""

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaking.bounds import upper_bound
from matchmaking.enums import Conflict, UnplacedReason
from matchmaking.scheduler import (
    Person,
    Placement,
    Problem,
    Request,
    Slot,
    check_placement,
    schedule,
)

DAY = dt.datetime(2025, 3, 4, 14, tzinfo=dt.UTC)
FAST = {"time_limit": 5.0, "gap_time_limit": 1.0, "workers": 1}


def slots(count: int, *, tables: int, block: int = 0, first_id: int = 0) -> list[Slot]:
    """`count` slots of 20 minutes, 5 apart, on the block's day, each with `tables`."""
    start = DAY + dt.timedelta(days=block)
    names = tuple(block * 100 + t for t in range(tables))
    return [
        Slot(
            first_id + n,
            block,
            start + n * dt.timedelta(minutes=25),
            start + n * dt.timedelta(minutes=25) + dt.timedelta(minutes=20),
            names,
        )
        for n in range(count)
    ]


def during(slot: Slot) -> tuple[dt.datetime, dt.datetime]:
    """A busy time that overlaps the slot by five minutes."""
    return slot.starts_at + dt.timedelta(minutes=10), slot.starts_at + dt.timedelta(minutes=15)


def assert_keeps_the_rules(problem: Problem, result) -> None:
    """The invariants, checked without the scheduler's own code."""
    people = {p.id: p for p in problem.people}
    by_slot = {s.id: s for s in problem.slots}
    requests = {r.id: r for r in problem.requests}
    placed = [p.request for p in result.placements]
    assert len(placed) == len(set(placed)), "a meeting placed twice"
    assert set(placed) | {u.request for u in result.unplaced} == set(requests)
    assert not set(placed) & {u.request for u in result.unplaced}
    locked = {(p.request, p.slot, p.table) for p in problem.locked}
    assert locked <= {(p.request, p.slot, p.table) for p in result.placements}, "locked moved"
    tables_used = [(p.slot, p.table) for p in result.placements]
    assert len(tables_used) == len(set(tables_used)), "a table used twice in a slot"
    count = dict.fromkeys(people, 0)
    for placement in result.placements:
        slot = by_slot[placement.slot]
        assert placement.table in slot.tables, "a table of another block"
        request = requests[placement.request]
        for person in (request.first, request.second):
            count[person] += 1
            if (placement.request, placement.slot, placement.table) not in locked:
                assert not any(
                    start < slot.ends_at and slot.starts_at < end
                    for start, end in people[person].busy
                ), "a meeting while busy"
    for person, n in count.items():
        limit = people[person].limit
        assert limit is None or n <= limit, "more meetings than the limit"
    for one, other in itertools.combinations(result.placements, 2):
        a, b = by_slot[one.slot], by_slot[other.slot]
        if a.starts_at < b.ends_at and b.starts_at < a.ends_at:
            first, second = requests[one.request], requests[other.request]
            shared = {first.first, first.second} & {second.first, second.second}
            assert not shared, "someone in two meetings at once"


def pair_problem(requests, *, people=None, slot_list=None, locked=()):
    ids = {p for r in requests for p in (r.first, r.second)}
    return Problem(
        people=people or [Person(p) for p in sorted(ids)],
        requests=requests,
        slots=slot_list if slot_list is not None else slots(2, tables=2),
        locked=locked,
    )


def reasons(result) -> dict[int, UnplacedReason]:
    return {u.request: u.reason for u in result.unplaced}


# RULES AND REASONS -------------------------------------------------------------------


def test_schedule_puts_nobody_in_two_meetings_at_once():
    problem = pair_problem(
        [Request(1, 0, 10), Request(2, 0, 11), Request(3, 0, 12)], slot_list=slots(2, tables=3)
    )

    result = schedule(problem, **FAST)

    assert_keeps_the_rules(problem, result)
    assert result.placed == 2
    assert list(reasons(result).values()) == [UnplacedReason.NO_COMMON_SLOT]


def test_schedule_without_a_free_table_says_table_capacity():
    problem = pair_problem([Request(1, 0, 10), Request(2, 1, 11)], slot_list=slots(1, tables=1))

    result = schedule(problem, **FAST)

    assert result.placed == 1
    assert list(reasons(result).values()) == [UnplacedReason.TABLE_CAPACITY]


def test_schedule_past_a_persons_limit_says_meeting_limit():
    people = [Person(0, limit=1), Person(10), Person(11)]
    problem = pair_problem([Request(1, 0, 10), Request(2, 0, 11)], people=people)

    result = schedule(problem, **FAST)

    assert result.placed == 1
    assert list(reasons(result).values()) == [UnplacedReason.MEETING_LIMIT]


def test_schedule_when_one_is_busy_in_every_slot_says_no_common_slot():
    two = slots(2, tables=2)
    people = [Person(0), Person(10, busy=(during(two[0]), during(two[1])))]
    problem = pair_problem([Request(1, 0, 10)], people=people, slot_list=two)

    result = schedule(problem, **FAST)

    assert result.placements == ()
    assert reasons(result) == {1: UnplacedReason.NO_COMMON_SLOT}


def test_schedule_places_a_meeting_only_where_both_are_free():
    two = slots(2, tables=1)
    people = [Person(0, busy=(during(two[0]),)), Person(10)]
    problem = pair_problem([Request(1, 0, 10)], people=people, slot_list=two)

    result = schedule(problem, **FAST)

    assert [(p.request, p.slot) for p in result.placements] == [(1, 1)]


def test_schedule_keeps_a_locked_meeting_where_staff_put_it():
    two = slots(2, tables=2)
    locked = (Placement(1, slot=1, table=1, locked=True),)
    problem = pair_problem([Request(1, 0, 10), Request(2, 0, 11)], slot_list=two, locked=locked)

    result = schedule(problem, **FAST)

    assert_keeps_the_rules(problem, result)
    assert {(p.request, p.slot, p.table) for p in result.placements} == {(1, 1, 1), (2, 0, 0)}


def test_schedule_gives_the_one_free_table_to_the_mutual_meeting():
    problem = pair_problem(
        [Request(1, 0, 10), Request(2, 1, 11, weight=2)], slot_list=slots(1, tables=1)
    )

    result = schedule(problem, **FAST)

    assert [p.request for p in result.placements] == [2]


def test_schedule_never_trades_two_meetings_for_one_mutual():
    # In one slot, A–B (mutual) keeps A and B from A–C and D–B.
    requests = [Request(1, 0, 10, weight=2), Request(2, 0, 11), Request(3, 1, 10)]
    problem = pair_problem(requests, slot_list=slots(1, tables=2))

    result = schedule(problem, **FAST)

    assert sorted(p.request for p in result.placements) == [2, 3]


def test_schedule_puts_a_persons_meetings_back_to_back():
    problem = pair_problem([Request(1, 0, 10), Request(2, 0, 11)], slot_list=slots(3, tables=2))

    result = schedule(problem, **FAST)

    assert sorted(p.slot for p in result.placements) in ([0, 1], [1, 2])
    assert result.gaps == 0


def test_schedule_keeps_a_host_at_one_table():
    requests = [Request(n, n, 10) for n in range(3)]
    problem = pair_problem(requests, slot_list=slots(3, tables=3))

    result = schedule(problem, **FAST)

    assert result.placed == 3
    assert len({p.table for p in result.placements}) == 1
    assert result.table_changes == 0


def test_schedule_of_slots_that_overlap_in_time_books_nobody_twice():
    first = slots(1, tables=1)[0]
    other = Slot(
        1,
        1,
        first.starts_at + dt.timedelta(minutes=10),
        first.ends_at + dt.timedelta(minutes=10),
        (100,),
    )
    problem = pair_problem([Request(1, 0, 10), Request(2, 0, 11)], slot_list=[first, other])

    result = schedule(problem, **FAST)

    assert result.placed == 1


# ONE HOME OF THE RULES (a move by hand) ------------------------------------------------


@pytest.mark.parametrize(
    ("candidate", "conflict"),
    [
        (Placement(2, slot=0, table=0), Conflict.TABLE_TAKEN),
        (Placement(2, slot=0, table=7), Conflict.NO_SUCH_TABLE),
        (Placement(2, slot=9, table=0), Conflict.NO_SUCH_SLOT),
        (Placement(3, slot=0, table=1), Conflict.DOUBLE_BOOKED),
        (Placement(2, slot=1, table=1), Conflict.PERSON_BUSY),
    ],
)
def test_check_placement_names_the_rule_a_move_breaks(candidate, conflict):
    two = slots(2, tables=2)
    people = [Person(0), Person(1), Person(10), Person(11, busy=(during(two[1]),))]
    problem = pair_problem(
        [Request(1, 0, 10), Request(2, 1, 11), Request(3, 0, 11)], people=people, slot_list=two
    )

    conflicts = check_placement(
        problem, placements=[Placement(1, slot=0, table=0)], candidate=candidate
    )

    assert conflict in conflicts


def test_check_placement_past_the_limit_says_meeting_limit():
    people = [Person(0, limit=1), Person(10), Person(11)]
    problem = pair_problem([Request(1, 0, 10), Request(2, 0, 11)], people=people)

    conflicts = check_placement(
        problem, placements=[Placement(1, slot=0, table=0)], candidate=Placement(2, slot=1, table=0)
    )

    assert conflicts == [Conflict.MEETING_LIMIT]


def test_check_placement_of_a_valid_move_finds_nothing():
    problem = pair_problem([Request(1, 0, 10), Request(2, 1, 11)])

    conflicts = check_placement(
        problem, placements=[Placement(1, slot=0, table=0)], candidate=Placement(2, slot=0, table=1)
    )

    assert conflicts == []


# THE BOUND ---------------------------------------------------------------------------


def test_upper_bound_counts_free_slots_and_tables():
    two = slots(2, tables=1)
    people = [Person(0, busy=(during(two[0]),)), Person(1), Person(10), Person(11)]
    requests = [Request(1, 0, 10), Request(2, 0, 11), Request(3, 1, 10), Request(4, 1, 11)]

    # 4 requests; person 0 has one free slot: 3; two slots of one table: 2.
    assert upper_bound(pair_problem(requests, people=people, slot_list=two)) == 2
    assert upper_bound(pair_problem(requests, people=people, slot_list=slots(2, tables=4))) == 3


def test_schedule_reaches_the_bound_without_unavailability():
    """de Werra: without unavailability the flow bound is reachable; the scheduler does."""
    requests = [
        Request(n, d, 100 + h)
        for n, (d, h) in enumerate(
            (d, h) for d in range(12) for h in range(12) if (d * 7 + h * 5) % 3 == 0
        )
    ]
    problem = pair_problem(
        requests, slot_list=slots(5, tables=4) + slots(3, tables=4, block=1, first_id=5)
    )

    result = schedule(problem, time_limit=10.0, gap_time_limit=0.5, workers=2)

    assert_keeps_the_rules(problem, result)
    assert result.placed == upper_bound(problem) == 32


# PROPERTIES ON RANDOM SMALL FAIRS ----------------------------------------------------


@st.composite
def fairs(draw, *, unavailability: bool = True, limits: bool = True) -> Problem:
    """Up to 5 delegates and 5 hosts, one or two blocks of up to 4 slots. Without
    unavailability (de Werra's case) every slot has the same tables."""
    delegates = draw(st.integers(1, 5))
    hosts = draw(st.integers(1, 5))
    all_slots = []
    tables = draw(st.integers(1, 3))
    for block in range(draw(st.integers(1, 2))):
        all_slots += slots(
            draw(st.integers(1, 4)),
            tables=draw(st.integers(1, 3)) if unavailability else tables,
            block=block,
            first_id=len(all_slots),
        )
    pairs = [(d, 100 + h) for d in range(delegates) for h in range(hosts)]
    chosen = [pair for pair in pairs if draw(st.booleans())]
    requests = [
        Request(n, d, h, weight=draw(st.sampled_from([1, 1, 2]))) for n, (d, h) in enumerate(chosen)
    ]
    people = []
    for person in [*range(delegates), *(100 + h for h in range(hosts))]:
        busy = ()
        if unavailability:
            busy = tuple(during(slot) for slot in all_slots if draw(st.integers(0, 4)) == 0)
        limit = draw(st.one_of(st.none(), st.integers(1, 3))) if limits else None
        people.append(Person(person, busy=busy, limit=limit))
    return Problem(people=people, requests=requests, slots=all_slots)


PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(fairs())
def test_schedule_of_any_small_fair_keeps_the_rules(problem):
    result = schedule(problem, **FAST)

    assert_keeps_the_rules(problem, result)
    assert result.optimal
    assert result.placed <= upper_bound(problem)


@PROPERTY
@given(fairs(), st.data())
def test_schedule_with_meetings_locked_keeps_them_and_places_as_many(problem, data):
    first = schedule(problem, **FAST)
    kept = (
        data.draw(st.lists(st.sampled_from(first.placements), unique=True))
        if first.placements
        else []
    )
    problem = Problem(problem.people, problem.requests, problem.slots, locked=tuple(kept))

    again = schedule(problem, **FAST)

    assert_keeps_the_rules(problem, again)
    assert again.placed == first.placed  # the first schedule still fits around them


@PROPERTY
@given(fairs(unavailability=False, limits=False))
def test_schedule_without_unavailability_reaches_the_bound(problem):
    # Slots of different sizes would not do: a square of four meetings in a slot of one
    # table and a slot of three places only three (each slot takes a perfect matching).
    result = schedule(problem, **FAST)

    assert result.placed == upper_bound(problem)


def test_schedule_out_of_time_answers_the_quick_schedule_within_the_rules():
    requests = [Request(1, 0, 10, weight=2), Request(2, 0, 11), Request(3, 1, 10)]
    problem = pair_problem(requests, slot_list=slots(1, tables=2))

    result = schedule(problem, time_limit=0.0, gap_time_limit=0.0, workers=1)

    assert_keeps_the_rules(problem, result)
    assert (result.optimal, result.placed) == (False, 1)
