"""Semantic tokens: each token's role (keyword, name, value, comment) for highlighting."""

from __future__ import annotations

from capplan.lsp.analysis import (
    ref_parts,
)
from capplan.lsp.positions import position
from capplan.source import SourceFile
from capplan.syntax import ast

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
