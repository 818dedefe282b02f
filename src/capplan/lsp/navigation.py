"""Go to definition, references, rename and the outline: where declarations are."""

from __future__ import annotations

from lsprotocol import types

from capplan.lsp.analysis import (
    Analysis,
    Symbol,
)
from capplan.lsp.positions import lsp_range, path_uri
from capplan.source import SourceFile
from capplan.syntax import ast

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
