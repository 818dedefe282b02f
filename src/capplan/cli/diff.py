"""`capplan diff`: two models planned in full and compared."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated

import typer

from capplan.cli.common import DiagFormat, ScenarioOption, emit, usage_error


class DiffFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"


class FailOn(str, Enum):
    never = "never"
    regression = "regression"
    change = "change"


def diff(
    old: Annotated[str, typer.Argument(help="The base: a .cap file or REV:PATH (git).")],
    new: Annotated[
        str | None, typer.Argument(help="The change: a .cap file or REV:PATH; default OLD.")
    ] = None,
    scenario: ScenarioOption = None,
    format: Annotated[
        DiffFormat,
        typer.Option("--format", help="text, markdown (a pull-request comment) or json."),
    ] = DiffFormat.text,
    fail_on: Annotated[
        FailOn,
        typer.Option("--fail-on", help="Exit 1 on: never, a regression, or any change."),
    ] = FailOn.never,
) -> None:
    """Compare two models, both planned in full: commitments, lots, sites, network, the
    model, diagnostics and rendered files. Scenarios apply to NEW.

    Exit 2 on a usage error, 1 when a side cannot be planned (its diagnostics are shown)
    or `--fail-on` trips, else 0.
    """
    from capplan import diff as differ
    from capplan.load import UnreadableRoot

    try:
        outcome = differ.diff(old, new, scenario or ())
    except (differ.SideError, UnreadableRoot) as exc:
        raise usage_error(str(exc)) from None
    report = outcome.report
    if format is DiffFormat.json:
        sys.stdout.write(differ.render_json(report))
    elif format is DiffFormat.markdown:
        sys.stdout.write(differ.render_markdown(report))
    else:
        sys.stdout.write(differ.render_text(report))
    sides = [outcome.old] if outcome.new is outcome.old else [outcome.old, outcome.new]
    unplannable = [side for side in sides if not side.plannable]
    for side in unplannable:
        typer.echo(f"error: {side.label} cannot be planned:", err=True)
        from capplan.diagnostics import Diagnostics

        emit(Diagnostics(list(side.diagnostics)), DiagFormat.text)
    if unplannable:
        raise typer.Exit(1)
    failed = (fail_on is FailOn.regression and report.regression) or (
        fail_on is FailOn.change and report.changed
    )
    raise typer.Exit(1 if failed else 0)
