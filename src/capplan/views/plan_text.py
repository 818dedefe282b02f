"""`capplan plan` for a terminal: the plan's blocks laid out in the width there is.

A table takes its natural width when it fits. When it does not, the columns of
words (destinations, customers, date ranges) wrap between words; figures, names
and dates are never wrapped or cut. When even that does not fit, the table folds
into records: one block per row, a field per line. Colour marks bad news only
(`document.alert`), and only when asked for (a terminal; `capplan/terminal.py`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from rich import box
from rich.box import Box
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from capplan.report import PlanReport
from capplan.terminal import DEFAULT_WIDTH
from capplan.views.document import Block, Heading, Para, Table, alert
from capplan.views.sections import plan_blocks

ALERT = "bold red"
INDENT = "  "  # the fields of a record under its name


def render_plan_text(report: PlanReport, width: int | None = None, color: bool = False) -> str:
    return render_blocks(plan_blocks(report), width or DEFAULT_WIDTH, color)


def text_console(buffer: io.StringIO, width: int, color: bool) -> Console:
    """A console writing plain text into `buffer`: the same bytes on every machine
    (standard colours only when asked, no markup, highlighting or emoji)."""
    return Console(
        file=buffer,
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
        markup=False,
    )


def render_blocks(blocks: list[Block], width: int, color: bool) -> str:
    buffer = io.StringIO()
    console = text_console(buffer, width, color)
    tables = [block for block in blocks if isinstance(block, Table)]
    frame = choose_frame(tables, width)
    previous: Block | None = None
    for block in blocks:
        if previous is not None and not _runs_on(previous, block):
            console.print()
        if isinstance(block, Heading):
            console.print(Text(block.text, style="bold"))
        elif isinstance(block, Para):
            console.print(Text(block.text, style=ALERT if block.alert else ""))
        else:
            _print_table(console, block, frame, width)
        previous = block
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def _runs_on(previous: Block, block: Block) -> bool:
    """No blank line between: a heading and its sentences, a table and its note."""
    if isinstance(block, Para):
        return block.note or isinstance(previous, (Heading, Para))
    return False


@dataclass(frozen=True)
class Frame:
    """A table style and the columns its borders and padding take for n columns."""

    box: Box
    edge: bool
    chrome_per_column: int
    chrome_fixed: int

    def room(self, width: int, columns: int) -> int:
        return width - (self.chrome_per_column * columns + self.chrome_fixed)


FRAMES = (
    Frame(box.HEAVY_HEAD, True, 3, 1),  # borders all round: │ a │ b │
    Frame(box.SIMPLE_HEAD, False, 3, -3),  # a rule under the header, no borders: a   b
)
"""Tried in order: the boxed table, then the borderless one that takes less room."""


def choose_frame(tables: list[Table], width: int) -> Frame:
    """One frame for the whole document: the one whose tables take the fewest lines
    of content (wrapped cells, records), the boxed one on a tie."""
    return min(FRAMES, key=lambda frame: sum(_content_lines(t, frame, width) for t in tables))


def _content_lines(table: Table, frame: Frame, width: int) -> int:
    widths = column_widths(table, frame.room(width, len(table.headers)))
    if widths is None:  # records: a line per row and per field
        return sum(1 + sum(1 for cell in row[1:] if cell) for row in table.rows)
    columns = [[table.headers[i], *(row[i] for row in table.rows)] for i in range(len(widths))]
    return _height(columns, widths)


def column_widths(table: Table, room: int) -> list[int] | None:
    """Each column's width so the cells fit in `room` columns, or None when they cannot.

    A column's natural width is its longest cell. Text wraps between words only, so
    a column can narrow to its longest word, and a column of figures to its longest
    figure (its header may wrap): no name, date or figure is ever cut. Spare room
    goes first to the columns that need the least to stay on one line, so as few
    columns as possible wrap.
    """
    n = len(table.headers)
    columns = [[table.headers[i], *(row[i] for row in table.rows)] for i in range(n)]
    natural = [max(len(cell) for cell in cells) for cells in columns]
    if sum(natural) <= room:
        return natural
    minimum = []
    for i, cells in enumerate(columns):
        header = _longest_word(cells[0])
        if table.is_numeric(i):
            minimum.append(max([header, *(len(cell) for cell in cells[1:])]))
        else:
            minimum.append(max(_longest_word(cell) for cell in cells))
    if sum(minimum) > room:
        return None
    for lines in range(1, max(natural) + 1):  # the fewest lines per row that fit
        widths = [
            minimum[i] if table.is_numeric(i) else _width_for(cells, lines, minimum[i])
            for i, cells in enumerate(columns)
        ]
        if sum(widths) <= room:
            return _share_out(columns, widths, natural, room - sum(widths))
    return minimum  # not reached: one word per line is `minimum`


def _width_for(cells: list[str], lines: int, narrowest: int) -> int:
    """The narrowest width at which every cell wraps to at most `lines` lines."""
    width = narrowest
    while any(_lines(cell, width) > lines for cell in cells):
        width += 1
    return width


def _share_out(
    columns: list[list[str]], widths: list[int], natural: list[int], spare: int
) -> list[int]:
    """Give spare columns where they save the most lines per column of width.

    Each step widens the one column, to the one width, that shortens the table most
    per character spent (ties: the narrower step, the leftmost column); it stops
    when no widening saves a line.
    """
    widths = list(widths)
    height = _height(columns, widths)
    while spare > 0:
        best: tuple[float, int, int, int] | None = None  # (-saved per column, extra, i, h)
        for i in range(len(columns)):
            for extra in range(1, min(spare, natural[i] - widths[i]) + 1):
                trial = widths[:i] + [widths[i] + extra] + widths[i + 1 :]
                shorter = _height(columns, trial)
                if shorter < height:
                    key = (-(height - shorter) / extra, extra, i, shorter)
                    if best is None or key < best:
                        best = key
        if best is None:
            break
        _, extra, i, height = best
        widths[i] += extra
        spare -= extra
    return widths


def _height(columns: list[list[str]], widths: list[int]) -> int:
    """Lines the table's rows (header included) take with these column widths."""
    rows = len(columns[0])
    return sum(
        max(_lines(column[r], widths[i]) for i, column in enumerate(columns)) for r in range(rows)
    )


