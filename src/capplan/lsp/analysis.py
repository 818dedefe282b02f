"""What the language server knows about a workspace, without any LSP types.

A file is checked as part of its *program*: the root file that imports it
(directly or through other files), or the file itself when nothing imports it.
Open documents are read from memory (an overlay on the disk), and every file's
parse is cached by its name and text, so after a one-character edit only the
edited file is parsed again; resolving and the static checks run in full.
"""

from __future__ import annotations

import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from capplan.api import Compilation, compile_program
from capplan.diagnostics import Diagnostic
from capplan.load import DISK, Program, UnreadableRoot, load_program
from capplan.model.addr import HallAddr
from capplan.source import SourceFile
from capplan.syntax import ParseResult, ast, parse_source

MAX_WORKSPACE_FILES = 5000  # files scanned to find which root imports an edited file
SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "site-packages", "venv"})
_IMPORT = re.compile(r'^[ \t]*import[ \t]+"([^"\n]*)"', re.M)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


class Overlay:
    """The loader's file reader: open documents from memory, the rest from disk."""

    def __init__(self, texts: dict[Path, str]) -> None:
        self.texts = texts

    def read(self, path: Path) -> bytes:
        text = self.texts.get(Path(os.path.realpath(path)))
        return DISK.read(path) if text is None else text.encode("utf-8")

    def cap_files(self, folder: Path) -> list[str]:
        return DISK.cap_files(folder)

    def resolve(self, path: Path) -> Path:
        return DISK.resolve(path)


