"""`capplan validate`: parse and check files, report every diagnostic."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from capplan.cli.common import DiagFormat, ScenarioOption, emit, usage_error


def validate(
    files: Annotated[
        list[Path],
        typer.Argument(help="Root .cap files (imports are followed); `-` reads standard input."),
    ],
    format: Annotated[
        DiagFormat, typer.Option("--format", help="Diagnostics as text (stderr) or JSON (stdout).")
    ] = DiagFormat.text,
    scenario: ScenarioOption = None,
) -> None:
    """Parse and check .cap files; report every diagnostic.

    Exit 0 when valid (warnings allowed), 1 when the model has errors, 2 on a usage error.
    """
    from capplan.api import STDIN, compile_input
    from capplan.diagnostics import Diagnostics
    from capplan.load import UnreadableRoot

    if files.count(STDIN) > 1:
        raise usage_error("`-` (standard input) can be given once")
    diagnostics = Diagnostics()
    unreadable = False
    for path in files:  # an unreadable file is reported and the others still checked
        try:
            compilation = compile_input(path, scenario or ())
        except UnreadableRoot as exc:
            typer.echo(f"error: {exc}", err=True)
            unreadable = True
            continue
        diagnostics.extend(compilation.diagnostics)
    emit(diagnostics, format)
    raise typer.Exit(2 if unreadable else 1 if diagnostics.has_errors else 0)
