"""`capplan render`: deployment manifests and plans written into a GitOps folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from capplan.cli.common import (
    DiagFormat,
    FileArgument,
    ScenarioOption,
    check_at,
    compile_or_exit,
    emit,
    parse_day,
    usage_error,
)


def check_request(output: Path, targets: list[str], templates: Path | None) -> None:
    """Exit 2 before any work when `-o` is a file, `--templates` is missing or a target unknown."""
    from capplan.render.api import request_problems

    if output.exists() and not output.is_dir():
        raise usage_error(f"-o {output}: is a file; render writes into a folder")
    problems = request_problems(targets, templates)
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        raise typer.Exit(2)


def render(
    file: FileArgument,
    output: Annotated[
        Path,
        typer.Option(
            "-o", "--output", metavar="DIR", help="Output directory (a GitOps repository folder)."
        ),
    ],
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            metavar="DATE",
            help="Render the state on this day; default: plan as_of, else its end.",
        ),
    ] = None,
    target: Annotated[
        list[str] | None,
        typer.Option(
            "--target",
            metavar="NAME",
            help="Target to render (repeatable): kueue, slurm, netbox, plan, or a user target.",
        ),
    ] = None,
    templates: Annotated[
        Path | None,
        typer.Option(
            "--templates",
            metavar="DIR",
            help="Directory of templates that add or override targets.",
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Write nothing; list what would change; exit 1 if anything would."
        ),
    ] = False,
    scenario: ScenarioOption = None,
) -> None:
    """Render deployment manifests and plans into a GitOps folder.

    A model that can be built is rendered even when its plan has errors (missed
    commitments, stranded racks, network shortfalls): they are printed and the plan
    pages show them; `capplan plan` is the gate. Nothing is written when the model
    cannot be built. Output is byte-for-byte deterministic, written atomically, and
    files capplan did not generate are never touched.
    """
    from capplan import api
    from capplan.render import BUILTIN_TARGETS

    targets = list(target) if target else list(BUILTIN_TARGETS)
    day = parse_day(at)
    check_request(output, targets, templates)
    compilation = compile_or_exit(file, scenario)
    check_at(day, compilation)
    planned = api.plan(compilation)
    diagnostics = planned.diagnostics if planned else compilation.diagnostics
    emit(diagnostics, DiagFormat.text)
    if planned is None:  # outcome errors (E300, E301, E400, E5xx) are rendered: `plan` gates
        typer.echo("error: the model cannot be built; nothing was rendered", err=True)
        raise typer.Exit(1)
    from capplan.render import render_tree
    from capplan.render.build import build_context, default_at

    context = build_context(planned, day or default_at(planned.model))
    outcome = render_tree(context, output, tuple(targets), templates, check=check)
    for problem in outcome.problems:
        typer.echo(str(problem), err=True)
    if outcome.problems:
        raise typer.Exit(1)
    for change in outcome.changes:
        typer.echo(str(change))
    if check:
        if outcome.changes:
            typer.echo(f"{len(outcome.changes)} file(s) out of date in {output}", err=True)
            raise typer.Exit(1)
        typer.echo(f"{output} is up to date ({len(outcome.files)} files)", err=True)
    else:
        typer.echo(
            f"rendered {len(outcome.files)} files into {output} ({len(outcome.changes)} changed)",
            err=True,
        )
    raise typer.Exit(0)
