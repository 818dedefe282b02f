"""Strict readers for each document capplan prints: a stray line on stdout fails them.

JSON is `json.loads`. DOT is parsed with a Lark grammar of the Graphviz DOT language
(graphviz.org/doc/info/lang.html: statements, attribute lists, edge operators, quoted
IDs and their escapes). Mermaid flowcharts are read line by line: the diagram header,
then only node, edge, subgraph and class lines, every edge between declared nodes,
no node named `end` (Mermaid's keyword), subgraphs balanced. Markdown must open with
a level-1 heading, and every pipe table must have a separator row and as many cells
in each row as in its header.
"""

from __future__ import annotations

import itertools
import json
import re
from functools import cache
from typing import Any

from lark import Lark

_DOT = r"""
start: STRICT? (GRAPH | DIGRAPH) id? "{" stmt_list "}"
stmt_list: (stmt ";"?)*
?stmt: node_stmt | edge_stmt | attr_stmt | assignment | subgraph
assignment: id "=" id
attr_stmt: (GRAPH | NODE | EDGE) attr_list
attr_list: ("[" a_list? "]")+
a_list: (id "=" id (";" | ",")?)+
edge_stmt: (node_id | subgraph) (EDGEOP (node_id | subgraph))+ attr_list?
node_stmt: node_id attr_list?
node_id: id port?
port: ":" id (":" id)?
subgraph: (SUBGRAPH id?)? "{" stmt_list "}"
id: ID | NUMERAL | STRING
STRICT: "strict"i
GRAPH: "graph"i
DIGRAPH: "digraph"i
NODE: "node"i
EDGE: "edge"i
SUBGRAPH: "subgraph"i
EDGEOP: "->" | "--"
ID: /[A-Za-z_\x80-\uffff][A-Za-z_0-9\x80-\uffff]*/
NUMERAL: /-?(\.[0-9]+|[0-9]+(\.[0-9]*)?)/
STRING: /"(\\.|[^"\\])*"/s
COMMENT: /\/\/[^\n]*/ | /\/\*(.|\n)*?\*\// | /^#[^\n]*/m
%import common.WS
%ignore WS
%ignore COMMENT
"""


@cache
def _dot_parser() -> Lark:
    return Lark(_DOT, parser="lalr")


def parse_dot(text: str) -> Any:
    """The DOT parse tree; raises on any syntax error or an edge operator of the other kind."""
    tree = _dot_parser().parse(text)
    directed = any(token.type == "DIGRAPH" for token in tree.children)
    wanted = "->" if directed else "--"
    wrong = [
        t for t in tree.scan_values(lambda v: getattr(v, "type", "") == "EDGEOP") if t != wanted
    ]
    if wrong:
        raise ValueError(f"edge operator {wrong[0]!r} in a {'digraph' if directed else 'graph'}")
    return tree


_MERMAID_ID = r"[A-Za-z0-9_]+"
_SHAPE = r'(?:\["[^"]*"\]|\[[^\[\]"]*\]|\("[^"]*"\)|\([^()"]*\)|\{"[^"]*"\}|\{[^{}"]*\})'
_NODE = re.compile(rf"(?P<id>{_MERMAID_ID})(?P<shape>{_SHAPE})?")
_LINK = r"(?:-->|---|-\.->|==>)(?:\|[^|\n]*\|)?"
_MERMAID_HEADER = re.compile(r"(?:flowchart|graph) (?:TB|TD|BT|RL|LR)")


def parse_mermaid(text: str) -> tuple[set[str], list[tuple[str, str]]]:
    """The nodes and edges of a Mermaid flowchart; raises ValueError on anything else."""
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("%%")]
    if not lines or not _MERMAID_HEADER.fullmatch(lines[0]):
        raise ValueError(f"not a Mermaid flowchart header: {lines[:1]}")
    nodes: set[str] = set()
    edges: list[tuple[str, str]] = []
    depth = 0
    link = re.compile(rf"\s*{_LINK}\s*")
    for number, line in enumerate(lines[1:], start=2):
        if re.fullmatch(rf"subgraph {_MERMAID_ID}(?:\[[^\[\]]*\])?", line):
            depth += 1
            continue
        if line == "end":
            depth -= 1
            if depth < 0:
                raise ValueError(f"line {number}: `end` without `subgraph`")
            continue
        if re.fullmatch(r"(?:classDef|class|style|linkStyle) \S.*", line):
            continue
        parts = link.split(line)
        ids = []
        for part in parts:
            node = _NODE.fullmatch(part)
            if node is None:
                raise ValueError(f"line {number}: not a node or an edge: {line!r}")
            if node["id"] == "end":
                raise ValueError(f"line {number}: a node named `end` breaks Mermaid")
            if node["shape"] or len(parts) == 1:
                nodes.add(node["id"])
            ids.append(node["id"])
        edges.extend(itertools.pairwise(ids))
    if depth:
        raise ValueError("a `subgraph` without its `end`")
    undeclared = sorted({n for edge in edges for n in edge} - nodes)
    if undeclared:
        raise ValueError(f"edges to undeclared nodes: {undeclared[:5]}")
    return nodes, edges


def check_markdown(text: str) -> None:
    """A level-1 heading first; pipe tables with a separator row and consistent widths."""
    lines = text.splitlines()
    if not lines or not re.match(r"# \S", lines[0]):
        raise ValueError(f"Markdown does not open with a `# ` heading: {lines[:1]}")
    table: list[str] = []
    for line in [*lines, ""]:
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            _check_table(table)
            table = []


def _cells(row: str) -> list[str]:
    inner = row.strip()
    if not inner.endswith("|") or inner.endswith("\\|"):
        raise ValueError(f"table row does not end with `|`: {row!r}")
    return re.split(r"(?<!\\)\|", inner[1:-1])


def _check_table(rows: list[str]) -> None:
    if len(rows) < 2 or not all(re.fullmatch(r"\s*:?-+:?\s*", c) for c in _cells(rows[1])):
        raise ValueError(f"table without a separator row: {rows[:2]}")
    width = len(_cells(rows[0]))
    for row in rows[1:]:
        if len(_cells(row)) != width:
            raise ValueError(
                f"table row with {len(_cells(row))} cells, header has {width}: {row!r}"
            )


def check_json(text: str) -> Any:
    return json.loads(text)
