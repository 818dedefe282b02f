"""`capplan graph`: the constraint graph as DOT or Mermaid."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated

import typer

from capplan.cli.common import DiagFormat, FileArgument, compile_or_exit, emit


class GraphFormat(str, Enum):
    dot = "dot"
    mermaid = "mermaid"


def graph(
    file: FileArgument,
    format: Annotated[
        GraphFormat, typer.Option("--format", help="dot (Graphviz) or mermaid.")
    ] = GraphFormat.dot,
) -> None:
    """Print the constraint graph: declarations and what each depends on."""
    compilation = compile_or_exit(file)
    if compilation.model is None or compilation.diagnostics.has_errors:
        emit(compilation.diagnostics, DiagFormat.text)
        raise typer.Exit(1)
    from capplan.graph import build_graph, to_dot, to_mermaid

    built = build_graph(compilation.model)
    sys.stdout.write(to_dot(built) if format is GraphFormat.dot else to_mermaid(built))
    raise typer.Exit(0)
