"""rustc/KCL-style text rendering of diagnostics (for stderr).

The output is bounded whatever the input (docs/security.md): a source line
longer than `LINE_WIDTH` characters is shown as a window around the marked
range (`…` where it is cut), a span shows at most four lines, a diagnostic at
most `MAX_RELATED` related locations, and after `MAX_SNIPPETS` diagnostics the
rest are printed in two lines each (the message and its location), so n
diagnostics cost O(n) bytes, never O(n x line length). Control characters of
the input are shown as their Unicode control pictures (`␀`, `␛`), so a `.cap`
file cannot write terminal escapes into a CI log. `--format json` is complete.
"""

from __future__ import annotations

from collections.abc import Iterable

from capplan.diagnostics import Diagnostic, Span
from capplan.terminal import ERROR, WARNING, paint

LINE_WIDTH = 120  # characters of a source line shown around the marked range
LEAD = 40  # of which before the range's first column, when the line is cut
MAX_SNIPPETS = 200  # diagnostics shown with their source lines; later ones in two lines
MAX_RELATED = 16  # related locations shown per diagnostic
MAX_MESSAGE = 400  # characters of a summary, note or help line
ELLIPSIS = "…"

# C0 controls (but tab, which becomes a space) and DEL as visible control pictures.
_CONTROLS = {i: 0x2400 + i for i in range(32) if i != 9} | {127: 0x2421, 9: 32}


def visible(text: str) -> str:
    """Text as one terminal line: control characters shown, never interpreted."""
    return text.translate(_CONTROLS)


def _cut(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def _window(span: Span, number: int, first_col: int, last_col: int) -> tuple[str, int]:
    """The part of line `number` shown, and the column its first character has (from 1).

    Only the shown part is sliced out of the file, so a diagnostic on a long
    line costs O(LINE_WIDTH), not O(line).
    """
    begin, end = span.source.line_bounds(number)
    length = end - begin
    if length <= LINE_WIDTH:
        return visible(span.source.text[begin:end]), 1
    low = max(0, min(first_col - 1 - LEAD, length - LINE_WIDTH))
    high = min(length, low + LINE_WIDTH)
    shown = visible(span.source.text[begin + low : begin + high])
    prefix = ELLIPSIS if low > 0 else ""
    suffix = ELLIPSIS if high < length else ""
    return prefix + shown + suffix, low + 1 - len(prefix)


def _snippet(span: Span, marker: str, label: str, gutter: int) -> list[str]:
    source = span.source
    start = source.position(span.start)
    end = source.position(max(span.start, span.end - 1)) if span.end > span.start else start
    pad = " " * gutter
    lines = [f"{pad} |"]
    last_line = min(end.line, start.line + 3)
    for number in range(start.line, last_line + 1):
        begin, finish = source.line_bounds(number)
        line_length = finish - begin
        if number == start.line:
            first_col = start.column
        else:
            line = source.text[begin : min(finish, begin + LINE_WIDTH)]
            first_col = 1 + (len(line) - len(line.lstrip()))
        last_col = end.column if number == end.line else line_length
        text, origin = _window(span, number, first_col, last_col)
        lines.append(f"{number:>{gutter}} | {text}")
        shown_first, shown_last = first_col, last_col
        if line_length > LINE_WIDTH:  # windowed: mark only what is shown
            shown_first = max(first_col, origin)
            shown_last = min(last_col, origin + len(text) - 1)
        width = max(1, shown_last - shown_first + 1)
        underline = " " * (shown_first - origin) + marker * width
        if number == last_line and label:
            underline += f" {visible(_cut(label))}"
        lines.append(f"{pad} | {underline}".rstrip())
    return lines


def _gutter(diagnostic: Diagnostic) -> int:
    spans = [diagnostic.span] + [r.span for r in diagnostic.related[:MAX_RELATED]]
    widest = 1
    for span in spans:
        if span is not None:
            end = span.source.position(span.end).line
            widest = max(widest, len(str(end + 3)))
    return widest


def _header(diagnostic: Diagnostic, color: bool = False) -> str:
    summary = visible(_cut(diagnostic.summary))
    label = paint(
        f"{diagnostic.severity.value}[{diagnostic.code}]",
        ERROR if diagnostic.is_error else WARNING,
        color,
    )
    return f"{label}: {summary}"


def _location(span: Span, pad: str, arrow: str) -> str:
    pos = span.source.position(span.start)
    return f"{pad}{arrow} {visible(span.source.name)}:{pos.line}:{pos.column}"


def render_diagnostic(diagnostic: Diagnostic, color: bool = False) -> str:
    """One diagnostic with its source lines; `color` paints the severity (for a terminal)."""
    out = [_header(diagnostic, color)]
    gutter = _gutter(diagnostic)
    pad = " " * gutter
    if diagnostic.span is not None:
        out.append(_location(diagnostic.span, pad, "-->"))
        out.extend(_snippet(diagnostic.span, "^", "", gutter))
    for related in diagnostic.related[:MAX_RELATED]:
        if related.span is None:
            out.append(f"{pad} = note: {visible(_cut(related.message))}")
            continue
        out.append(_location(related.span, pad, ":::"))
        out.extend(_snippet(related.span, "-", related.message, gutter))
    hidden = len(diagnostic.related) - MAX_RELATED
    if hidden > 0:
        out.append(f"{pad} = note: {hidden} more related location{'s' if hidden != 1 else ''}")
    if diagnostic.span is not None or diagnostic.related:
        out.append(f"{pad} |")
    for line in diagnostic.detail.splitlines():
        out.append(f"{pad} = note: {visible(_cut(line))}")
    for suggestion in diagnostic.suggestions:
        out.append(f"{pad} = help: {visible(_cut(suggestion))}")
    return "\n".join(out)


def render_brief(diagnostic: Diagnostic, color: bool = False) -> str:
    """Two lines: the message and where (for diagnostics past MAX_SNIPPETS)."""
    if diagnostic.span is None:
        return _header(diagnostic, color)
    return _header(diagnostic, color) + "\n" + _location(diagnostic.span, " ", "-->")


def render_text(diagnostics: Iterable[Diagnostic], color: bool = False) -> str:
    """All diagnostics, then a one-line tally like rustc's; `color` for a terminal."""
    items = list(diagnostics)
    blocks = [render_diagnostic(d, color) for d in items[:MAX_SNIPPETS]]
    blocks.extend(render_brief(d, color) for d in items[MAX_SNIPPETS:])
    errors = sum(1 for d in items if d.is_error)
    warnings = len(items) - errors
    tally = []
    if errors:
        tally.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        tally.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    if tally:
        summary = "capplan: " + ", ".join(tally) + " found"
        if len(items) > MAX_SNIPPETS:
            summary += f" (source shown for the first {MAX_SNIPPETS}; --format json has all)"
        blocks.append(summary)
    return "\n\n".join(blocks) + ("\n" if blocks else "")
