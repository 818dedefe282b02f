"""A cheap exact shortcut for single-link failures.

If the traffic a routing puts on a link fits around it in the capacity that routing
leaves free at its own congestion λ, losing the link does not raise the minimum
congestion above λ (and it cannot lower it), so no failure LP is needed. The test runs
two integer max-flows (scipy, one per direction) on capacities rounded down and demands
rounded up, so rounding can only make it say "no", never a wrong "yes".

``cut_bound`` gives the matching lower bound: when the traffic fits around the link at
the bound (not just at the intact λ), the bound is the exact λ after the loss.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

from capplan.netflow._graph import Net, arc_caps, node_graph, tree_path
from capplan.netflow._timeline import FloatArray, IntArray

_STEPS = 2**24
"""Integer resolution of the test; small enough that summed parallel arcs fit in int32."""


def fits_around(net: Net, link_caps: FloatArray, loads: FloatArray, lam: float, link: int) -> bool:
    """Whether both directions' load on ``link`` can detour through spare capacity."""
    n = net.n_links
    need = loads[[link, n + link]]
    if need.max(initial=0.0) <= 0:
        return True
    spare = np.maximum(lam * arc_caps(link_caps) - loads, 0.0)
    spare[[link, n + link]] = 0.0
    unit = max(float(spare.max()), float(need.max())) / _STEPS
    capacity = np.floor(spare / unit).astype(np.int64)
    a, b = int(net.link_a[link]), int(net.link_b[link])
    for (source, sink), amount in zip(((a, b), (b, a)), need, strict=True):
        required = math.ceil(float(amount) / unit)
        if required <= 0:
            continue
        used = _single_path(net, capacity, source, sink, required)
        if used is None:
            used = _detour(net, capacity, source, sink, required)
        if used is None:
            return False
        capacity -= used
    return True


def _single_path(
    net: Net, capacity: np.ndarray, source: int, sink: int, required: int
) -> np.ndarray | None:
    """Per-arc units of ``required`` units on one path whose every arc has room, or None.

    Usually the spare capacity is ample and one breadth-first search settles the detour;
    only when no single path has room does the max-flow (which may split) run.
    """
    roomy = (capacity >= required) & (net.tail != net.head)
    graph, best = node_graph(net, roomy, np.ones(capacity.size))
    _, predecessor = breadth_first_order(graph, source, directed=True, return_predecessors=True)
    if predecessor[sink] < 0:
        return None
    used = np.zeros_like(capacity)
    used[tree_path(predecessor, best, source, sink, False)] = required
    return used


def _detour(
    net: Net, capacity: np.ndarray, source: int, sink: int, required: int
) -> np.ndarray | None:
    """Per-arc units of a ``required``-unit flow source→sink within ``capacity``, or None.

    A super source with one arc of ``required`` units caps the max-flow at the need, so
    the second direction is left as much spare as possible.
    """
    keep = (capacity > 0) & (net.tail != net.head)
    if not keep.any():
        return None
    # The flow is at most what leaves the source or enters the sink: a cheap "no".
    if (
        int(capacity[keep & (net.tail == source)].sum()) < required
        or int(capacity[keep & (net.head == sink)].sum()) < required
    ):
        return None
    n = net.n_nodes
    # Parallel arcs summed, entries sorted by (tail, head): the CSR layout, built directly
    # (scipy's COO route costs more than the max-flow itself on graphs this small).
    key = np.concatenate([net.tail[keep] * (n + 1) + net.head[keep], [n * (n + 1) + source]])
    pairs, position = np.unique(key, return_inverse=True)
    data = np.bincount(position, weights=np.concatenate([capacity[keep], [required]]))
    indptr = np.searchsorted(pairs // (n + 1), np.arange(n + 2))
    graph = sp.csr_array(
        (data.astype(np.int32), (pairs % (n + 1)).astype(np.int32), indptr.astype(np.int32)),
        shape=(n + 1, n + 1),
    )
    result = maximum_flow(graph, n, sink)
    if result.flow_value < required:
        return None
    flow = result.flow.toarray()
    per_pair = np.maximum(flow[:n, :n], 0)
    return _split_to_arcs(net, capacity, keep, per_pair)


def _split_to_arcs(
    net: Net, capacity: np.ndarray, keep: np.ndarray, per_pair: np.ndarray
) -> np.ndarray:
    """Spread each node pair's flow over its parallel arcs, filling them in arc order."""
    arcs = np.flatnonzero(keep)
    pair = net.tail[arcs] * net.n_nodes + net.head[arcs]
    order = np.lexsort((arcs, pair))
    arcs, pair = arcs[order], pair[order]
    caps = capacity[arcs]
    before = np.cumsum(caps) - caps
    first = np.ones(arcs.size, dtype=bool)
    first[1:] = pair[1:] != pair[:-1]
    before -= np.maximum.accumulate(np.where(first, before, 0))
    flow = per_pair.ravel()[pair]
    used = np.zeros_like(capacity)
    used[arcs] = np.clip(flow - before, 0, caps)
    return used


def cut_bound(
    net: Net, link_caps: FloatArray, src: IntArray, dst: IntArray, rates: FloatArray, link: int
) -> float:
    """A lower bound of λ* after losing ``link``, from small cuts around its endpoints.

    For a node set ``S``, whatever leaves (enters) ``S`` crosses its remaining links, so
    λ* ≥ max(traffic out of, into ``S``) / (capacity of the links leaving ``S``). The
    sets tried: each endpoint alone, and each endpoint with one neighbour (other than
    the link's other end). Cuts with no capacity left are skipped (bridges: not asked).
    """
    a, b = int(net.link_a[link]), int(net.link_b[link])
    up = link_caps > 0
    sets: list[np.ndarray] = []
    for node in (a, b):
        alone = np.zeros(net.n_nodes, dtype=bool)
        alone[node] = True
        sets.append(alone)
        near = np.concatenate(
            [net.link_b[up & (net.link_a == node)], net.link_a[up & (net.link_b == node)]]
        )
        for neighbour in np.unique(near):
            if neighbour not in (a, b):
                pair = alone.copy()
                pair[neighbour] = True
                sets.append(pair)
    inside = np.array(sets)
    from_in, to_in = inside[:, src], inside[:, dst]
    out = (from_in & ~to_in).astype(np.float64) @ rates
    into = (~from_in & to_in).astype(np.float64) @ rates
    crossing = inside[:, net.link_a] ^ inside[:, net.link_b]
    crossing[:, link] = False
    capacity = crossing.astype(np.float64) @ link_caps
    has = capacity > 0
    if not has.any():
        return 0.0
    return float((np.maximum(out, into)[has] / capacity[has]).max())