def _lines(cell: str, width: int) -> int:
    """Lines a cell wraps to between words at `width` (no word is longer than `width`)."""
    lines, used = 1, 0
    for word in cell.split():
        if used == 0:
            used = len(word)
        elif used + 1 + len(word) <= width:
            used += 1 + len(word)
        else:
            lines, used = lines + 1, len(word)
    return lines


def _longest_word(cell: str) -> int:
    return max((len(word) for word in cell.split()), default=0)


def _print_table(console: Console, table: Table, frame: Frame, width: int) -> None:
    widths = column_widths(table, frame.room(width, len(table.headers)))
    if widths is None:
        _print_records(console, table)
        return
    rich = RichTable(
        title=table.title,
        title_justify="left",
        title_style="",
        box=frame.box,
        show_edge=frame.edge,
        pad_edge=frame.edge,
    )
    for i, header in enumerate(table.headers):
        rich.add_column(
            header,
            justify="right" if table.is_numeric(i) else "left",
            overflow="fold",
            width=widths[i],
        )
    for row in table.rows:
        rich.add_row(*(_cell(table.headers[i], cell) for i, cell in enumerate(row)))
    console.print(rich)


def _cell(header: str, cell: str) -> Text:
    return Text(cell, style=ALERT if alert(header, cell) else "")


def _print_records(console: Console, table: Table) -> None:
    """One record per row: its first cell (the name or date) as a line, then its fields."""
    console.print(Text(table.title))
    label_width = max(len(h) for h in table.headers[1:])
    for row in table.rows:
        console.print(Text(row[0], style="bold"))
        grid = RichTable.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for header, cell in zip(table.headers[1:], row[1:], strict=True):
            if cell:
                grid.add_row(Text(INDENT + header.ljust(label_width)), _cell(header, cell))
        console.print(grid)
