"""Read the root file and its imports into one program (E110, E111, E112).

Imports are inlined where they are written, depth first, and a file imported
twice is read once, at its first import: that fixes one declaration order for
the whole model, which the scheduling rule depends on.

Imported files are untrusted (docs/security.md): an import is judged by the
file's real path (symlinks resolved) before anything is opened, only regular
files of at most `MAX_FILE_BYTES` are read, and files are keyed by real path,
so no symlink or folder loop can make the loader read outside the root's
folder, block, or read without end. Loading is a loop over an explicit stack,
so an import chain is as deep as the disk allows, not as Python's recursion.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from capplan.diagnostics import Diagnostic, Diagnostics, Related, Span, error
from capplan.diagnostics.codes import Code
from capplan.source import SourceFile
from capplan.syntax import ParseResult, ast, parse_source

# How the loader parses a source: the default parses it; a language server passes a cache
# that returns an earlier (source, parse) for a file whose name and text are unchanged.
Parse = Callable[[SourceFile], tuple[SourceFile, ParseResult]]


def parse_fresh(source: SourceFile) -> tuple[SourceFile, ParseResult]:
    return source, parse_source(source)


# The largest .cap file read (root or import): far above any hand-written or
# generated inventory (the bench's XL model is a few MB), far below memory.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_CYCLE_SHOWN = 20  # the innermost imports of a cycle an E111 lists


@dataclass
class Program:
    root: SourceFile | None
    items: list[tuple[ast.Item, SourceFile]] = field(default_factory=list)
    sources: list[SourceFile] = field(default_factory=list)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


class UnreadableRoot(Exception):
    """The root file itself cannot be read: a usage error (exit 2), not a diagnostic."""


class NotReadable(OSError):
    """A file that exists but is not read (not a regular file, too large): `strerror` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.strerror = reason


class FileReader(Protocol):
    """Where the loader reads files from: the disk, or (for `diff REV:PATH`) a git revision."""

    def read(self, path: Path) -> bytes:
        """The file's bytes; raises FileNotFoundError when absent, another OSError when refused."""
        ...

    def cap_files(self, folder: Path) -> list[str]:
        """Names of the `.cap` files in `folder`, sorted (for E110's suggestion)."""
        ...

    def resolve(self, path: Path) -> Path:
        """The absolute path with every symbolic link resolved (E112 judges this path)."""
        ...


class DiskReader:
    """The file system, read defensively: regular files of at most MAX_FILE_BYTES only."""

    def read(self, path: Path) -> bytes:
        return _read_regular(path)

    def cap_files(self, folder: Path) -> list[str]:
        try:
            return sorted(p.name for p in folder.glob("*.cap")) if folder.is_dir() else []
        except OSError:
            return []

    def resolve(self, path: Path) -> Path:
        return Path(os.path.realpath(path))


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
    _Loader(program, DISK.resolve(Path.cwd())).run(source)
    return program


def load_program(
    path: Path | str,
    display: str | None = None,
    reader: FileReader = DISK,
    parse: Parse = parse_fresh,
) -> Program:
    """The root file and, depth-first, everything it imports, read through `reader`.

    Raises `UnreadableRoot` when the root itself cannot be read (a usage error,
    exit 2): missing, not a regular file, or larger than MAX_FILE_BYTES.
    """
    path = Path(path)
    try:
        data = reader.read(path)
        real = reader.resolve(path)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UnreadableRoot(f"cannot read {display or path}: {reason}") from exc
    source, bad = decode(data, display or str(path), real)
    program = Program(source)
    if bad is not None:
        program.diagnostics.add(_not_utf8(source, bad))
    _Loader(program, real.parent, reader, parse).run(source)
    return program


_MIB = MAX_FILE_BYTES // (1024 * 1024)


def _not_utf8(source: SourceFile, offset: int) -> Diagnostic:
    return error(
        Code.E100,
        "file is not valid UTF-8",
        Span(source, offset, offset + 1),
        detail="capplan reads .cap files as UTF-8",
    )


@dataclass
class _Frame:
    """A file being inlined: its remaining items and the import it is following now."""

    source: SourceFile
    items: list[ast.Item]
    next: int = 0
    importing: Span | None = None


