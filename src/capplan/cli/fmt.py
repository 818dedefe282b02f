"""`capplan fmt`: .cap files rewritten in the canonical layout."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from capplan.cli.common import DiagFormat, emit, usage_error


def fmt(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files or directories (every .cap below); `-` for stdin. Default: .",
            show_default=False,
        ),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 if any file would change.")
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Print the changes as a unified diff on stdout.")
    ] = False,
) -> None:
    """Rewrite .cap files in the canonical layout (comments kept; see docs/editors.md).

    Lists the files it changed (or, with --check, would change) on stdout. A file with a
    syntax error is left alone and reported. Exit 1 on a syntax error or, with --check,
    when a file is not formatted; 2 on an unreadable file.
    """
    from capplan.fmt import cap_files, format_text, unified_diff, write_atomic

    if files == [Path("-")]:
        text = sys.stdin.read()
        result = format_text(text, "<stdin>")
        if not result.ok:
            emit(result.diagnostics, DiagFormat.text)
            raise typer.Exit(1)
        if diff:
            sys.stdout.write(unified_diff(text, result.text, "<stdin>"))
        elif not check:
            sys.stdout.write(result.text)
        raise typer.Exit(1 if check and result.text != text else 0)
    failed = changed = False
    for path in cap_files(files or [Path(".")]):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise usage_error(f"cannot read {path}: {exc}") from None
        result = format_text(text, str(path))
        if not result.ok:
            emit(result.diagnostics, DiagFormat.text)
            failed = True
            continue
        if result.text == text:
            continue
        changed = True
        if diff:
            sys.stdout.write(unified_diff(text, result.text, str(path)))
        else:
            typer.echo(str(path))
        if not check:
            write_atomic(path, result.text)
    raise typer.Exit(1 if failed or (check and changed) else 0)
