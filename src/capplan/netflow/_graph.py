"""Indexed network: nodes, links, arcs, connectivity and commodity groups."""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import scipy.sparse as sp
from networkx.algorithms import bipartite
from scipy.sparse.csgraph import connected_components

from capplan.netflow._timeline import FloatArray, IntArray


@dataclass(frozen=True)
class Net:
    """Nodes and links by index; link ``i`` is arc ``i`` (a→b) and arc ``L + i`` (b→a)."""

    nodes: tuple[str, ...]
    link_names: tuple[str, ...]
    link_a: IntArray
    link_b: IntArray
    tail: IntArray = field(init=False)
    head: IntArray = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tail", np.concatenate([self.link_a, self.link_b]))
        object.__setattr__(self, "head", np.concatenate([self.link_b, self.link_a]))

    @property
    def n_nodes(self) -> int:
        return len(self.nodes)

    @property
    def n_links(self) -> int:
        return len(self.link_names)


def arc_caps(link_caps: FloatArray) -> FloatArray:
    """Full duplex: both arcs of a link get the link's capacity."""
    return np.concatenate([link_caps, link_caps])


def bridges(net: Net, link_caps: FloatArray) -> frozenset[int]:
    """Links whose loss splits a component of the graph of links with capacity > 0."""
    up = np.flatnonzero((link_caps > 0) & (net.link_a != net.link_b))
    pairs: dict[tuple[int, int], list[int]] = {}
    for link in up:
        a, b = int(net.link_a[link]), int(net.link_b[link])
        pairs.setdefault((min(a, b), max(a, b)), []).append(int(link))
    graph = nx.Graph(list(pairs))
    return frozenset(
        pairs[(min(a, b), max(a, b))][0]
        for a, b in nx.bridges(graph)
        if len(pairs[(min(a, b), max(a, b))]) == 1
    )


def components(net: Net, link_caps: FloatArray) -> IntArray:
    """Component label of every node in the graph of links with capacity > 0."""
    up = link_caps > 0
    graph = sp.coo_matrix(
        (np.ones(int(up.sum())), (net.link_a[up], net.link_b[up])),
        shape=(net.n_nodes, net.n_nodes),
    )
    _, labels = connected_components(graph, directed=False)
    return np.asarray(labels, dtype=np.int64)


@dataclass(frozen=True)
class Group:
    """Flows sharing one endpoint (``root``): one LP commodity routes them all exactly.

    Flows with a common source (or a common destination) form a single-source (single-sink)
    flow, which decomposes into paths of the right pairs, so aggregating them is exact.
    A node may root two groups: one as source, one as sink (mixing them would not be exact).
    """

    root: int
    root_is_source: bool
    flows: tuple[int, ...]


def commodity_groups(src: IntArray, dst: IntArray) -> tuple[Group, ...]:
    """Fewest single-root groups covering the flows: a minimum vertex cover (König).

    The cover of the bipartite graph sources × destinations (edges = flows) picks, for each
    flow, an endpoint in the cover; its size is the number of LP commodities.
    """
    if len(src) == 0:
        return ()
    n = int(max(src.max(), dst.max())) + 1
    graph = nx.Graph()
    sources = sorted({int(s) for s in src})
    graph.add_nodes_from(sources)
    graph.add_nodes_from(sorted({n + int(t) for t in dst}))
    graph.add_edges_from((int(s), n + int(t)) for s, t in zip(src, dst, strict=True))
    matching = bipartite.hopcroft_karp_matching(graph, top_nodes=sources)
    cover = bipartite.to_vertex_cover(graph, matching, top_nodes=sources)
    members: dict[tuple[int, bool], list[int]] = {}
    for flow, (s, t) in enumerate(zip(src, dst, strict=True)):
        key = (int(s), True) if int(s) in cover else (int(t), False)
        members.setdefault(key, []).append(flow)
    return tuple(
        Group(root, is_src, tuple(flows)) for (root, is_src), flows in sorted(members.items())
    )
