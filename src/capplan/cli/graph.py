"""`capplan graph`: the constraint graph as DOT, Mermaid or JSON, whole or for one site."""

from __future__ import annotations

import json
import sys
from enum import Enum
from typing import Annotated

import typer

from capplan.cli.common import DiagFormat, FileArgument, compile_or_exit, emit, usage_error


class GraphFormat(str, Enum):
    dot = "dot"
    mermaid = "mermaid"
    json = "json"


def graph(
    file: FileArgument,
    format: Annotated[
        GraphFormat, typer.Option("--format", help="dot (Graphviz), mermaid or json.")
    ] = GraphFormat.dot,
    site: Annotated[
        str | None,
        typer.Option(
            "--site",
            metavar="NAME",
            help="Only what concerns this site: its halls, lots, links, flows, commitments "
            "and what they depend on.",
        ),
    ] = None,
) -> None:
    """Print the constraint graph: declarations and what each depends on."""
    compilation = compile_or_exit(file)
    model = compilation.model
    built = None
    if model is not None and not compilation.diagnostics.has_errors:
        from capplan.graph import build_graph, site_subgraph

        if site is not None and site not in model.sites:
            known = ", ".join(sorted(model.sites)) or "none"
            raise usage_error(f"--site {site}: no such site (the sites are: {known})")
        built = build_graph(model)
        if site is not None:
            built = site_subgraph(built, site)
    if format is GraphFormat.json:
        from capplan.diagnostics.json_format import diagnostics_document
        from capplan.graph import GRAPH_FORMAT_VERSION, graph_document

        document = {
            "format_version": GRAPH_FORMAT_VERSION,
            "graph": graph_document(built),
            "diagnostics": diagnostics_document(compilation.diagnostics.sorted()),
        }
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        raise typer.Exit(0 if built is not None else 1)
    if built is None:
        emit(compilation.diagnostics, DiagFormat.text)
        raise typer.Exit(1)
    from capplan.graph import to_dot, to_mermaid

    sys.stdout.write(to_dot(built) if format is GraphFormat.dot else to_mermaid(built))
    emit(compilation.diagnostics, DiagFormat.text)  # warnings, if any
    raise typer.Exit(0)
