"""The `capplan` command line: thin wrappers over `capplan.api`."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from capplan import __version__

if TYPE_CHECKING:
    from capplan.diagnostics import Diagnostics

app = typer.Typer(
    name="capplan",
    help="Capacity planning and infrastructure-as-code for AI datacenters.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class DiagFormat(str, Enum):
    text = "text"
    json = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"capplan {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Capacity planning and infrastructure-as-code for AI datacenters."""


def _usage_error(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Root .cap files (imports are followed).")],
    format: Annotated[
        DiagFormat, typer.Option("--format", help="Diagnostics as text (stderr) or JSON (stdout).")
    ] = DiagFormat.text,
) -> None:
    """Parse and check .cap files; report every diagnostic.

    Exit 0 when valid (warnings allowed), 1 when the model has errors, 2 on a usage error.
    """
    from capplan.api import compile_file
    from capplan.diagnostics import Diagnostics
    from capplan.load import UnreadableRoot

    diagnostics = Diagnostics()
    for path in files:
        try:
            compilation = compile_file(path, str(path))
        except UnreadableRoot as exc:
            raise _usage_error(str(exc)) from None
        diagnostics.extend(compilation.diagnostics)
    _emit(diagnostics, format)
    raise typer.Exit(1 if diagnostics.has_errors else 0)


def _emit(diagnostics: Diagnostics, format: DiagFormat) -> None:
    ordered = diagnostics.sorted()
    if format is DiagFormat.json:
        from capplan.diagnostics.json_format import render_json

        sys.stdout.write(render_json(ordered))
        return
    from capplan.diagnostics.text import render_text

    if ordered:
        sys.stderr.write(render_text(ordered))


def main() -> None:
    """Console entry point: never a traceback, whatever the input."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        sys.stderr.write(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "capplan hit a bug; please report it with the input that caused it.\n"
        )
        sys.exit(3)
