"""The language features, as functions from an analysis (and text) to LSP values."""

from __future__ import annotations

import difflib
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

from lsprotocol import types

from capplan.diagnostics import Diagnostic, Severity
from capplan.diagnostics.codes import lookup
from capplan.lsp.analysis import (
    Analysis,
    Symbol,
    enclosing,
    file_items,
    quantity_at,
    ref_parts,
)
from capplan.lsp.positions import lsp_range, path_uri, position, span_range
from capplan.model.decls import Cooling, HallCooling, Supplies
from capplan.model.rules import CAUSE_LABELS, beyond_install
from capplan.model.units import UNITS, Dim, UnitError, parse_quantity
from capplan.resolve.schema import SCHEMA
from capplan.source import SourceFile
from capplan.syntax import ast

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
    ("rack_type", "cooling"): get_args(Cooling),
    ("hall", "cooling"): get_args(HallCooling),
    ("supplier", "supplies"): get_args(Supplies),
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
    "slip": (Dim.DURATION,),  # the bounds of a range (LANGUAGE.md section 8)
    "power_slip": (Dim.DURATION,),
    "ready_slip": (Dim.DURATION,),
}
CANONICAL = {
    Dim.POWER: "W",
    Dim.BANDWIDTH: "bit/s",
    Dim.DISTANCE: "m",
    Dim.MASS: "kg",
    Dim.RATIO: "(a fraction)",
    Dim.PER_GPU: "bit/s per GPU",
}
SYMBOL_KINDS = {
    "plan": types.SymbolKind.Namespace,
    "supplier": types.SymbolKind.Package,
    "rack_type": types.SymbolKind.Struct,
    "site": types.SymbolKind.Module,
    "hall": types.SymbolKind.Field,
    "lot": types.SymbolKind.Object,
    "pop": types.SymbolKind.Interface,
    "link": types.SymbolKind.Event,
    "flow": types.SymbolKind.Event,
    "commitment": types.SymbolKind.Key,
    "const": types.SymbolKind.Constant,
}

# -- diagnostics ---------------------------------------------------------------------------

_DID_YOU_MEAN = re.compile(r"did you mean `([^`]+)`\?")


def to_lsp(diagnostic: Diagnostic, doc_uri: str | None) -> types.Diagnostic:
    span = diagnostic.span
    code = lookup(diagnostic.code)
    message = diagnostic.summary + (f"\n{diagnostic.detail}" if diagnostic.detail else "")
    for suggestion in diagnostic.suggestions:
        message += f"\nhelp: {suggestion}"
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(uri=path_uri(r.span.source.path), range=span_range(r.span)),
            message=r.message,
        )
        for r in diagnostic.related
        if r.span is not None and r.span.source.path is not None
    ]
    return types.Diagnostic(
        range=span_range(span)
        if span is not None
        else types.Range(
            start=types.Position(line=0, character=0),
            end=types.Position(line=0, character=0),
        ),
        message=message,
        severity=types.DiagnosticSeverity.Error
        if diagnostic.severity is Severity.ERROR
        else types.DiagnosticSeverity.Warning,
        code=diagnostic.code,
        code_description=types.CodeDescription(href=doc_uri) if doc_uri and code else None,
        source="capplan",
        related_information=related or None,
        data=quick_fix_data(diagnostic),
    )


def quick_fix_data(diagnostic: Diagnostic) -> dict[str, Any] | None:
    """The replacement a did-you-mean suggestion proposes: its range and text."""
    span = diagnostic.span
    if span is None:
        return None
    for suggestion in diagnostic.suggestions:
        match = _DID_YOU_MEAN.search(suggestion)
        if match is None:
            continue
        guess = match.group(1)
        start, end = span.start, span.end
        written = span.source.text[start:end]
        if "." in written and "." not in guess:  # replace the part the guess is closest to
            parts = [(m.start(), m.end()) for m in re.finditer(r"[A-Za-z_][A-Za-z0-9_-]*", written)]
            a, b = max(
                parts,
                key=lambda p: difflib.SequenceMatcher(None, written[p[0] : p[1]], guess).ratio(),
            )
            start, end = start + a, start + b
        edit_range = lsp_range(span.source, start, end)
        return {
            "title": f"Replace `{span.source.text[start:end]}` with `{guess}`",
            "newText": guess,
            "range": {
                "start": {
                    "line": edit_range.start.line,
                    "character": edit_range.start.character,
                },
                "end": {
                    "line": edit_range.end.line,
                    "character": edit_range.end.character,
                },
            },
        }
    return None


