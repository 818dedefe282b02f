"""Indexed network: nodes, links, arcs and connectivity."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, depth_first_order

from capplan.netflow._timeline import FloatArray, IntArray

BoolArray = npt.NDArray[np.bool_]


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
    """Links whose loss splits a component of the graph of links with capacity > 0.

    Links are grouped by endpoint pair with numpy (a link with a parallel sibling up is
    never a bridge); the pairs' bridges come from one depth-first search (``_bridge_pairs``).
    """
    up = np.flatnonzero((link_caps > 0) & (net.link_a != net.link_b))
    low = np.minimum(net.link_a[up], net.link_b[up])
    high = np.maximum(net.link_a[up], net.link_b[up])
    n = net.n_nodes
    keys, first, counts = np.unique(low * n + high, return_index=True, return_counts=True)
    single = counts == 1
    found = _bridge_pairs(n, keys // n, keys % n) & single
    return frozenset(up[first[found]].tolist())


def _bridge_pairs(n_nodes: int, a: IntArray, b: IntArray) -> BoolArray:
    """Which edges of the simple graph ``a[i]–b[i]`` are bridges (Tarjan's low-links).

    scipy's depth-first search from a virtual root joined to every node gives the
    preorder and the tree (the root's own edges are not part of the graph); a tree edge
    ``p→v`` is a bridge when nothing below ``v`` has an edge above ``v`` other than
    ``p→v`` itself. The search and the edge minima run in C; only the upward sweep of
    the low-links is a Python loop, one step per node (networkx's bridges were the
    protection check's largest cost on a thousand-node network, once per checked day).
    """
    if not a.size:
        return np.zeros(0, dtype=bool)
    root = n_nodes
    tails = np.concatenate([a, b, np.full(n_nodes, root)])
    heads = np.concatenate([b, a, np.arange(n_nodes)])
    graph = sp.csr_matrix((np.ones(tails.size), (tails, heads)), shape=(n_nodes + 1, n_nodes + 1))
    order, parent = depth_first_order(graph, root, directed=True, return_predecessors=True)
    rank = np.empty(n_nodes + 1, dtype=np.int64)
    rank[order] = np.arange(order.size)
    # Lowest preorder rank reached by one edge other than the edge to the parent.
    ends_from, ends_to = np.concatenate([a, b]), np.concatenate([b, a])
    other = parent[ends_from] != ends_to
    reach = rank.copy()
    np.minimum.at(reach, ends_from[other], rank[ends_to[other]])
    lowest = reach.tolist()
    above = parent.tolist()
    for node in order[::-1].tolist():
        up = above[node]
        if up >= 0 and lowest[node] < lowest[up]:
            lowest[up] = lowest[node]
    low_links = np.asarray(lowest, dtype=np.int64)
    # Edge a–b is a tree edge when one end is the other's parent; a bridge when the
    # child's low-link stays below the parent's rank.
    child = np.where(parent[b] == a, b, np.where(parent[a] == b, a, -1))
    tree = child >= 0
    bridge = np.zeros(a.size, dtype=bool)
    kid = child[tree]
    bridge[tree] = low_links[kid] > rank[parent[kid]]
    return bridge


def components(net: Net, link_caps: FloatArray) -> IntArray:
    """Component label of every node in the graph of links with capacity > 0."""
    up = link_caps > 0
    graph = sp.coo_matrix(
        (np.ones(int(up.sum())), (net.link_a[up], net.link_b[up])),
        shape=(net.n_nodes, net.n_nodes),
    )
    _, labels = connected_components(graph, directed=False)
    return np.asarray(labels, dtype=np.int64)


def grown_components(net: Net, labels: IntArray, added: IntArray) -> IntArray:
    """``components`` once links ``added`` are up too, from the labels before them.

    A union-find over the components the new links join, O(nodes + added) instead of a
    search of every link: days that ready a few links each no longer cost links x days.
    Labels number components by their smallest node, as scipy's do (each merged set
    keeps its smallest label, which holds its smallest node), so they are the same.
    """
    parent = np.arange(int(labels.max(initial=-1)) + 1)
    ends = zip(labels[net.link_a[added]].tolist(), labels[net.link_b[added]].tolist(), strict=True)
    for a, b in ends:
        while parent[a] != a:
            a = int(parent[a])
        while parent[b] != b:
            b = int(parent[b])
        parent[max(a, b)] = min(a, b)
    while True:  # every label to its root: a parent is never above its child
        jumped = parent[parent]
        if np.array_equal(jumped, parent):
            break
        parent = jumped
    _, merged = np.unique(parent[labels], return_inverse=True)
    return np.asarray(merged, dtype=np.int64)


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


@dataclass(frozen=True)
class Bundles:
    """Parallel links (the same two endpoints) as one link of their summed capacity.

    The min-congestion LP only sees the sum of parallel links' capacities: any routing
    of a bundle splits over its members in proportion to their capacities at the same
    utilisation, with the same hops. So the LP runs on ``net``, one link per bundle,
    and its sizes and pivots no longer grow with the number of parallel links (1,000
    links over 40 endpoint pairs are 40 links to it). A bundle takes the orientation
    and position of its first member; self-loops stay apart. Without parallel links
    ``net`` is the original network, arc for arc.
    """

    net: Net
    arc: IntArray
    """The bundle arc of each member arc."""
    size: IntArray
    """How many members each bundle arc has."""

    def caps(self, member_caps: FloatArray) -> FloatArray:
        """Per bundle arc, the sum of its members' capacities."""
        summed: FloatArray = np.asarray(
            np.bincount(self.arc, weights=member_caps, minlength=2 * self.net.n_links),
            dtype=np.float64,
        )
        return summed

    def split(self, bundle_values: FloatArray, member_caps: FloatArray) -> FloatArray:
        """Bundle arc loads onto member arcs in proportion to capacity (equal shares if 0)."""
        total = self.caps(member_caps)[self.arc]
        share = np.divide(member_caps, total, out=1.0 / self.size[self.arc], where=total > 0)
        values: FloatArray = bundle_values[self.arc] * share
        return values

    def spread(self, bundle_values: FloatArray) -> FloatArray:
        """Bundle arc values (duals: lengths) onto every member arc."""
        values: FloatArray = bundle_values[self.arc]
        return values


def bundles(net: Net) -> Bundles:
    """Group ``net``'s links by unordered endpoint pair, in order of first member."""
    first: dict[tuple[int, int], int] = {}
    link_bundle = np.empty(net.n_links, dtype=np.int64)
    flipped = np.zeros(net.n_links, dtype=bool)
    ends_a: list[int] = []
    ends_b: list[int] = []
    for link, (a, b) in enumerate(zip(net.link_a.tolist(), net.link_b.tolist(), strict=True)):
        key = (min(a, b), max(a, b)) if a != b else (-1 - link, -1)
        bundle = first.get(key)
        if bundle is None:
            bundle = first[key] = len(ends_a)
            ends_a.append(a)
            ends_b.append(b)
        link_bundle[link] = bundle
        flipped[link] = a != ends_a[bundle]
    n = len(ends_a)
    forward = np.where(flipped, n + link_bundle, link_bundle)
    backward = np.where(flipped, link_bundle, n + link_bundle)
    arc = np.concatenate([forward, backward])
    merged = Net(
        nodes=net.nodes,
        link_names=tuple(net.link_names[i] for i in np.unique(link_bundle, return_index=True)[1]),
        link_a=np.array(ends_a, dtype=np.int64),
        link_b=np.array(ends_b, dtype=np.int64),
    )
    size = np.bincount(arc, minlength=2 * n)
    return Bundles(merged, arc, size)
