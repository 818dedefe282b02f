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


@dataclass(frozen=True)
class ArcIndex:
    """Which arc a node graph keeps from ``u`` to ``v``: sorted keys ``u * n + v``.

    Sorted arrays rather than a dense n x n table, so building one costs O(arcs), not
    O(nodes^2) (a thousand-node network is built many times per day by the pricing).
    """

    n_nodes: int
    keys: IntArray
    arcs: IntArray

    def arc(self, tail: int, head: int) -> int:
        """The kept arc from ``tail`` to ``head`` (the pair must have one)."""
        index = int(np.searchsorted(self.keys, tail * self.n_nodes + head))
        return int(self.arcs[index])


def node_graph(net: Net, usable: np.ndarray, lengths: FloatArray) -> tuple[sp.csr_matrix, ArcIndex]:
    """Node graph of the usable arcs for scipy's csgraph, and which arc each entry is.

    Of parallel arcs only the shortest is kept (scipy would sum parallel entries); ties
    go to the lowest arc index, which keeps paths deterministic. The index gives the
    arc kept from ``u`` to ``v``. Entries are stored explicitly, so an arc of length 0 is
    still an edge to csgraph.
    """
    n = net.n_nodes
    arcs = np.flatnonzero(usable)
    key = net.tail[arcs] * n + net.head[arcs]
    order = np.lexsort((arcs, lengths[arcs], key))
    arcs, key = arcs[order], key[order]
    first = np.ones(arcs.size, dtype=bool)
    first[1:] = key[1:] != key[:-1]
    arcs = arcs[first]
    index = ArcIndex(n, key[first], arcs)
    # Sorted by tail then head: already the CSR layout, no COO conversion needed.
    tails = net.tail[arcs]
    indptr = np.searchsorted(tails, np.arange(n + 1))
    graph = sp.csr_matrix((lengths[arcs], net.head[arcs], indptr), shape=(n, n))
    return graph, index


def tree_path(
    predecessor: np.ndarray, best_arc: ArcIndex, src: int, dst: int, reverse: bool
) -> IntArray:
    """Arcs of the path from ``src`` to ``dst`` in a shortest-path tree.

    The tree is rooted at ``src``, or at ``dst`` on the reversed graph if ``reverse``
    (then each node's predecessor is its next hop towards ``dst``).
    """
    arcs = []
    if reverse:
        node = src
        while node != dst:
            after = int(predecessor[node])
            arcs.append(best_arc.arc(node, after))
            node = after
        return np.array(arcs, dtype=np.int64)
    node = dst
    while node != src:
        before = int(predecessor[node])
        arcs.append(best_arc.arc(before, node))
        node = before
    return np.array(arcs[::-1], dtype=np.int64)