def quick_fixes(uri: str, diagnostics: list[types.Diagnostic]) -> list[types.CodeAction]:
    actions = []
    for diagnostic in diagnostics:
        data = diagnostic.data
        if not isinstance(data, dict) or "newText" not in data:
            continue
        where = data["range"]
        edit = types.TextEdit(
            range=types.Range(
                start=types.Position(**where["start"]),
                end=types.Position(**where["end"]),
            ),
            new_text=data["newText"],
        )
        actions.append(
            types.CodeAction(
                title=data["title"],
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                is_preferred=True,
                edit=types.WorkspaceEdit(changes={uri: [edit]}),
            )
        )
    return actions


# -- navigation ------------------------------------------------------------------------


def location(source: SourceFile, start: int, end: int) -> types.Location | None:
    if source.path is None:
        return None
    return types.Location(uri=path_uri(source.path), range=lsp_range(source, start, end))


def references(analysis: Analysis, symbol: Symbol, declaration: bool) -> list[types.Location]:
    found = []
    if declaration:
        found.append(location(symbol.source, symbol.name_start, symbol.name_end))
    for ref in analysis.references_to(symbol.key):
        found.append(location(ref.source, ref.start, ref.end))
    return [f for f in found if f is not None]


def rename(analysis: Analysis, symbol: Symbol, new_name: str) -> types.WorkspaceEdit:
    """The declaration's name and every reference to it, in every file of the program."""
    changes: dict[str, list[types.TextEdit]] = {}
    spots = [(symbol.source, symbol.name_start, symbol.name_end)]
    spots += [(r.source, r.start, r.end) for r in analysis.references_to(symbol.key)]
    for source, start, end in spots:
        if source.path is None:
            continue
        edit = types.TextEdit(range=lsp_range(source, start, end), new_text=new_name)
        changes.setdefault(path_uri(source.path), []).append(edit)
    return types.WorkspaceEdit(changes=changes)


def document_symbols(items: list[ast.Item], source: SourceFile) -> list[types.DocumentSymbol]:
    found = []
    for item in items:
        if isinstance(item, ast.Decl):
            found.append(_decl_symbol(item, source))
        elif isinstance(item, ast.Const):
            found.append(
                types.DocumentSymbol(
                    name=item.name,
                    detail="const",
                    kind=types.SymbolKind.Constant,
                    range=lsp_range(source, item.start, item.end),
                    selection_range=lsp_range(source, item.name_start, item.name_end),
                )
            )
    return found


def _decl_symbol(decl: ast.Decl, source: SourceFile) -> types.DocumentSymbol:
    children = [_decl_symbol(m, source) for m in decl.members if isinstance(m, ast.Decl)]
    return types.DocumentSymbol(
        name=decl.name,
        detail=decl.kind,
        kind=SYMBOL_KINDS.get(decl.kind, types.SymbolKind.Object),
        range=lsp_range(source, decl.start, decl.end),
        selection_range=lsp_range(source, decl.name_start, decl.name_end),
        children=children or None,
    )


# -- hover -----------------------------------------------------------------------------


def hover(analysis: Analysis, path: Path, offset: int, report: Any) -> str | None:
    """Markdown for what is under the cursor: a declaration, or a quantity."""
    items = file_items(analysis, path)
    quantity = quantity_at(items, offset)
    symbol = analysis.at(path, offset)
    if quantity is not None:
        attribute, node = quantity
        text = [_quantity_text(node.text, attribute)]
        blocks = enclosing(items, offset)
        if blocks and isinstance(blocks[0], ast.Decl):
            owner = analysis.symbols.get(blocks[0].name)
            if owner is not None:
                text.append(_figures(analysis, owner, report))
        return "\n\n".join(t for t in text if t)
    if symbol is None:
        return None
    return _declaration_text(analysis, symbol, report)