class ParseCache:
    """Parses by (name, path, text), least recently used first out; safe across threads."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[str, str, str], tuple[SourceFile, ParseResult]] = (
            OrderedDict()
        )
        self.lock = threading.Lock()
        self.misses = 0

    def __call__(self, source: SourceFile) -> tuple[SourceFile, ParseResult]:
        key = (source.name, str(source.path), source.text)
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
                return found
        parsed = (source, parse_source(source))
        with self.lock:
            self.misses += 1
            self.entries[key] = parsed
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return parsed


@dataclass(frozen=True)
class Symbol:
    """A declaration a reference can name: a top-level declaration, a hall, a const."""

    key: str  # `narvik`, `narvik.kvandal_a`
    kind: str  # a declaration kind, "hall" or "const"
    source: SourceFile
    name_start: int
    name_end: int
    start: int
    end: int
    node: ast.Decl | ast.Const


@dataclass(frozen=True)
class Reference:
    key: str  # the symbol it names
    source: SourceFile
    start: int  # the name's own characters (for a hall, the part after the dot)
    end: int


@dataclass
class Analysis:
    root: Path
    program: Program
    compilation: Compilation
    symbols: dict[str, Symbol] = field(default_factory=dict)
    references: list[Reference] = field(default_factory=list)

    def sources(self) -> list[SourceFile]:
        return [s for s in self.program.sources if s.path is not None]

    def diagnostics_by_file(self, diagnostics: list[Diagnostic]) -> dict[Path, list[Diagnostic]]:
        """Each diagnostic under its file; one about the model as a whole under the root."""
        found: dict[Path, list[Diagnostic]] = {s.path: [] for s in self.sources() if s.path}
        for diagnostic in diagnostics:
            span = diagnostic.span
            path = span.source.path if span is not None else None
            found.setdefault(path or self.root, []).append(diagnostic)
        return found

    def at(self, path: Path, offset: int) -> Symbol | None:
        """The symbol declared or referenced at `offset` in `path`."""
        for symbol in self.symbols.values():
            if symbol.source.path == path and symbol.name_start <= offset <= symbol.name_end:
                return symbol
        for reference in self.references:
            if reference.source.path == path and reference.start <= offset <= reference.end:
                return self.symbols.get(reference.key)
        return None

    def references_to(self, key: str) -> list[Reference]:
        return [r for r in self.references if r.key == key]


class Workspace:
    """Open documents, the folders to look for root files in, and the parse cache."""

    def __init__(self, folders: list[Path] | None = None) -> None:
        self.folders = [Path(os.path.realpath(f)) for f in folders or []]
        self.texts: dict[Path, str] = {}
        self.cache = ParseCache()

    def open(self, path: Path, text: str) -> None:
        self.texts[Path(os.path.realpath(path))] = text

    def close(self, path: Path) -> None:
        self.texts.pop(Path(os.path.realpath(path)), None)

    def text(self, path: Path) -> str | None:
        real = Path(os.path.realpath(path))
        if real in self.texts:
            return self.texts[real]
        try:
            return DISK.read(real).decode("utf-8", errors="replace")
        except OSError:
            return None

    def _folder_for(self, path: Path) -> Path:
        for folder in self.folders:
            if path.is_relative_to(folder):
                return folder
        return path.parent

    def importers(self, folder: Path) -> dict[Path, set[Path]]:
        """For each file under `folder`, the files that import it."""
        found: dict[Path, set[Path]] = {}
        for file in cap_files_under(folder):
            text = self.text(file)
            if text is None:
                continue
            real = Path(os.path.realpath(file))
            for raw in _IMPORT.findall(text):  # a scan, not a parse: the loader parses
                target = Path(os.path.normpath(real.parent / raw))
                found.setdefault(target, set()).add(real)
        return found

    def root_for(self, path: Path) -> Path:
        """The file to compile for `path`: an importer nothing imports, else `path` itself."""
        path = Path(os.path.realpath(path))
        importers = self.importers(self._folder_for(path))
        seen = {path}
        frontier = [path]
        roots: list[Path] = []
        while frontier:
            current = frontier.pop()
            above = importers.get(current, set()) - seen
            if not importers.get(current) and current != path:
                roots.append(current)
            seen |= above
            frontier.extend(above)
        return sorted(roots)[0] if roots else path

    def analyse(self, path: Path) -> Analysis | None:
        """Compile the program `path` belongs to (None when its root cannot be read)."""
        root = self.root_for(path)
        display = _display(root, self._folder_for(root))
        try:
            program = load_program(root, display, Overlay(self.texts), self.cache)
        except UnreadableRoot:
            return None
        analysis = Analysis(root, program, compile_program(program))
        _index(analysis)
        return analysis


def cap_files_under(folder: Path) -> list[Path]:
    """The `.cap` files below `folder`, skipping hidden folders (`.git`, `.venv`) and caches;
    at most MAX_WORKSPACE_FILES, so a huge folder opened by mistake stays cheap."""
    found: list[Path] = []
    for current, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        found.extend(Path(current) / f for f in sorted(files) if f.endswith(".cap"))
        if len(found) >= MAX_WORKSPACE_FILES:
            return found[:MAX_WORKSPACE_FILES]
    return found


def _display(path: Path, folder: Path) -> str:
    try:
        return str(path.relative_to(folder))
    except ValueError:
        return str(path)


# -- the index of declarations and references -------------------------------------------


def _index(analysis: Analysis) -> None:
    symbols = analysis.symbols
    for item, source in analysis.program.items:
        if isinstance(item, ast.Decl):
            symbols.setdefault(item.name, _symbol(item.name, item.kind, source, item))
            for member in item.members:
                if isinstance(member, ast.Decl):
                    key = str(HallAddr(item.name, member.name))
                    symbols.setdefault(key, _symbol(key, "hall", source, member))
        elif isinstance(item, ast.Const):
            symbols.setdefault(
                item.name,
                Symbol(
                    item.name,
                    "const",
                    source,
                    item.name_start,
                    item.name_end,
                    item.start,
                    item.end,
                    item,
                ),
            )
    for item, source in analysis.program.items:
        for ref in item_refs(item):
            analysis.references.extend(_resolve_ref(ref, source, symbols))
        if isinstance(item, ast.Remove) and item.name in symbols:
            analysis.references.append(Reference(item.name, source, item.name_start, item.name_end))


def _symbol(key: str, kind: str, source: SourceFile, decl: ast.Decl) -> Symbol:
    return Symbol(key, kind, source, decl.name_start, decl.name_end, decl.start, decl.end, decl)


def ref_parts(ref: ast.Ref, text: str) -> list[tuple[str, int, int]]:
    """Each part of a dotted reference with its own character range."""
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text, ref.start, ref.end)]


def _resolve_ref(ref: ast.Ref, source: SourceFile, symbols: dict[str, Symbol]) -> list[Reference]:
    parts = ref_parts(ref, source.text)
    if not parts or parts[0][0] not in symbols:
        return []  # a word such as `liquid`, or an unknown name (E203 says so)
    head, start, end = parts[0]
    found = [Reference(head, source, start, end)]
    if len(parts) == 2:
        hall, hall_start, hall_end = parts[1]
        key = str(HallAddr(head, hall))
        if key in symbols:
            found.append(Reference(key, source, hall_start, hall_end))
    return found


def item_refs(item: ast.Item) -> Iterator[ast.Ref]:
    """Every reference written in an item (values, schedule keys, scenario targets)."""
    if isinstance(item, ast.Const):
        yield from value_refs(item.value)
    elif isinstance(item, ast.Override):
        yield item.target
        yield from _member_refs(item.members)
    elif isinstance(item, ast.Decl):
        yield from _member_refs(item.members)


def _member_refs(members: list[ast.Member]) -> Iterator[ast.Ref]:
    for member in members:
        if isinstance(member, ast.Attribute):
            yield from value_refs(member.value)
        elif isinstance(member, ast.MapMember):
            for entry in member.entries:
                if isinstance(entry.key, ast.Ref):
                    yield entry.key
                yield from value_refs(entry.value)
        else:
            yield from _member_refs(member.members)


def value_refs(value: ast.Value) -> Iterator[ast.Ref]:
    if isinstance(value, ast.Ref):
        yield value
    elif isinstance(value, ast.Product):
        yield from value_refs(value.operand)
    elif isinstance(value, ast.ListVal):
        for item in value.items:
            yield from value_refs(item)
    elif isinstance(value, ast.Range):
        for bound in value.bounds:
            yield from value_refs(bound)


def file_items(analysis: Analysis, path: Path) -> list[ast.Item]:
    return [item for item, source in analysis.program.items if source.path == path]


def enclosing(items: list[ast.Item], offset: int) -> list[ast.Decl | ast.Override]:
    """The blocks around `offset`, outermost first."""
    chain: list[ast.Decl | ast.Override] = []
    members: list[ast.Member] | list[ast.Item] = items
    while True:
        for node in members:
            if isinstance(node, ast.Decl | ast.Override) and node.start <= offset < node.end:
                chain.append(node)
                members = node.members
                break
        else:
            return chain


def quantity_at(items: list[ast.Item], offset: int) -> tuple[str, ast.Quantity] | None:
    """The quantity written at `offset`, with the attribute it is the value of."""
    for block in reversed(enclosing(items, offset)):
        for member in block.members:
            if isinstance(member, ast.Attribute):
                values = [member.value]
            elif isinstance(member, ast.MapMember):
                values = [e.value for e in member.entries]
            else:
                continue
            for value in values:
                found = _quantity_in(value, offset)
                if found is not None:
                    return member.name, found
    for item in items:
        if isinstance(item, ast.Const) and item.start <= offset <= item.end:
            found = _quantity_in(item.value, offset)
            if found is not None:
                return item.name, found
    return None


def _quantity_in(value: ast.Value, offset: int) -> ast.Quantity | None:
    if isinstance(value, ast.Quantity) and value.start <= offset <= value.end:
        return value
    if isinstance(value, ast.Product):
        return _quantity_in(value.operand, offset)
    if isinstance(value, ast.ListVal | ast.Range):
        for item in value.items if isinstance(value, ast.ListVal) else value.bounds:
            found = _quantity_in(item, offset)
            if found is not None:
                return found
    return None
