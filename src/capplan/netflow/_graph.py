"""Indexed network: nodes, links, arcs and connectivity."""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import scipy.sparse as sp
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
