"""`capplan explain`: a diagnostic code's documentation, or the table of every code."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from capplan.cli.common import usage_error


def explain(
    code: Annotated[
        str | None, typer.Argument(help="A diagnostic code such as E203; omit to list every code.")
    ] = None,
) -> None:
    """Show a diagnostic code's documentation (what it means, an example, the fix).

    Without a code, list every code with its severity and summary.
    """
    from capplan.explain import code_table
    from capplan.explain import explain as explain_code

    if code is None:
        sys.stdout.write(code_table())
        raise typer.Exit(0)
    text, problem = explain_code(code)
    if text is None:
        raise usage_error(problem)
    sys.stdout.write(text)
    raise typer.Exit(0)