class _Loader:
    def __init__(
        self,
        program: Program,
        root_dir: Path,
        reader: FileReader = DISK,
        parse: Parse = parse_fresh,
    ) -> None:
        self.program = program
        self.root_dir = root_dir
        self.reader = reader
        self.parse = parse
        self.root_name = program.root.name if program.root is not None else ""
        self.loaded: set[Path] = set()
        self.active: set[Path] = set()

    def run(self, root: SourceFile) -> None:
        """Inline `root` and its imports depth first, with an explicit stack."""
        stack = [self.open(root)]
        while stack:
            frame = stack[-1]
            if frame.next == len(frame.items):
                stack.pop()
                if frame.source.path is not None:
                    self.active.discard(frame.source.path)
                if stack:
                    stack[-1].importing = None
                continue
            item = frame.items[frame.next]
            frame.next += 1
            if not isinstance(item, ast.Import):
                self.program.items.append((item, frame.source))
                continue
            imported = self.follow(frame.source, item, stack)
            if imported is not None:
                frame.importing = Span(frame.source, item.path.start, item.path.end)
                stack.append(self.open(imported))

    def open(self, source: SourceFile) -> _Frame:
        given = source
        source, parsed = self.parse(source)
        if self.program.root is given:
            self.program.root = source
        if source.path is not None:
            self.loaded.add(source.path)
            self.active.add(source.path)
        self.program.sources.append(source)
        self.program.diagnostics.extend(parsed.diagnostics)
        return _Frame(source, parsed.file.items)

    def follow(
        self, importer: SourceFile, item: ast.Import, stack: list[_Frame]
    ) -> SourceFile | None:
        """The imported file to inline next, or None (reported, or already read)."""
        span = Span(importer, item.path.start, item.path.end)
        relative = item.path.raw
        report = self.program.diagnostics.add
        if "\0" in relative:
            report(_cannot_read(span, relative, "its path contains a NUL character"))
            return None
        base = importer.path.parent if importer.path is not None else self.root_dir
        try:
            target = self.reader.resolve(base / relative)
        except (OSError, ValueError) as exc:
            report(_cannot_read(span, relative, str(exc)))
            return None
        if not _inside(target, self.root_dir):
            report(
                error(
                    Code.E112,
                    f"import `{relative}` escapes the directory of the root file",
                    span,
                    detail=f"imports must stay inside {self.root_dir.name}/ and its subfolders"
                    " (symbolic links are followed before this is judged)",
                    suggestions=("move the file under the root file's folder",),
                )
            )
            return None
        if target in self.active:
            chain = [f.importing for f in stack if f.importing is not None]
            related = [Related("imported here", s) for s in chain[-MAX_CYCLE_SHOWN:]]
            if len(chain) > MAX_CYCLE_SHOWN:  # bounded: n cycles in a deep chain stay O(n)
                skipped = len(chain) - MAX_CYCLE_SHOWN
                related.insert(0, Related(f"and {skipped} imports before these", None))
            report(
                error(
                    Code.E111,
                    f"import cycle: `{relative}` is already being imported",
                    span,
                    related=related,
                    suggestions=("remove one of the imports in the cycle",),
                )
            )
            return None
        if target in self.loaded:
            return None
        name = self.display(target)
        try:
            data = self.reader.read(target)
        except FileNotFoundError:
            report(_not_found(span, relative, name, self.reader.cap_files(target.parent)))
            return None
        except OSError as exc:
            report(_cannot_read(span, relative, exc.strerror or str(exc)))
            return None
        source, bad = decode(data, name, target)
        if bad is not None:
            report(_not_utf8(source, bad))
        return source

    def display(self, target: Path) -> str:
        """The file's name as a user would write it from the cwd: root's folder + real path.

        Derived from the real path, so its length is bounded by the file system's,
        however the import was spelt (`a/b/a/b/x.cap` through symlinks to `.`).
        """
        parent = os.path.dirname(self.root_name)
        relative = os.path.relpath(target, self.root_dir)
        return os.path.normpath(os.path.join(parent, relative)).replace(os.sep, "/")


def _read_regular(target: Path) -> bytes:
    """The file's bytes, if it is a regular file of at most MAX_FILE_BYTES.

    Judged with stat before opening (a FIFO would block in open, a device
    would read forever), opened non-blocking and checked again on the open
    descriptor, so a file swapped between the two checks is still refused.
    """
    _check_regular(os.stat(target))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(target, flags)
    try:
        _check_regular(os.fstat(fd))
        chunks: list[bytes] = []
        total = 0
        while total <= MAX_FILE_BYTES:
            try:
                chunk = os.read(fd, min(1 << 20, MAX_FILE_BYTES + 1 - total))
            except BlockingIOError as exc:  # pragma: no cover - regular files do not block
                raise NotReadable("it would block") from exc
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    if total > MAX_FILE_BYTES:
        raise NotReadable(f"it is larger than {_MIB} MiB")
    return b"".join(chunks)


def _check_regular(info: os.stat_result) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise NotReadable("it is a folder")
    if not stat.S_ISREG(info.st_mode):
        raise NotReadable("it is not a regular file (a pipe, socket or device)")
    if info.st_size > MAX_FILE_BYTES:
        raise NotReadable(f"it is larger than {_MIB} MiB")


def _not_found(span: Span, relative: str, name: str, siblings: list[str]) -> Diagnostic:
    suggestions = [f"files next to it: {', '.join(siblings)}"] if siblings else []
    return error(
        Code.E110,
        f"imported file `{relative}` not found",
        span,
        detail=f"looked for {name}",
        suggestions=suggestions,
    )


def _cannot_read(span: Span, relative: str, reason: str) -> Diagnostic:
    shown = relative.replace("\0", "\\0")
    return error(
        Code.E110,
        f"imported file `{shown}` cannot be read: {reason}",
        span,
        detail=f"an import names a regular UTF-8 file of at most {_MIB} MiB",
    )


def _inside(target: Path, root: Path) -> bool:
    try:
        target.relative_to(root)
    except ValueError:
        return False
    return True


__all__ = [
    "DISK",
    "MAX_FILE_BYTES",
    "DiskReader",
    "FileReader",
    "NotReadable",
    "Program",
    "UnreadableRoot",
    "decode",
    "load_program",
    "load_text",
]
