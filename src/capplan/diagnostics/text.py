"""rustc/KCL-style text rendering of diagnostics (for stderr)."""

from __future__ import annotations

from collections.abc import Iterable

from capplan.diagnostics import Diagnostic, Span


def _snippet(span: Span, marker: str, label: str, gutter: int) -> list[str]:
    source = span.source
    start = source.position(span.start)
    end = source.position(max(span.start, span.end - 1)) if span.end > span.start else start
    pad = " " * gutter
    lines = [f"{pad} |"]
    last_line = min(end.line, start.line + 3)
    for number in range(start.line, last_line + 1):
        text = source.line_text(number).expandtabs(1)
        lines.append(f"{number:>{gutter}} | {text}")
        first_col = start.column if number == start.line else 1 + (len(text) - len(text.lstrip()))
        last_col = end.column if number == end.line else len(text)
        width = max(1, last_col - first_col + 1)
        underline = " " * (first_col - 1) + marker * width
        if number == last_line and label:
            underline += f" {label}"
        lines.append(f"{pad} | {underline}".rstrip())
    return lines


def _gutter(diagnostic: Diagnostic) -> int:
    spans = [diagnostic.span] + [r.span for r in diagnostic.related]
    widest = 1
    for span in spans:
        if span is not None:
            end = span.source.position(span.end).line
            widest = max(widest, len(str(end + 3)))
    return widest


def render_diagnostic(diagnostic: Diagnostic) -> str:
    out = [f"{diagnostic.severity.value}[{diagnostic.code}]: {diagnostic.summary}"]
    gutter = _gutter(diagnostic)
    pad = " " * gutter
    if diagnostic.span is not None:
        pos = diagnostic.span.source.position(diagnostic.span.start)
        out.append(f"{pad}--> {diagnostic.span.source.name}:{pos.line}:{pos.column}")
        out.extend(_snippet(diagnostic.span, "^", "", gutter))
    for related in diagnostic.related:
        if related.span is None:
            out.append(f"{pad} = note: {related.message}")
            continue
        pos = related.span.source.position(related.span.start)
        out.append(f"{pad}::: {related.span.source.name}:{pos.line}:{pos.column}")
        out.extend(_snippet(related.span, "-", related.message, gutter))
    if diagnostic.span is not None or diagnostic.related:
        out.append(f"{pad} |")
    for line in diagnostic.detail.splitlines():
        out.append(f"{pad} = note: {line}")
    for suggestion in diagnostic.suggestions:
        out.append(f"{pad} = help: {suggestion}")
    return "\n".join(out)


def render_text(diagnostics: Iterable[Diagnostic]) -> str:
    """All diagnostics, then a one-line tally like rustc's."""
    items = list(diagnostics)
    blocks = [render_diagnostic(d) for d in items]
    errors = sum(1 for d in items if d.is_error)
    warnings = len(items) - errors
    tally = []
    if errors:
        tally.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        tally.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    if tally:
        blocks.append("capplan: " + ", ".join(tally) + " found")
    return "\n\n".join(blocks) + ("\n" if blocks else "")
