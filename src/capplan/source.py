"""Source files and the mapping from character offsets to lines, columns and bytes.

Spans everywhere are character offsets into a file's text; lines, columns and
byte offsets are derived only when a diagnostic is rendered, so the hot parse
path carries two integers per node. Both derivations are table look-ups built
once per file in linear time (line starts; the byte offset of every
`BYTE_STEP`-th character), so rendering n diagnostics costs O(n log n) even on
a single long non-ASCII line.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Position:
    line: int  # from 1
    column: int  # from 1, in characters
    byte: int  # from 0


@dataclass(eq=False)
class SourceFile:
    """One loaded `.cap` file: its display name (as given or relative) and text."""

    name: str
    text: str
    path: Path | None = None
    _line_starts: list[int] | None = field(default=None, repr=False)
    _ascii: bool | None = field(default=None, repr=False)
    _byte_marks: list[int] | None = field(default=None, repr=False)

    @property
    def line_starts(self) -> list[int]:
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._line_starts = starts
        return self._line_starts

    def position(self, offset: int) -> Position:
        offset = max(0, min(offset, len(self.text)))
        starts = self.line_starts
        index = bisect_right(starts, offset) - 1
        line_start = starts[index]
        return Position(index + 1, offset - line_start + 1, self.byte_offset(offset))

    def byte_offset(self, offset: int) -> int:
        """The UTF-8 byte offset of a character offset: O(BYTE_STEP) after a linear setup."""
        if self._ascii is None:
            self._ascii = self.text.isascii()
        if self._ascii:
            return offset
        marks = self._byte_marks
        if marks is None:
            marks = self._byte_marks = _byte_marks(self.text)
        mark = offset // BYTE_STEP
        base = mark * BYTE_STEP
        return marks[mark] + len(self.text[base:offset].encode("utf-8", "surrogatepass"))

    def __repr__(self) -> str:
        return f"SourceFile({self.name!r})"

    def line_bounds(self, line: int) -> tuple[int, int]:
        """Character offsets of the line's first character and of its end (before `\\r\\n`)."""
        starts = self.line_starts
        begin = starts[line - 1]
        end = starts[line] - 1 if line < len(starts) else len(self.text)
        if end > begin and self.text[end - 1] == "\r":
            end -= 1
        return begin, end


BYTE_STEP = 256  # characters between two byte-offset marks


def _byte_marks(text: str) -> list[int]:
    """marks[k]: the UTF-8 byte offset of character k * BYTE_STEP (one pass over the text)."""
    marks = [0]
    total = 0
    for base in range(0, len(text), BYTE_STEP):
        total += len(text[base : base + BYTE_STEP].encode("utf-8", "surrogatepass"))
        marks.append(total)
    return marks
