"""`capplan validate`: parse and check files, report every diagnostic."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from capplan.cli.common import DiagFormat, ScenarioOption, emit, usage_error

if TYPE_CHECKING:
    from capplan.api import Compilation


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
    models: list[Compilation] = []
    unreadable = False
    for path in files:  # an unreadable file is reported and the others still checked
        try:
            compilation = compile_input(path, scenario or ())
        except UnreadableRoot as exc:
            typer.echo(f"error: {exc}", err=True)
            unreadable = True
            continue
        diagnostics.extend(compilation.diagnostics)
        models.append(compilation)
    emit(diagnostics, format, complete=not unreadable)
    if format is DiagFormat.text and models and not unreadable and not diagnostics.has_errors:
        typer.echo(_summary(models, len(diagnostics)), err=True)
    raise typer.Exit(2 if unreadable else 1 if diagnostics.has_errors else 0)


def _summary(models: list[Compilation], warnings: int) -> str:
    """The one line a valid run prints on stderr: what was checked, so silence is never ambiguous."""
    from capplan.numbers import counted

    files = sum(len(c.program.sources) for c in models)
    declarations = sum(c.model.declaration_count() for c in models if c.model is not None)
    gpus = sum(c.model.gpus_planned() for c in models if c.model is not None)
    root = models[0].program.root
    what = (
        f"{root.name} is" if len(models) == 1 and root is not None else f"{len(models)} models are"
    )
    noted = f" ({counted(warnings, 'warning')})" if warnings else ""
    return (
        f"capplan: {what} valid{noted}: {counted(files, 'file')}, "
        f"{counted(declarations, 'declaration')}, {counted(gpus, 'GPU')} planned"
    )