def _quantity_text(written: str, attribute: str) -> str:
    try:
        value = parse_quantity(written)
    except UnitError as exc:
        return f"`{written}`: {exc}"
    canonical = value.canonical
    dim = value.dim
    if dim is Dim.DURATION:
        unit = "months" if value.unit.period == "mo" else "days"
        shown = f"{_number(canonical)} {unit}"
    elif dim in (Dim.SUPPLY_RATE,):
        period = "week" if value.unit.period == "w" else "month"
        shown = f"{_number(canonical)} {value.unit.per} per {period}"
    elif dim in (Dim.MONEY, Dim.ENERGY_PRICE):
        shown = f"{_number(canonical)} {value.unit.symbol}"
    else:
        shown = f"{_number(canonical)} {CANONICAL.get(dim, '')}".strip()
    return f"`{attribute} = {written}`: {dim.value}, {shown}"


def _number(value: Decimal) -> str:
    normal = value.normalize()
    if normal == normal.to_integral_value():
        return f"{int(normal):,}"
    return f"{normal:f}"


def _declaration_text(analysis: Analysis, symbol: Symbol, report: Any) -> str:
    where = symbol.source.position(symbol.name_start)
    head = f"**{symbol.kind}** `{symbol.key}` — {symbol.source.name}:{where.line}"
    first = symbol.source.text[symbol.start : symbol.end].split("\n", 1)[0]
    lines = [head, f"```\n{first.strip()}\n```"]
    description = _description(symbol.node)
    if description:
        lines.append(description)
    figures = _figures(analysis, symbol, report)
    if figures:
        lines.append(figures)
    return "\n\n".join(lines)


def _description(node: ast.Decl | ast.Const) -> str | None:
    if isinstance(node, ast.Decl):
        for member in node.members:
            if (
                isinstance(member, ast.Attribute)
                and member.name == "description"
                and isinstance(member.value, ast.String)
            ):
                return member.value.raw
    return None


def _figures(analysis: Analysis, symbol: Symbol, report: Any) -> str:
    """Derived figures: a site's usable IT power, a lot's go-live, a commitment's status."""
    model = analysis.compilation.model
    if model is None:
        return ""
    if symbol.kind == "site" and symbol.key in model.sites:
        site = model.sites[symbol.key]
        rows = [
            f"- from {step.day}: {_mw(step.value)} envelope, usable IT "
            f"{_mw(step.value * (1 - site.reserve) / site.pue)} "
            f"(x {_pct(1 - site.reserve)} / PUE {site.pue})"
            for step in site.power
        ]
        return "Usable IT power (envelope x (1 - reserve) / PUE):\n" + "\n".join(rows)
    if report is None:
        return ""
    if symbol.kind == "lot":
        for lot in report.lots:
            if lot.name == symbol.key:
                return _lot_text(lot)
    if symbol.kind == "commitment":
        rows = [
            f"- {row.day}: {row.live:,} of {row.required:,} GPUs live — "
            + ("met" if row.met else f"**short {row.shortfall:,}**")
            for row in report.commitments
            if row.commitment == symbol.key
        ]
        return "Status:\n" + "\n".join(rows) if rows else ""
    return ""


def _lot_text(lot: Any) -> str:
    rows = [f"- {row.day}: {row.racks} racks live in {row.hall}" for row in lot.go_live]
    text = "Go-live:\n" + ("\n".join(rows) if rows else "- none in the plan horizon")
    if lot.stranded_racks:
        text += f"\n\n**{lot.stranded_racks} racks stranded** (not live by the plan end)"
    waits = beyond_install(lot.idle_gpu_days)
    if waits:
        causes = ", ".join(
            f"{CAUSE_LABELS[cause]} {days:,} GPU-days" for cause, days in waits.items()
        )
        text += f"\n\nWaited beyond install: {causes}"
        if lot.main_cause:
            text += f" (mainly {CAUSE_LABELS[lot.main_cause]})"
    return text


def _mw(watts: Decimal) -> str:
    return f"{_number(round(watts / Decimal(1_000_000), 3))} MW"


def _pct(fraction: Decimal) -> str:
    return f"{_number(fraction * 100)}%"


# -- completion ----------------------------------------------------------------------------

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


# -- semantic tokens ---------------------------------------------------------------------

