"""Explaining an infeasible day: the cut (node set S) whose crossing links cannot carry the
demand that must leave S.

A directed cut S→T bounds every routing: the flows with source in S and destination in T
need ``demand`` across the links between S and T, which carry ``capacity`` in that
direction (full duplex: each crossing link once). For one flow the minimum cut is exact
(networkx). For several flows no polynomial search finds the most violated cut, so the
candidates are the balls around each flow endpoint in two metrics from the LP: the
capacity rows' duals (an optimal dual is a length function that certifies λ*) and
"saturated arc = 1, other = 0". On networks of at most ``EXHAUSTIVE_NODES`` nodes every
cut is then measured, so a violated cut is never missed there and "every cut fits" is a
proof. The most violated candidate wins; further violated cuts are reported only if they
share no link and no flow with those already chosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from capplan.netflow._graph import Net, node_graph
from capplan.netflow._lp import Congestion
from capplan.netflow._timeline import FloatArray, IntArray
from capplan.netflow.types import Certificate, ratio

BoolArray = npt.NDArray[np.bool_]
_SATURATED = 1e-6
EXHAUSTIVE_NODES = 14
"""Up to this many nodes every one of the 2^n - 2 cuts is measured (16,382 at 14)."""


@dataclass(frozen=True)
class Cut:
    """A bottleneck: ``flows`` (indices) need ``demand`` across ``links`` (indices)."""

    links: tuple[int, ...]
    flows: tuple[int, ...]
    demand: float
    capacity: float
    certificate: Certificate = "cut"


@dataclass(frozen=True)
class Demands:
    """The flows of one check: endpoints, names, and rates (0 = not part of this check)."""

    names: Sequence[str]
    src: IntArray
    dst: IntArray
    rate: FloatArray


def disconnected_cuts(
    net: Net, link_caps: FloatArray, labels: IntArray, demands: Demands, skip_link: int | None
) -> list[Cut]:
    """One zero-capacity cut per component holding sources of flows it cannot reach.

    ``links`` are the down links leaving the source's component (except ``skip_link``,
    a link removed on purpose), the ones whose readiness would connect it.
    """
    active = demands.rate > 0
    cut_off = active & (labels[demands.src] != labels[demands.dst])
    cuts = []
    for component in sorted({int(labels[s]) for s in demands.src[cut_off]}):
        side = labels == component
        cut = _evaluate(net, link_caps, demands, side[None, :])[0]
        crossing = side[net.link_a] != side[net.link_b]
        links = tuple(int(i) for i in np.flatnonzero(crossing) if i != skip_link)
        cuts.append(Cut(links, cut.flows, cut.demand, 0.0))
    return cuts


def violated_cuts(
    net: Net, link_caps: FloatArray, demands: Demands, lp: Congestion, tolerance: float
) -> list[Cut]:
    """Cuts with demand > capacity × (1 + tolerance); the LP's saturated links if none."""
    active = np.flatnonzero(demands.rate > 0)
    if active.size == 1:
        cut = _min_cut(net, link_caps, demands, int(active[0]))
        if cut.demand > cut.capacity * (1 + tolerance):
            return [cut]
    sides = _candidate_sides(net, link_caps, demands, lp)
    chosen = _most_violated(net, link_caps, demands, sides, tolerance)
    exhaustive = net.n_nodes <= EXHAUSTIVE_NODES
    if not chosen and exhaustive:
        chosen = _most_violated(net, link_caps, demands, _every_side(net.n_nodes), tolerance)
    return chosen or [_saturated(net, link_caps, demands, lp, proven=exhaustive)]


def _most_violated(
    net: Net, link_caps: FloatArray, demands: Demands, sides: BoolArray, tolerance: float
) -> list[Cut]:
    """The violated cuts among ``sides``, best first, pairwise disjoint."""
    demand, capacity = _measure(net, link_caps, demands, sides)
    violated = np.flatnonzero(demand > capacity * (1 + tolerance))
    cuts = _evaluate(net, link_caps, demands, sides[violated])
    return _disjoint(sorted(cuts, key=lambda c: _rank(c, net, demands)))


def _every_side(n_nodes: int) -> BoolArray:
    """Every node set S other than the empty set and all nodes, one row each."""
    codes = np.arange(1, 2**n_nodes - 1, dtype=np.int64)
    bits = (codes[:, None] >> np.arange(n_nodes, dtype=np.int64)[None, :]) & 1
    return np.asarray(bits.astype(bool), dtype=np.bool_)


def _rank(cut: Cut, net: Net, demands: Demands) -> tuple[float, int, list[str], list[str]]:
    """Most violated first; then fewer links; then names, for determinism."""
    return (
        -ratio(cut.demand, cut.capacity),
        len(cut.links),
        sorted(net.link_names[i] for i in cut.links),
        sorted(demands.names[i] for i in cut.flows),
    )


def _disjoint(ranked: list[Cut]) -> list[Cut]:
    """Keep cuts that share no link and no flow with a better one: distinct bottlenecks."""
    chosen: list[Cut] = []
    links: set[int] = set()
    flows: set[int] = set()
    for cut in ranked:
        if links.isdisjoint(cut.links) and flows.isdisjoint(cut.flows):
            chosen.append(cut)
            links.update(cut.links)
            flows.update(cut.flows)
    return chosen


