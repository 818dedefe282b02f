"""The constraint graph: declarations as nodes, their dependencies as edges.

Edges point from a declaration to what it depends on (lot -> hall, site, rack
type, suppliers; link -> endpoints, supplier; flow -> endpoints; commitment ->
sites, rack type; hall -> site). It is what `capplan graph` draws.
"""

from __future__ import annotations

import re

import networkx as nx

from capplan.model.decls import Model

Node = str  # "kind:name", e.g. "hall:narvik.kvandal_a"


def node(kind: str, name: str) -> Node:
    return f"{kind}:{name}"


def build_graph(model: Model) -> nx.DiGraph:
    graph = nx.DiGraph()

    def add(kind: str, name: str) -> Node:
        key = node(kind, name)
        graph.add_node(key, kind=kind, name=name)
        return key

    def depends(source: Node, target: Node, role: str) -> None:
        graph.add_edge(source, target, role=role)

    for name in model.suppliers:
        add("supplier", name)
    for name in model.rack_types:
        add("rack_type", name)
    for site in model.sites.values():
        site_node = add("site", site.name)
        for hall in site.halls.values():
            depends(add("hall", hall.key), site_node, "in")
    for name in model.pops:
        add("pop", name)
    for lot in model.lots.values():
        lot_node = add("lot", lot.name)
        target = node("hall" if lot.hall else "site", lot.destination)
        depends(lot_node, target, "to")
        depends(lot_node, node("rack_type", lot.rack_type), "rack_type")
        depends(lot_node, node("supplier", lot.supplier), "supplier")
        if lot.via:
            depends(lot_node, node("supplier", lot.via), "via")

    def joins(kind: str, name: str, a: str, b: str) -> Node:
        """A link or flow node with its `from` and `to` edges to sites or pops."""
        key = add(kind, name)
        depends(key, node(model.endpoint_kind(a), a), "from")
        depends(key, node(model.endpoint_kind(b), b), "to")
        return key

    for link in model.links.values():
        link_node = joins("link", link.name, link.a, link.b)
        if link.supplier:
            depends(link_node, node("supplier", link.supplier), "supplier")
    for flow in model.flows.values():
        joins("flow", flow.name, flow.src, flow.dst)
    for commitment in model.commitments.values():
        commitment_node = add("commitment", commitment.name)
        for site_name in commitment.sites:
            depends(commitment_node, node("site", site_name), "site")
        if commitment.rack_type:
            depends(commitment_node, node("rack_type", commitment.rack_type), "rack_type")
    return graph


def _sorted_edges(graph: nx.DiGraph) -> list[tuple[Node, Node, str]]:
    return sorted((a, b, str(data.get("role", ""))) for a, b, data in graph.edges(data=True))


def to_dot(graph: nx.DiGraph) -> str:
    lines = ["digraph capplan {", "  rankdir=LR;", "  node [shape=box];"]
    for key in sorted(graph.nodes):
        data = graph.nodes[key]
        label = f"{data['kind']}\\n{data['name']}"
        lines.append(f'  "{key}" [label="{label}"];')
    for a, b, role in _sorted_edges(graph):
        lines.append(f'  "{a}" -> "{b}" [label="{role}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_id(key: Node) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", key)


def to_mermaid(graph: nx.DiGraph) -> str:
    lines = ["flowchart LR"]
    for key in sorted(graph.nodes):
        data = graph.nodes[key]
        lines.append(f'  {_mermaid_id(key)}["{data["kind"]}: {data["name"]}"]')
    for a, b, role in _sorted_edges(graph):
        lines.append(f"  {_mermaid_id(a)} -->|{role}| {_mermaid_id(b)}")
    return "\n".join(lines) + "\n"


GRAPH_FORMAT_VERSION = "1"
"""``format_version`` of `capplan graph --format json` (docs/planning.md, the constraint graph)."""


def graph_document(graph: nx.DiGraph | None) -> dict[str, object] | None:
    """Nodes (id, kind, name) and edges (from, to, role), sorted: the JSON of `capplan graph`."""
    if graph is None:
        return None
    nodes = [
        {"id": key, "kind": graph.nodes[key]["kind"], "name": graph.nodes[key]["name"]}
        for key in sorted(graph.nodes)
    ]
    edges = [{"from": a, "to": b, "role": role} for a, b, role in _sorted_edges(graph)]
    return {"nodes": nodes, "edges": edges}


def site_subgraph(graph: nx.DiGraph, site: str) -> nx.DiGraph:
    """What concerns one site: the site, everything that depends on it (its halls, the lots
    sent there, its links, flows and commitments) and what those depend on directly
    (rack types, suppliers, the far end of a link, the other sites of a commitment)."""
    root = node("site", site)
    concerned = nx.ancestors(graph, root) | {root}
    keep = set(concerned)
    for key in concerned:
        keep.update(graph.successors(key))
    return graph.subgraph(keep).copy()