TOKEN_TYPES = [
    "keyword",
    "class",
    "variable",
    "property",
    "string",
    "number",
    "comment",
    "enumMember",
]
TOKEN_MODIFIERS = ["declaration"]
_T = {name: index for index, name in enumerate(TOKEN_TYPES)}


def semantic_tokens(
    source: SourceFile,
    items: list[ast.Item],
    comments: list[tuple[int, int]],
    names: set[str],
) -> list[int]:
    """The LSP relative encoding of every token's role, sorted and non-overlapping."""
    found: list[tuple[int, int, int, int]] = [(s, e, _T["comment"], 0) for s, e in comments]
    text = source.text
    for item in items:
        _item_tokens(item, text, names, found)
    found.sort()
    data: list[int] = []
    last_line = last_col = 0
    last_end = -1
    for start, end, kind, mods in found:
        if start < last_end or end <= start:
            continue
        where = position(source, start)
        length = position(source, end).character - where.character
        if position(source, end).line != where.line:
            continue
        delta_line = where.line - last_line
        delta_col = where.character - last_col if delta_line == 0 else where.character
        data += [delta_line, delta_col, length, kind, mods]
        last_line, last_col, last_end = where.line, where.character, end
    return data


def _item_tokens(
    item: ast.Item, text: str, names: set[str], found: list[tuple[int, int, int, int]]
) -> None:
    keyword = _T["keyword"]
    if isinstance(item, ast.Import):
        found.append((item.start, item.start + 6, keyword, 0))
        found.append((item.path.start, item.path.end, _T["string"], 0))
    elif isinstance(item, ast.Const):
        found.append((item.start, item.start + 5, keyword, 0))
        found.append((item.name_start, item.name_end, _T["variable"], 1))
        _value_tokens(item.value, text, names, found)
    elif isinstance(item, ast.Remove):
        found.append((item.start, item.start + 6, keyword, 0))
        found.append((item.name_start, item.name_end, _T["class"], 0))
    elif isinstance(item, ast.Override):
        found.append((item.start, item.start + 8, keyword, 0))
        _value_tokens(item.target, text, names, found)
        _member_tokens(item.members, text, names, found)
    else:
        _decl_tokens(item, text, names, found)


def _decl_tokens(
    decl: ast.Decl, text: str, names: set[str], found: list[tuple[int, int, int, int]]
) -> None:
    found.append((decl.kind_start, decl.kind_start + len(decl.kind), _T["keyword"], 0))
    found.append((decl.name_start, decl.name_end, _T["class"], 1))
    _member_tokens(decl.members, text, names, found)


def _member_tokens(
    members: list[ast.Member],
    text: str,
    names: set[str],
    found: list[tuple[int, int, int, int]],
) -> None:
    for member in members:
        if isinstance(member, ast.Decl):
            _decl_tokens(member, text, names, found)
            continue
        found.append((member.name_start, member.name_end, _T["property"], 0))
        if isinstance(member, ast.Attribute):
            _value_tokens(member.value, text, names, found)
        else:
            for entry in member.entries:
                _value_tokens(entry.key, text, names, found)
                _value_tokens(entry.value, text, names, found)


def _value_tokens(
    value: ast.Value, text: str, names: set[str], found: list[tuple[int, int, int, int]]
) -> None:
    if isinstance(value, ast.Number | ast.Quantity | ast.DateLit):
        found.append((value.start, value.end, _T["number"], 0))
    elif isinstance(value, ast.String):
        found.append((value.start, value.end, _T["string"], 0))
    elif isinstance(value, ast.Bool):
        found.append((value.start, value.end, _T["keyword"], 0))
    elif isinstance(value, ast.Product):
        found.append((value.count.start, value.count.end, _T["number"], 0))
        _value_tokens(value.operand, text, names, found)
    elif isinstance(value, ast.ListVal):
        for item in value.items:
            _value_tokens(item, text, names, found)
    elif isinstance(value, ast.Range):
        for bound in value.bounds:
            _value_tokens(bound, text, names, found)
    else:
        for index, (part, start, end) in enumerate(ref_parts(value, text)):
            known = part in names if index == 0 else True
            found.append((start, end, _T["variable"] if known else _T["enumMember"], 0))
