"""Character offsets (capplan's spans) to and from LSP positions (UTF-16 code units)."""

from __future__ import annotations

from bisect import bisect_right
from pathlib import Path
from urllib.parse import unquote, urlparse

from lsprotocol import types

from capplan.diagnostics import Span
from capplan.source import SourceFile


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def position(source: SourceFile, offset: int) -> types.Position:
    offset = max(0, min(offset, len(source.text)))
    starts = source.line_starts
    line = bisect_right(starts, offset) - 1
    return types.Position(line=line, character=_units(source.text[starts[line] : offset]))


def lsp_range(source: SourceFile, start: int, end: int) -> types.Range:
    return types.Range(start=position(source, start), end=position(source, end))


def span_range(span: Span) -> types.Range:
    return lsp_range(span.source, span.start, span.end)


def offset(text: str, where: types.Position) -> int:
    """The character offset of an LSP position in `text` (clamped to the line's end)."""
    line_start = 0
    for _ in range(where.line):
        found = text.find("\n", line_start)
        if found == -1:
            return len(text)
        line_start = found + 1
    line_end = text.find("\n", line_start)
    line_end = len(text) if line_end == -1 else line_end
    units = 0
    index = line_start
    while index < line_end and units < where.character:
        units += 2 if ord(text[index]) > 0xFFFF else 1
        index += 1
    return index


def uri_path(uri: str) -> Path:
    return Path(unquote(urlparse(uri).path))


def path_uri(path: Path) -> str:
    return path.resolve().as_uri()
