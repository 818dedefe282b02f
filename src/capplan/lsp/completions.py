"""Completion: top-level keywords, attribute names, units, choice words, references."""

from __future__ import annotations

import re

from lsprotocol import types

from capplan.lsp.analysis import (
    Analysis,
)
from capplan.model.decls import COOLINGS, HALL_COOLINGS, SUPPLIES
from capplan.model.units import UNITS, Dim
from capplan.resolve.schema import SCHEMA

BLOCK_KINDS = (
    "plan",
    "supplier",
    "rack_type",
    "site",
    "lot",
    "pop",
    "link",
    "flow",
    "commitment",
)
TOP_LEVEL = (*BLOCK_KINDS, "import", "const", "override", "remove")

# Editor hints: what an attribute's value names or is measured in (the resolver judges it).
REFERENCE_KINDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("lot", "supplier"): ("supplier",),
    ("lot", "via"): ("supplier",),
    ("lot", "rack_type"): ("rack_type",),
    ("lot", "to"): ("site", "hall"),
    ("link", "from"): ("site", "pop"),
    ("link", "to"): ("site", "pop"),
    ("link", "supplier"): ("supplier",),
    ("flow", "from"): ("site", "pop"),
    ("flow", "to"): ("site", "pop"),
    ("commitment", "site"): ("site",),
    ("commitment", "sites"): ("site",),
    ("commitment", "rack_type"): ("rack_type",),
}
WORDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("rack_type", "cooling"): COOLINGS,
    ("hall", "cooling"): HALL_COOLINGS,
    ("supplier", "supplies"): SUPPLIES,
    ("flow", "protect"): ("true", "false"),
}
DIMENSIONS: dict[str, tuple[Dim, ...]] = {
    "power": (Dim.POWER,),
    "reserve": (Dim.RATIO,),
    "lead_time": (Dim.DURATION,),
    "install": (Dim.DURATION,),
    "allocation": (Dim.SUPPLY_RATE,),
    "fabric": (Dim.BANDWIDTH,),
    "capacity": (Dim.BANDWIDTH,),
    "rate": (Dim.BANDWIDTH, Dim.PER_GPU),
    "weight": (Dim.MASS,),
    "distance": (Dim.DISTANCE,),
    "energy_price": (Dim.ENERGY_PRICE,),
    "slip": (Dim.DURATION,),  # the bounds of a range (docs/language.md §15)
    "power_slip": (Dim.DURATION,),
    "ready_slip": (Dim.DURATION,),
}


_HEAD = re.compile(r"(?:override\s+)?([A-Za-z_][\w-]*)(?:\s+[A-Za-z_][\w.-]*)?\s*$")


def _open_blocks(text: str) -> list[tuple[str, int]]:
    """The heads (`site narvik`, `power`) of the blocks open at the end of `text`."""
    stack: list[tuple[str, int]] = []
    index, size, segment = 0, len(text), 0
    while index < size:
        char = text[index]
        if char == '"':
            end = text.find('"', index + 1)
            newline = text.find("\n", index + 1)
            index = size if end == -1 else end + 1
            if newline != -1 and (end == -1 or newline < end):
                index = newline
            continue
        if char == "#":
            newline = text.find("\n", index)
            index = size if newline == -1 else newline
            continue
        if char == "{":
            stack.append((text[segment:index], index + 1))
            segment = index + 1
        elif char == "}":
            if stack:
                stack.pop()
            segment = index + 1
        index += 1
    return stack


def _block_kind(heads: list[tuple[str, int]]) -> tuple[str | None, str | None]:
    """(the innermost declaration kind, the map being written in it if any)."""
    kind = None
    map_name = None
    for head, _ in heads:
        words = re.findall(r"[A-Za-z_][\w.-]*", head)
        tail = words[-3:]
        if len(tail) >= 2 and tail[-2] in (*BLOCK_KINDS, "hall"):
            kind, map_name = tail[-2], None
        elif tail:
            map_name = tail[-1]
    return kind, map_name


def completions(analysis: Analysis | None, text: str, offset: int) -> list[types.CompletionItem]:
    before = text[:offset]
    heads = _open_blocks(before)
    if not heads:
        line = before[before.rfind("\n") + 1 :]
        if re.fullmatch(r"\s*[A-Za-z_]*", line):
            return [_item(k, types.CompletionItemKind.Keyword) for k in TOP_LEVEL]
        return _value_items(analysis, None, None, line)
    kind, map_name = _block_kind(heads)
    tail = before[heads[-1][1] :]
    tail = tail[max(tail.rfind("\n"), -1) + 1 :] if map_name is None else tail
    unit = re.search(r"(?:^|[\s:=x\[,])\d[\d_]*(?:\.[\d_]+)?[ \t]*([A-Za-z%/]*)$", tail)
    if unit is not None:
        attribute = map_name or _last_attribute(tail)
        return _unit_items(attribute)
    if map_name is not None:
        return []
    value = re.search(r"([A-Za-z_][\w-]*)\s*=\s*(?:\[[^\]]*)?[\w.-]*$", tail)
    if value is not None:
        return _value_items(analysis, kind, value.group(1), tail)
    if re.search(r"(?:^|\s)[A-Za-z_]*$", tail):
        names = list(SCHEMA.get(kind or "", {}))
        items = [_item(n, types.CompletionItemKind.Property, f"{n} = ") for n in names]
        if kind == "site":
            items.append(_item("hall", types.CompletionItemKind.Keyword))
        return items
    return []


def _last_attribute(tail: str) -> str | None:
    found = re.findall(r"([A-Za-z_][\w-]*)\s*=", tail)
    return found[-1] if found else None


def _unit_items(attribute: str | None) -> list[types.CompletionItem]:
    dims = DIMENSIONS.get(attribute or "")
    units = [u for u in UNITS.values() if dims is None or u.dim in dims]
    return [_item(u.symbol, types.CompletionItemKind.Unit, detail=u.dim.value) for u in units]


def _value_items(
    analysis: Analysis | None, kind: str | None, attribute: str | None, tail: str
) -> list[types.CompletionItem]:
    items: list[types.CompletionItem] = []
    key = (kind or "", attribute or "")
    for word in WORDS.get(key, ()):
        items.append(_item(word, types.CompletionItemKind.EnumMember))
    if analysis is None:
        return items
    wanted = REFERENCE_KINDS.get(key)
    for symbol in analysis.symbols.values():
        if symbol.kind == "const" or (wanted is not None and symbol.kind in wanted):
            kind_item = (
                types.CompletionItemKind.Constant
                if symbol.kind == "const"
                else types.CompletionItemKind.Reference
            )
            items.append(_item(symbol.key, kind_item, detail=symbol.kind))
    return items


def _item(
    label: str,
    kind: types.CompletionItemKind,
    insert: str | None = None,
    detail: str | None = None,
) -> types.CompletionItem:
    return types.CompletionItem(label=label, kind=kind, insert_text=insert, detail=detail)
