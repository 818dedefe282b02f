"""What the commands share: argument and option types, usage errors, the diagnostics output.

A usage error (exit 2) is found before any work; the diagnostics of a model go to
stderr as text or to stdout as JSON (docs/language.md §18).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from capplan.terminal import MIN_WIDTH

if TYPE_CHECKING:
    from capplan.api import Compilation
    from capplan.diagnostics import Diagnostics


class DiagFormat(str, Enum):
    text = "text"
    json = "json"


FileArgument = Annotated[
    Path,
    typer.Argument(help="Root .cap file (imports are followed); `-` reads standard input."),
]

ScenarioOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--scenario",
        metavar="FILE",
        help="A .cap file of overrides/removals applied after the model (repeatable, in order).",
    ),
]

WidthOption = Annotated[
    int | None,
    typer.Option(
        "--width",
        min=MIN_WIDTH,
        metavar="COLUMNS",
        help="Text width in columns (default: COLUMNS, else the terminal's, else 120).",
        show_default=False,
    ),
]


def write_text(render: Callable[[int, bool], str], width: int | None) -> None:
    """A text document on stdout: `width` columns (else the stream's), coloured when it allows."""
    from capplan.terminal import color_enabled, width_of

    sys.stdout.write(render(width or width_of(sys.stdout), color_enabled(sys.stdout)))


def usage_error(message: str) -> typer.Exit:
    """Print `message` as a usage error; the caller raises the returned exit (code 2)."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def emit(diagnostics: Diagnostics, format: DiagFormat, *, complete: bool = True) -> None:
    """The diagnostics, sorted: text on stderr (nothing when there are none), or JSON on stdout.

    `complete` is false when a root file could not be read (JSON then says `valid: false`).
    """
    ordered = diagnostics.sorted()
    if format is DiagFormat.json:
        from capplan.diagnostics.json_format import render_json

        sys.stdout.write(render_json(ordered, complete=complete))
        return
    from capplan.diagnostics.text import render_text
    from capplan.terminal import color_enabled

    if ordered:
        sys.stderr.write(render_text(ordered, color=color_enabled(sys.stderr)))


def compile_or_exit(path: Path, scenarios: list[Path] | None = None) -> Compilation:
    """The model of a FILE argument (`-`: standard input); exit 2 when it cannot be read."""
    from capplan.api import compile_input
    from capplan.load import UnreadableRoot

    try:
        return compile_input(path, scenarios or ())
    except UnreadableRoot as exc:
        raise usage_error(str(exc)) from None


def parse_day(value: str | None) -> date | None:
    """The `--at` day, or exit 2 when it is not a date."""
    if value is None:
        return None
    from capplan.resolve.values import parse_date

    try:
        return parse_date(value)
    except ValueError as exc:
        raise usage_error(f"--at {value}: {exc}") from None


def check_at(day: date | None, compilation: Compilation) -> None:
    """`--at` must lie in the plan horizon (checked before planning)."""
    model = compilation.model
    if day is None or model is None or not compilation.plannable:  # no horizon to judge by
        return
    if not model.start <= day <= model.end:
        raise usage_error(
            f"--at {day.isoformat()} is outside the plan horizon "
            f"{model.start.isoformat()} .. {model.end.isoformat()}"
        )
