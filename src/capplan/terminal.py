"""What the terminal a command writes to allows: its width and whether to colour.

Colour carries meaning only (a missed commitment, negative headroom, an error), so a
document piped to a file or a CI log is plain text: colour needs a terminal, and
`NO_COLOR` (any non-empty value, https://no-color.org) or `TERM=dumb` turn it off.
`FORCE_COLOR` (non-empty) turns it on for a pipe, as other tools do; `NO_COLOR` wins.
The width is `COLUMNS` when set, else the terminal's, else `DEFAULT_WIDTH` (a file).
"""

from __future__ import annotations

import os
from typing import TextIO

DEFAULT_WIDTH = 120
"""Columns of a document written to a file or a pipe with no `COLUMNS`."""

MIN_WIDTH = 40
"""The narrowest text the views lay out (tables fold into records well above it)."""

RESET = "\x1b[0m"
ERROR = "\x1b[1;31m"  # bold red
WARNING = "\x1b[1;33m"  # bold yellow


def color_enabled(stream: TextIO) -> bool:
    """Colour for `stream`: a terminal (or FORCE_COLOR), unless NO_COLOR or TERM=dumb."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return _isatty(stream)


def width_of(stream: TextIO) -> int:
    """Columns to lay text out in for `stream`, never below MIN_WIDTH."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return max(MIN_WIDTH, int(columns))
    if _isatty(stream):
        try:
            return max(MIN_WIDTH, os.get_terminal_size(stream.fileno()).columns)
        except (OSError, ValueError):
            pass
    return DEFAULT_WIDTH


def paint(text: str, style: str, color: bool) -> str:
    """`text` in an ANSI `style` when colouring, else unchanged."""
    return f"{style}{text}{RESET}" if color and text else text


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False
