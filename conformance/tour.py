"""Tours: status coverage, and transition coverage as an optimal Chinese-postman tour.

The transition tour covers every move of the unfolded machine (:mod:`.fsm`: every accepted
``go`` from every reachable extended state, every timer firing and clock-region change) with
the least total length, steps plus resets, each test starting with a reset into an entry
point. :func:`postman` solves the directed Chinese-postman problem with resets as a min-cost
flow (networkx network simplex):

- a hub node stands for "between tests"; any state may stop a test (edge to the hub, cost 0);
  a reset is the hub to an entry node of the component, then to a start state (cost
  ``reset_cost`` in all);
- every required edge is traversed once; the flow adds the cheapest extra traversals that
  balance in- and out-degrees; every weakly connected component of the required edges gets
  one required reset so that the result is one closed walk through the hub;
- the closed walk (an Eulerian circuit, networkx) cut at the hub is the suite.

The optimum is the required cost plus the flow's cost; the suite's length is measured on the
tests; they are reported side by side and must agree. Transition-pair coverage reuses
:func:`postman` on the line graph (:mod:`.pairs`). Status coverage has no polynomial optimum
(it is a travelling-salesman problem); :func:`status_tour` is a greedy tour reported with a
lower bound, and says "optimal" only when the two meet.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Sequence
from typing import Any, Generic, TypeVar

from statusproof.model.record import record

from .cases import Suite, check_limit, concretise, number_tests
from .fsm import Explicit, Word

__all__ = ["PostmanTour", "postman", "transition_tour", "status_tour", "HUB"]

N = TypeVar("N", bound=Hashable)
L = TypeVar("L")

#: The hub node of the flow graph: "between two tests".
HUB = ("#hub",)


@record
class PostmanTour(Generic[N, L]):
    """Walks covering every required edge: each is a start node and the labels taken.

    ``optimum`` is the min-cost-flow optimum (required cost plus the cheapest balancing);
    ``length`` is the walks' own total, steps plus ``reset_cost`` per walk.
    """

    walks: tuple[tuple[N, tuple[L, ...]], ...]
    optimum: int
    length: int
    required: int
    extra: int


def postman(required: Sequence[tuple[N, N, L]], starts: Sequence[N], reset_cost: int = 1,
            resets: Sequence[N] = ()) -> PostmanTour[N, L]:
    """A shortest set of walks from ``starts`` that covers every ``required`` edge.

    ``required`` holds (source, target, label) triples, each costing 1 (they may be taken
    again at the same cost to move around). Every walk starts with a reset into a start,
    costing ``reset_cost``; ``resets`` lists starts that must each begin a walk at least
    once (as often as listed).

    Examples
    --------
    >>> tour = postman([("a", "b", "ab"), ("b", "a", "ba"), ("b", "c", "bc")], ["a"])
    >>> tour.walks, tour.optimum, tour.length
    ((('a', ('ab', 'ba', 'ab', 'bc')),), 5, 5)
    """
    import networkx as nx  # here, not at the top: a run of a suite file never needs it

    if reset_cost < 0:
        raise ValueError("a reset cannot cost less than nothing")
    order: dict[Any, int] = {}
    for source, target, _ in required:
        order.setdefault(source, len(order))
        order.setdefault(target, len(order))
    for node in (*resets, *starts):
        order.setdefault(node, len(order))
    start_set = set(starts)
    for node in resets:
        if node not in start_set:
            raise ValueError(f"a required reset into {node!r}, which is not a start")

    # weakly connected components of what must be covered
    links: nx.Graph[Any] = nx.Graph()
    links.add_nodes_from(order)
    links.add_edges_from((s, t) for s, t, _ in required)
    involved = sorted({n for s, t, _ in required for n in (s, t)} | set(resets),
                      key=order.__getitem__)
    components: list[list[Any]] = []
    component_of: dict[Any, int] = {}
    for node in involved:
        if node in component_of:
            continue
        members = sorted(nx.node_connected_component(links, node), key=order.__getitem__)
        if not any(m in start_set for m in members):
            raise ValueError(f"required edges around {node!r} cannot be reached from any "
                             "start")
        for member in members:
            component_of[member] = len(components)
        components.append(members)

    def entry(number: int) -> tuple[str, int]:
        return ("#entry", number)

    euler: nx.MultiDiGraph[Any] = nx.MultiDiGraph()
    balance: dict[Any, int] = {}

    def add_required(u: Any, v: Any, label: Any) -> None:
        euler.add_edge(u, v, label=label)
        balance[u] = balance.get(u, 0) + 1
        balance[v] = balance.get(v, 0) - 1

    required_cost = 0
    for source, target, label in required:
        add_required(source, target, label)
        required_cost += 1
    reset_into: set[int] = set()
    for node in resets:
        add_required(HUB, entry(component_of[node]), None)
        add_required(entry(component_of[node]), node, None)
        reset_into.add(component_of[node])
        required_cost += reset_cost
    for number in range(len(components)):
        if number not in reset_into:
            add_required(HUB, entry(number), None)
            required_cost += reset_cost

    # the flow network: repeat any required edge (cost 1), stop anywhere (0), reset (cost)
    flow: nx.DiGraph[Any] = nx.DiGraph()
    usable: dict[tuple[Any, Any], Any] = {}  # labels by (source, target)
    for source, target, label in required:
        if (source, target) not in usable:
            usable[(source, target)] = label
            flow.add_edge(source, target, weight=1)
    for node in order:
        flow.add_edge(node, HUB, weight=0)
    for number, members in enumerate(components):
        flow.add_edge(HUB, entry(number), weight=reset_cost)
        for member in members:
            if member in start_set:
                flow.add_edge(entry(number), member, weight=0)
    for node in flow.nodes:
        flow.nodes[node]["demand"] = balance.get(node, 0)
    flows = nx.min_cost_flow(flow)
    extra = int(nx.cost_of_flow(flow, flows))
    for u in sorted(flows, key=_key(order)):
        for v in sorted(flows[u], key=_key(order)):
            for _ in range(flows[u][v]):
                euler.add_edge(u, v, label=usable.get((u, v)))

    walks: list[tuple[Any, tuple[Any, ...]]] = []
    current: list[Any] = []
    begin: Any = None
    for u, v, k in nx.eulerian_circuit(euler, source=HUB, keys=True):
        if u == HUB:
            current, begin = [], None
        elif _is_entry(u):
            begin = v
        elif v == HUB:
            walks.append((begin, tuple(current)))
        else:
            current.append(euler.edges[u, v, k]["label"])
    length = sum(reset_cost + len(w) for _, w in walks)
    return PostmanTour(tuple(walks), required_cost + extra, length, required_cost, extra)


def _is_entry(node: Any) -> bool:
    return isinstance(node, tuple) and len(node) == 2 and node[0] == "#entry"


def _key(order: dict[Any, int]) -> Any:
    def key(node: Any) -> tuple[int, int, str]:
        if node in order:
            return (0, order[node], "")
        return (1, 0, repr(node))
    return key


def _start_of(explicit: Explicit) -> dict[int, int]:
    return {state: number for number, (_, state) in enumerate(explicit.starts)}


def transition_tour(explicit: Explicit, table: str, reset_cost: int = 1,
                    limit: int | None = None) -> Suite:
    """Transition coverage: every move of the unfolded machine, in a shortest tour."""
    edges = explicit.edges()
    if limit is not None:
        check_limit("transitions", 2 * len(edges) + explicit.size, limit,
                    "choose a smaller table")
    tour = postman([(q, t, (q, a)) for q, a, t in edges],
                   [state for _, state in explicit.starts], reset_cost)
    starts = _start_of(explicit)
    names = number_tests("transitions", len(tour.walks))
    tests = tuple(concretise(explicit.machine, name, explicit.starts[starts[begin]][0],
                             [a for _, a in walk])
                  for name, (begin, walk) in zip(names, tour.walks, strict=True))
    suite = Suite("transitions", "every move of the unfolded machine (accepted go steps, "
                  "timer firings, clock regions), as a shortest tour with resets",
                  table, tests,
                  (("moves", len(edges)), ("states", explicit.size),
                   ("optimum", tour.optimum), ("length", tour.length),
                   ("reset cost", reset_cost)),
                  tuple(explicit.machine.notes))
    if tour.length != tour.optimum or (reset_cost == 1 and suite.length != tour.length):
        raise AssertionError(  # pragma: no cover - the flow and the circuit always agree
            f"tour length {suite.length} differs from the optimum {tour.optimum}")
    return suite


def status_tour(explicit: Explicit, table: str, reset_cost: int = 1) -> Suite:
    """Status coverage: a greedy tour visiting every reachable status, with a lower bound."""
    statuses = sorted({explicit.status(q) for q in range(explicit.size)},
                      key=explicit.machine.model.names.index)
    uncovered = set(statuses)
    walks: list[tuple[int, Word]] = []
    while uncovered:
        best: tuple[int, int, list[int], int] | None = None
        for number, (_, state) in enumerate(explicit.starts):
            path, end = _nearest(explicit, state, uncovered, include_self=True)
            if path is not None and (best is None or len(path) < best[0]):
                best = (len(path), number, path, end)
        if best is None:  # pragma: no cover - every explored status is reachable
            raise AssertionError("unreachable statuses: " + ", ".join(sorted(uncovered)))
        _, number, word, position = best
        begin = explicit.starts[number][1]
        uncovered.discard(explicit.status(begin))
        for q in _visited(explicit, begin, word):
            uncovered.discard(explicit.status(q))
        while True:
            path, end = _nearest(explicit, position, uncovered, include_self=False)
            if path is None:
                break
            for q in _visited(explicit, position, path):
                uncovered.discard(explicit.status(q))
            word = [*word, *path]
            position = end
        walks.append((number, tuple(word)))
    names = number_tests("statuses", len(walks))
    tests = tuple(concretise(explicit.machine, name, explicit.starts[number][0], word)
                  for name, (number, word) in zip(names, walks, strict=True))
    bound = _status_bound(explicit, statuses, reset_cost)
    length = sum(len(w) + reset_cost for _, w in walks)
    return Suite("statuses", "every reachable status at least once (greedy tour)", table,
                 tests, (("statuses", len(statuses)), ("lower bound", bound),
                         ("length", length),
                         ("optimal", "yes" if length == bound else "unknown")),
                 tuple(explicit.machine.notes))


def _visited(explicit: Explicit, q: int, word: Sequence[int]) -> list[int]:
    seen = []
    for a in word:
        q = explicit.delta(q, a)
        seen.append(q)
    return seen


def _nearest(explicit: Explicit, begin: int, wanted: set[str], include_self: bool
             ) -> tuple[list[int] | None, int]:
    """A shortest word from ``begin`` to a state whose status is in ``wanted``."""
    if include_self and explicit.status(begin) in wanted:
        return [], begin
    parent: dict[int, tuple[int, int]] = {begin: (-1, -1)}
    queue = deque([begin])
    while queue:
        q = queue.popleft()
        for a, t in explicit.moves[q].items():
            if t in parent:
                continue
            parent[t] = (q, a)
            if explicit.status(t) in wanted:
                word = []
                node = t
                while node != begin:
                    node, symbol = parent[node]
                    word.append(symbol)
                return word[::-1], t
            queue.append(t)
    return None, begin


def _status_bound(explicit: Explicit, statuses: Sequence[str], reset_cost: int) -> int:
    """A lower bound on any status tour: one step into each status no reset reaches, and
    one test per sink status (a test ends in at most one) and per entry status nothing
    else reaches."""
    entry_statuses = {explicit.status(state) for _, state in explicit.starts}
    reached_by_step = {explicit.status(t) for q in range(explicit.size)
                       for t in explicit.moves[q].values() if t != q}
    moving = {explicit.status(q) for q in range(explicit.size)
              if any(t != q for t in explicit.moves[q].values())}
    sinks = [s for s in statuses if s not in moving]
    entry_only = [s for s in entry_statuses if s not in reached_by_step]
    steps = len([s for s in statuses if s not in entry_statuses])
    return reset_cost * max(1, len(sinks), len(entry_only)) + steps
