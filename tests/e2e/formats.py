"""Strict readers for each document capplan prints: a stray line on stdout fails them.

JSON is `json.loads`. DOT is parsed with a Lark grammar of the Graphviz DOT language
(graphviz.org/doc/info/lang.html: statements, attribute lists, edge operators, quoted
IDs and their escapes). Mermaid flowcharts are read line by line: the diagram header,
then only node, edge, subgraph and class lines, every edge between declared nodes,
no node named `end` (Mermaid's keyword), subgraphs balanced. Markdown must open with
a level-1 heading, and every pipe table must have a separator row and as many cells
in each row as in its header. HTML is read with `html.parser`: the doctype first, every
element closed in order (void elements excepted), no script, no external reference.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
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


VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)
"""HTML elements that have no end tag."""
FORBIDDEN = frozenset({"script", "link", "iframe", "object", "embed", "base", "img", "form"})
"""Elements a self-contained, script-free report never needs (an image is inline SVG)."""
REFERENCES = frozenset({"src", "href", "xlink:href", "srcset", "action", "poster", "data"})


@dataclass
class HtmlDocument:
    """What `check_html` read: element counts, headings and tables as text."""

    tags: Counter[str] = field(default_factory=Counter)
    headings: list[str] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)
    """Each table's rows (the header row first), each row's cell texts."""
    ids: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


class _StrictHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.document = HtmlDocument()
        self.stack: list[str] = []
        self.doctype = False
        self._text: list[str] | None = None

    def handle_decl(self, decl: str) -> None:
        if decl.lower() != "doctype html" or self.doctype or self.stack:
            raise ValueError(f"unexpected declaration <!{decl}>")
        self.doctype = True

    def unknown_decl(self, data: str) -> None:
        raise ValueError(f"unexpected declaration {data!r}")

    def handle_pi(self, data: str) -> None:
        raise ValueError(f"processing instruction {data!r} in HTML")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)
        if tag not in VOID:
            self.stack.append(tag)
        if tag in ("h1", "h2", "h3", "td", "th"):
            self._text = []
        if tag == "table":
            self.document.tables.append([])
        elif tag == "tr":
            self.document.tables[-1].append([])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)  # `<path ... />` in SVG: no end tag to wait for

    def _element(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.doctype:
            raise ValueError(f"<{tag}> before <!DOCTYPE html>")
        if (not self.stack and tag != "html") or (tag == "html" and self.document.tags["html"]):
            raise ValueError(f"<{tag}> outside the one <html> element")
        if tag in FORBIDDEN:
            raise ValueError(f"<{tag}> in a self-contained report")
        self.document.tags[tag] += 1
        for name, value in attrs:
            if name in REFERENCES and value is not None:
                _check_reference(tag, name, value)
                self.document.links.append(value)
            if name == "id" and value:
                self.document.ids.append(value)
            if name == "style" or name.startswith("on"):
                raise ValueError(f"<{tag} {name}=...>: inline style or script attribute")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            raise ValueError(f"</{tag}>: {tag} has no end tag")
        if not self.stack or self.stack[-1] != tag:
            raise ValueError(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        self.stack.pop()
        if self._text is not None and tag in ("h1", "h2", "h3", "td", "th"):
            text = "".join(self._text)
            if tag in ("td", "th"):
                self.document.tables[-1][-1].append(text)
            else:
                self.document.headings.append(text)
            self._text = None

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "style" and re.search(r"url\(|@import", data):
            raise ValueError("a stylesheet that fetches something")
        if not self.stack and data.strip():
            raise ValueError(f"text outside <html>: {data[:40]!r}")
        if self._text is not None:
            self._text.append(data)


def _check_reference(tag: str, name: str, value: str) -> None:
    """Only links inside the page (`#id`) or to a file beside it (a relative path)."""
    if re.match(r"[a-z][a-z0-9+.-]*:", value, re.I) or value.startswith("//"):
        raise ValueError(f"<{tag} {name}={value!r}>: an external reference")


def check_html(text: str) -> HtmlDocument:
    """A whole HTML page, strictly: balanced, self-contained, ids unique."""
    parser = _StrictHtml()
    parser.feed(text)
    parser.close()
    if parser.stack:
        raise ValueError(f"unclosed elements at the end: {parser.stack}")
    if parser.document.tags["html"] != 1:
        raise ValueError("not one <html> element")
    ids = parser.document.ids
    if len(ids) != len(set(ids)):
        raise ValueError(f"repeated ids: {sorted(i for i in set(ids) if ids.count(i) > 1)}")
    for link in parser.document.links:
        if link.startswith("#") and link[1:] not in ids:
            raise ValueError(f"a link to a missing id: {link}")
    return parser.document