def _min_cut(net: Net, link_caps: FloatArray, demands: Demands, flow: int) -> Cut:
    """The exact minimum cut for one flow: networkx's, the one nearest the destination.

    networkx is imported here, not with the module: it is a tenth of a second of
    start-up that only a day with an unroutable single flow needs.
    """
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(range(net.n_nodes))
    for tail, head, cap in zip(
        net.tail, net.head, np.concatenate([link_caps, link_caps]), strict=True
    ):
        if cap > 0:
            edge = graph.get_edge_data(int(tail), int(head))
            total = float(cap) + (edge["capacity"] if edge else 0.0)
            graph.add_edge(int(tail), int(head), capacity=total)
    _, (source_side, _) = nx.minimum_cut(graph, int(demands.src[flow]), int(demands.dst[flow]))
    side = np.zeros((1, net.n_nodes), dtype=bool)
    side[0, sorted(source_side)] = True
    return _evaluate(net, link_caps, demands, side)[0]


def _candidate_sides(
    net: Net, link_caps: FloatArray, demands: Demands, lp: Congestion
) -> BoolArray:
    """Balls around every active source (and, reversed, destination) in both metrics."""
    caps = np.concatenate([link_caps, link_caps])
    up = caps > 0
    saturated = up & (lp.loads >= lp.lam * caps * (1 - _SATURATED))
    active = demands.rate > 0
    sources = np.unique(demands.src[active])
    sinks = np.unique(demands.dst[active])
    sides: list[BoolArray] = []
    for length in (lp.duals, saturated.astype(np.float64)):
        graph = _length_graph(net, up, length)
        sides.append(_balls(dijkstra(graph, directed=True, indices=sources), net.n_nodes))
        sides.append(~_balls(dijkstra(graph.T, directed=True, indices=sinks), net.n_nodes))
    stacked = np.concatenate(sides)
    stacked = np.concatenate([stacked, ~stacked])
    nontrivial = stacked.any(axis=1) & ~stacked.all(axis=1)
    return _unique_rows(stacked[nontrivial])


def _unique_rows(rows: BoolArray) -> BoolArray:
    """The distinct rows, in order of first appearance.

    Rows are packed to bytes and compared as one opaque value each: ``np.unique(axis=0)``
    compares a structured dtype field by field, which dominated wide networks.
    """
    if not rows.size:
        return rows
    packed = np.ascontiguousarray(np.packbits(rows, axis=1))
    keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first = np.unique(keys, return_index=True)
    return np.asarray(rows[np.sort(first)], dtype=np.bool_)


def _length_graph(net: Net, up: BoolArray, length: FloatArray) -> sp.csr_matrix:
    """Arcs that are up at their (non-negative) length; zero lengths stay edges."""
    graph, _ = node_graph(net, up, np.maximum(length, 0.0))
    return graph


def _balls(distances: FloatArray, n_nodes: int) -> BoolArray:
    """``{v : dist(v) ≤ r}`` for every finite distance value r of every row, one ball a
    row: row by row, radii ascending (all rows sorted at once, not one ``unique`` each)."""
    rows = np.atleast_2d(distances).reshape(-1, n_nodes)
    ordered = np.sort(rows, axis=1)
    distinct = np.isfinite(ordered)
    distinct[:, 1:] &= ordered[:, 1:] != ordered[:, :-1]
    row, column = np.nonzero(distinct)
    radii = ordered[row, column]
    balls: BoolArray = rows[row] <= radii[:, None] * (1 + 1e-9) + 1e-300
    return balls


def _measure(
    net: Net, link_caps: FloatArray, demands: Demands, sides: BoolArray
) -> tuple[FloatArray, FloatArray]:
    """Demand leaving each side S (S→T) and the capacity of the up links crossing it."""
    crossing = sides[:, net.link_a] != sides[:, net.link_b]
    up = link_caps > 0
    capacity = crossing[:, up].astype(np.float64) @ link_caps[up]
    leaving = sides[:, demands.src] & ~sides[:, demands.dst] & (demands.rate > 0)
    return leaving.astype(np.float64) @ demands.rate, capacity


def _evaluate(net: Net, link_caps: FloatArray, demands: Demands, sides: BoolArray) -> list[Cut]:
    """The cut of each side S: crossing up links, flows leaving S, demand and capacity."""
    demand, capacity = _measure(net, link_caps, demands, sides)
    crossing = sides[:, net.link_a] != sides[:, net.link_b]
    up = link_caps > 0
    leaving = sides[:, demands.src] & ~sides[:, demands.dst] & (demands.rate > 0)
    cuts = []
    for i in range(sides.shape[0]):
        links = tuple(int(j) for j in np.flatnonzero(crossing[i] & up))
        flows = tuple(int(f) for f in np.flatnonzero(leaving[i]))
        cuts.append(Cut(links, flows, float(demand[i]), float(capacity[i])))
    return cuts


def _saturated(
    net: Net, link_caps: FloatArray, demands: Demands, lp: Congestion, proven: bool
) -> Cut:
    """Fallback certificate: links whose capacity rows have positive duals.

    ``proven``: every cut was measured and fits (certificate ``saturated``); otherwise
    only the candidate cuts were (``duals``) and a violated cut may exist unseen.

    The flows are those whose shortest path in the dual metric is positive (they must
    cross the limiting links); demand is the load the optimum puts on them, λ* × capacity.
    """
    caps = np.concatenate([link_caps, link_caps])
    up = caps > 0
    limiting = up & (lp.duals > _SATURATED * max(float(lp.duals.max(initial=0.0)), 1e-300))
    n = net.n_links
    links = tuple(int(i) for i in np.flatnonzero(limiting[:n] | limiting[n:]))
    graph = _length_graph(net, up, lp.duals)
    active = np.flatnonzero(demands.rate > 0)
    distance = dijkstra(graph, directed=True, indices=demands.src[active])
    flows = tuple(
        int(f)
        for row, f in zip(np.atleast_2d(distance), active, strict=True)
        if row[demands.dst[f]] > 0
    )
    capacity = float(link_caps[list(links)].sum())
    return Cut(links, flows, lp.lam * capacity, capacity, "saturated" if proven else "duals")
