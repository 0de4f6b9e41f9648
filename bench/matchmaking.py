"""Benchmark: the matchmaking scheduler on a synthetic trade fair (issue 14, Performance).

    .venv/bin/python bench/matchmaking.py
    .venv/bin/python bench/matchmaking.py --seed 7 --time-limit 10 --workers 4

A fixed seed builds the fair: 200 delegates and 200 hosts; 2,000 accepted requests from a
delegate to a host, at most 20 per person, 10% of them mutual (weight 2); 3 meeting
blocks (one a day, 14:00 to 18:10) of 10 slots of 20 minutes with 5-minute breaks; 80
tables; 20% of the people unavailable for one block. No database: the scheduler is a
pure module (matchmaking/scheduler.py). It prints

1. the meetings a first-come first-served baseline places: each request in turn into its
   earliest common free slot, at the first free table;
2. the meetings the scheduler places, its idle gaps and table changes;
3. an upper bound computed independently of the scheduler (matchmaking/bounds.py: a
   maximum flow in which each person takes at most as many meetings as they have free
   slots, capped by the slots times the tables);
4. the scheduler's wall time and the machine's load;

and as its last line `ratio X.XXX`: placed / upper bound (aim: 0.99 or better within
30 s on a two-core machine).
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matchmaking.bounds import upper_bound  # noqa: E402  (after the path is set)
from matchmaking.scheduler import Person, Problem, Request, Slot, schedule  # noqa: E402

DELEGATES = 200
HOSTS = 200
REQUESTS = 2_000
PER_PERSON = 20
MUTUAL = 0.10
BLOCKS = 3
SLOTS_PER_BLOCK = 10
SLOT = dt.timedelta(minutes=20)
BREAK = dt.timedelta(minutes=5)
TABLES = 80
UNAVAILABLE = 0.20
FIRST_DAY = dt.datetime(2026, 3, 3, 14, tzinfo=dt.UTC)


def trade_fair(seed: int, *, tables: int = TABLES) -> Problem:
    rng = random.Random(seed)  # noqa: S311  (a reproducible fair, no secret)
    slots = []
    blocks = []
    for block in range(BLOCKS):
        start = FIRST_DAY + dt.timedelta(days=block)
        names = tuple(block * 1000 + t for t in range(tables))
        for n in range(SLOTS_PER_BLOCK):
            starts_at = start + n * (SLOT + BREAK)
            slots.append(Slot(len(slots), block, starts_at, starts_at + SLOT, names))
        blocks.append((start, slots[-1].ends_at))
    delegates = list(range(DELEGATES))
    hosts = list(range(DELEGATES, DELEGATES + HOSTS))
    everyone = delegates + hosts
    away = set(rng.sample(everyone, round(UNAVAILABLE * len(everyone))))
    people = [
        Person(p, busy=(blocks[rng.randrange(BLOCKS)],) if p in away else ()) for p in everyone
    ]
    degree = dict.fromkeys(everyone, 0)
    pairs: list[tuple[int, int]] = []
    seen = set()
    while len(pairs) < REQUESTS:
        delegate, host = rng.choice(delegates), rng.choice(hosts)
        if (delegate, host) in seen or degree[delegate] >= PER_PERSON or degree[host] >= PER_PERSON:
            continue
        seen.add((delegate, host))
        degree[delegate] += 1
        degree[host] += 1
        pairs.append((delegate, host))
    mutual = set(rng.sample(range(REQUESTS), round(MUTUAL * REQUESTS)))
    requests = [
        Request(n, delegate, host, weight=2 if n in mutual else 1)
        for n, (delegate, host) in enumerate(pairs)
    ]
    return Problem(people=people, requests=requests, slots=slots)


def first_come_first_served(problem: Problem) -> int:
    """Each request in turn into its earliest common free slot, at the first free table."""
    people = {person.id: person for person in problem.people}
    booked: set[tuple[int, int]] = set()  # (person, slot)
    used = dict.fromkeys((slot.id for slot in problem.slots), 0)
    placed = 0
    for request in problem.requests:
        for slot in problem.slots:
            pair = (request.first, request.second)
            if (
                used[slot.id] < len(slot.tables)
                and all(people[p].is_free(slot) for p in pair)
                and not any((p, slot.id) in booked for p in pair)
            ):
                used[slot.id] += 1
                booked.update((p, slot.id) for p in pair)
                placed += 1
                break
    return placed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--time-limit", type=float, default=20.0, help="round 1, seconds")
    parser.add_argument("--gap-time-limit", type=float, default=5.0, help="round 2, seconds")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT's workers")
    parser.add_argument("--tables", type=int, default=TABLES, help="fewer: a harder fair")
    args = parser.parse_args()

    problem = trade_fair(args.seed, tables=args.tables)
    print(
        f"fair: {DELEGATES} delegates, {HOSTS} hosts, {len(problem.requests)} requests "
        f"({sum(r.weight > 1 for r in problem.requests)} mutual), {BLOCKS} blocks of "
        f"{SLOTS_PER_BLOCK} slots, {args.tables} tables, "
        f"{sum(bool(p.busy) for p in problem.people)} people away for one block"
    )
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"first come, first served: {first_come_first_served(problem)} placed")
    started = time.perf_counter()
    result = schedule(
        problem,
        time_limit=args.time_limit,
        gap_time_limit=args.gap_time_limit,
        workers=args.workers,
        seed=args.seed,
    )
    wall = time.perf_counter() - started
    print(
        f"scheduler: {result.placed} placed ({'proven best' if result.optimal else 'time limit'}),"
        f" {len(result.unplaced)} not, {result.gaps} idle gaps, "
        f"{result.table_changes} table changes"
    )
    bound = upper_bound(problem)
    print(f"upper bound (maximum flow): {bound}")
    print(f"wall time: {wall:.1f} s")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"ratio {result.placed / bound:.3f}")


if __name__ == "__main__":
    main()
