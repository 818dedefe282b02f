"""The plan as plain blocks (headings, sentences, tables) that every view lays out its own way.

The sections (`views/sections.py`) decide *what* a plan says, once; the text view
(`plan_text.py`) decides how it fits a terminal. Cells are the strings of
`views/tables.py`, already in the one number style (`capplan/numbers.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from capplan.views.tables import NUMERIC


@dataclass(frozen=True)
class Heading:
    """A title line: level 1 names the plan, level 2 a section."""

    text: str
    level: int = 2


@dataclass(frozen=True)
class Para:
    """A sentence; `alert` when it is bad news (stranded racks), `note` when it belongs to
    the table above it (printed right under it)."""

    text: str
    alert: bool = False
    note: bool = False


@dataclass(frozen=True)
class Table:
    """A titled table of string cells; `numeric` are the right-aligned figure columns."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    numeric: frozenset[str] = field(default=NUMERIC)

    def is_numeric(self, column: int) -> bool:
        return self.headers[column] in self.numeric


Block = Heading | Para | Table


def alert(header: str, cell: str) -> bool:
    """A cell that is bad news, which a terminal shows in red: a shortfall, negative
    headroom, stranded racks, a protected flow cut off by one loss."""
    if cell.startswith("SHORT"):
        return True
    if header.startswith("headroom") and cell.startswith("-") and cell != "-":
        return True
    if header == "stranded" and cell not in ("", "0"):
        return True
    return header == "load after loss" and cell == "disconnected"
