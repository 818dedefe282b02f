"""Components grown from the day before (links readied a few a day) equal a fresh search."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from capplan.netflow._graph import Net, components, grown_components


def _net(n_nodes: int, ends: list[tuple[int, int]]) -> Net:
    return Net(
        nodes=tuple(f"n{i}" for i in range(n_nodes)),
        link_names=tuple(f"l{i}" for i in range(len(ends))),
        link_a=np.array([a for a, _ in ends], dtype=np.int64),
        link_b=np.array([b for _, b in ends], dtype=np.int64),
    )


def test_readying_links_merges_components_numbered_by_their_smallest_node() -> None:
    # Nodes 0..4, links l0 = 3-4, l1 = 1-3, l2 = 0-2. With l0 up only, the components
    # by smallest node are {0}, {1}, {2}, {3, 4}: labels 0, 1, 2, 3, 3. Readying l1
    # joins {1} and {3, 4}: {0}, {1, 3, 4}, {2} are labels 0, 1, 2 -> 0, 1, 2, 1, 1.
    # Readying l2 as well joins {0} and {2}: {0, 2}, {1, 3, 4} -> 0, 1, 0, 1, 1.
    net = _net(5, [(3, 4), (1, 3), (0, 2)])
    before = components(net, np.array([1.0, 0.0, 0.0]))
    assert before.tolist() == [0, 1, 2, 3, 3]
    one = grown_components(net, before, np.array([1]))
    assert one.tolist() == [0, 1, 2, 1, 1]
    both = grown_components(net, before, np.array([1, 2]))
    assert both.tolist() == [0, 1, 0, 1, 1]


@settings(max_examples=200, deadline=None)
@given(
    n_nodes=st.integers(1, 12),
    links=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11), st.booleans()), max_size=20),
    readied=st.lists(st.integers(0, 19), max_size=20),
)
def test_grown_components_equal_a_search_of_every_link(
    n_nodes: int, links: list[tuple[int, int, bool]], readied: list[int]
) -> None:
    ends = [(a % n_nodes, b % n_nodes) for a, b, _ in links]
    net = _net(n_nodes, ends)
    caps = np.array([1.0 if up else 0.0 for _, _, up in links])
    later = caps.copy()
    for link in readied:
        if link < len(links):
            later[link] = 1.0
    added = np.flatnonzero((later > 0) & ~(caps > 0))
    grown = grown_components(net, components(net, caps), added)
    assert grown.tolist() == components(net, later).tolist()
