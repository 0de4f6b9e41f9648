"""An upper bound on the meetings any schedule can place, computed without the scheduler.

A maximum flow (OR-Tools' `SimpleMaxFlow`, a push-relabel algorithm that has nothing to
do with CP-SAT): from a source, through a first node of each person (capacity: the
meetings they can have, i.e. their free slots, capped by their limit), through each
request (capacity one), to a second node of the other person (the same capacity), to
the sink. The source's arc is capped by the slots times their tables. When the requests
go from one side to the other (delegates to hosts), each person uses one of their two
nodes and this is the issue's flow; otherwise it is a looser bound, still a bound.

Without unavailability (everyone free in every slot), without locked meetings, and with
the same number of tables in every slot, slots that do not overlap can hold exactly this
many meetings (de Werra: a bipartite graph of maximum degree at most k has an equitable
k-edge-colouring, each colour class of ⌊m/k⌋ or ⌈m/k⌉ edges; the flow's meetings are
such a graph), which the tests check the scheduler reaches. With slots of different
sizes it need not be: four meetings making a square, in a slot of one table and a slot
of three, fit only three times.
"""

from ortools.graph.python import max_flow

from matchmaking.scheduler import Problem


def upper_bound(problem: Problem) -> int:
    """At most this many of the problem's meetings can be placed (locked ones included)."""
    people = {person.id: n for n, person in enumerate(problem.people)}
    count = len(people)
    hub, source, sink = 2 * count, 2 * count + 1, 2 * count + 2
    graph = max_flow.SimpleMaxFlow()
    graph.add_arc_with_capacity(source, hub, sum(len(slot.tables) for slot in problem.slots))
    for person in problem.people:
        free = sum(1 for slot in problem.slots if person.is_free(slot))
        capacity = free if person.limit is None else min(free, person.limit)
        graph.add_arc_with_capacity(hub, people[person.id], capacity)
        graph.add_arc_with_capacity(count + people[person.id], sink, capacity)
    for request in problem.requests:
        graph.add_arc_with_capacity(people[request.first], count + people[request.second], 1)
    if graph.solve(source, sink) != graph.OPTIMAL:
        raise RuntimeError("The maximum flow of the bound did not solve.")
    return graph.optimal_flow()
