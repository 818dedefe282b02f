"""Read the root file and its imports into one program (E110, E111, E112).

Imports are inlined where they are written, depth first, and a file imported
twice is read once, at its first import: that fixes one declaration order for
the whole model, which the scheduling rule depends on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from capplan.diagnostics import Diagnostic, Diagnostics, Related, Span, error
from capplan.source import SourceFile
from capplan.syntax import ast, parse_source


@dataclass
class Program:
    root: SourceFile | None
    items: list[tuple[ast.Item, SourceFile]] = field(default_factory=list)
    sources: list[SourceFile] = field(default_factory=list)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


class UnreadableRoot(Exception):
    """The root file itself cannot be read: a usage error (exit 2), not a diagnostic."""


class FileReader(Protocol):
    """Where the loader reads files from: the disk, or (for `diff REV:PATH`) a git revision."""

    def read(self, path: Path) -> bytes:
        """The file's bytes; raises OSError when it cannot be read."""
        ...

    def cap_files(self, folder: Path) -> list[str]:
        """Names of the `.cap` files in `folder`, sorted (for E110's suggestion)."""
        ...


class DiskReader:
    def read(self, path: Path) -> bytes:
        return path.read_bytes()

    def cap_files(self, folder: Path) -> list[str]:
        return sorted(p.name for p in folder.glob("*.cap")) if folder.is_dir() else []


DISK = DiskReader()


def decode(data: bytes, name: str, path: Path | None) -> tuple[SourceFile, int | None]:
    """Text of a file; the offset of the first invalid UTF-8 byte, if any."""
    try:
        return SourceFile(name, data.decode("utf-8"), path), None
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        return SourceFile(name, text, path), len(data[: exc.start].decode("utf-8", "replace"))


def load_text(text: str, name: str = "<input>") -> Program:
    """A program from one in-memory source (imports resolved against the cwd)."""
    source = SourceFile(name, text, None)
    program = Program(source)
    _Loader(program, Path.cwd()).add(source, [])
    return program


def load_program(
    path: Path | str, display: str | None = None, reader: FileReader = DISK
) -> Program:
    """The root file and, depth-first, everything it imports, read through `reader`.

    Raises `UnreadableRoot` when the root itself cannot be read (a usage error, exit 2).
    """
    path = Path(path)
    try:
        data = reader.read(path)
    except OSError as exc:
        raise UnreadableRoot(f"cannot read {display or path}: {exc.strerror}") from exc
    source, bad = decode(data, display or str(path), path.resolve())
    program = Program(source)
    loader = _Loader(program, path.resolve().parent, reader)
    if bad is not None:
        program.diagnostics.add(_not_utf8(source, bad))
    loader.add(source, [])
    return program


def _not_utf8(source: SourceFile, offset: int) -> Diagnostic:
    return error(
        "E100",
        "file is not valid UTF-8",
        Span(source, offset, offset + 1),
        detail="capplan reads .cap files as UTF-8",
    )


class _Loader:
    def __init__(self, program: Program, root_dir: Path, reader: FileReader = DISK) -> None:
        self.program = program
        self.root_dir = root_dir
        self.reader = reader
        self.loaded: set[Path] = set()

    def add(self, source: SourceFile, stack: list[tuple[Path | None, Span | None]]) -> None:
        if source.path is not None:
            self.loaded.add(source.path)
        self.program.sources.append(source)
        parsed = parse_source(source)
        self.program.diagnostics.extend(parsed.diagnostics)
        chain = [*stack, (source.path, None)]
        for item in parsed.file.items:
            if isinstance(item, ast.Import):
                self.follow(source, item, chain)
            else:
                self.program.items.append((item, source))

    def follow(
        self,
        importer: SourceFile,
        item: ast.Import,
        chain: list[tuple[Path | None, Span | None]],
    ) -> None:
        span = Span(importer, item.path.start, item.path.end)
        relative = item.path.raw
        base = importer.path.parent if importer.path is not None else self.root_dir
        target = Path(os.path.normpath(base / relative))
        if not _inside(target, self.root_dir):
            self.program.diagnostics.add(
                error(
                    "E112",
                    f"import `{relative}` escapes the directory of the root file",
                    span,
                    detail=f"imports must stay inside {self.root_dir.name}/ and its subfolders",
                    suggestions=("move the file under the root file's folder",),
                )
            )
            return
        if any(path == target for path, _ in chain):
            related = [Related("imported here", s) for path, s in chain if s is not None]
            self.program.diagnostics.add(
                error(
                    "E111",
                    f"import cycle: `{relative}` is already being imported",
                    span,
                    related=related,
                    suggestions=("remove one of the imports in the cycle",),
                )
            )
            return
        if target in self.loaded:
            return
        try:
            data = self.reader.read(target)
        except OSError:
            siblings = self.reader.cap_files(target.parent)
            suggestions = [f"files next to it: {', '.join(siblings)}"] if siblings else []
            self.program.diagnostics.add(
                error(
                    "E110",
                    f"imported file `{relative}` not found",
                    span,
                    detail=f"looked for {_display(importer, relative)}",
                    suggestions=suggestions,
                )
            )
            return
        name = _display(importer, relative)
        source, bad = decode(data, name, target)
        if bad is not None:
            self.program.diagnostics.add(_not_utf8(source, bad))
        new_chain = [*chain[:-1], (chain[-1][0], span)]
        self.add(source, new_chain)


def _inside(target: Path, root: Path) -> bool:
    try:
        target.relative_to(root)
    except ValueError:
        return False
    return True


def _display(importer: SourceFile, relative: str) -> str:
    """The imported file's name as a user would write it from the cwd."""
    parent = os.path.dirname(importer.name)
    return os.path.normpath(os.path.join(parent, relative)).replace(os.sep, "/")
