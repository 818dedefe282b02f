"""`capplan plan`: the schedule, the checks and the report, as text, JSON, Markdown or HTML."""

from __future__ import annotations

import sys
from enum import Enum
from functools import partial
from typing import Annotated

import typer

from capplan.cli.common import (
    DiagFormat,
    FileArgument,
    ScenarioOption,
    WidthOption,
    check_at,
    compile_or_exit,
    emit,
    parse_day,
    write_text,
)


class PlanFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"
    html = "html"


def plan(
    file: FileArgument,
    at: Annotated[
        str | None,
        typer.Option("--at", metavar="DATE", help="Also show the state on this day (YYYY-MM-DD)."),
    ] = None,
    format: Annotated[
        PlanFormat,
        typer.Option(
            "--format", help="text (tables), json, markdown or html (one self-contained page)."
        ),
    ] = PlanFormat.text,
    width: WidthOption = None,
    scenario: ScenarioOption = None,
) -> None:
    """Compute when every rack goes live, check power, supply, commitments and bandwidth.

    Prints per site a timeline, per lot its go-live and waiting, per commitment each date,
    idle GPU-days by cause and the network. Exit 1 when errors were found.
    """
    from capplan import api

    day = parse_day(at)
    compilation = compile_or_exit(file, scenario)
    check_at(day, compilation)
    planned = api.plan(compilation)
    diagnostics = planned.diagnostics if planned else compilation.diagnostics
    report = None
    if planned is not None:
        from capplan.report import build_report

        report = build_report(planned, day)
    if format is PlanFormat.json:
        from capplan.views.plan_json import render_plan_json

        sys.stdout.write(render_plan_json(report, diagnostics.sorted()))
    else:
        if report is not None and format is PlanFormat.markdown:
            from capplan.views.plan_markdown import render_plan_markdown

            sys.stdout.write(render_plan_markdown(report, diagnostics.sorted()))
        elif report is not None and format is PlanFormat.html:
            from capplan.views.plan_html import render_plan_html

            sys.stdout.write(render_plan_html(report, diagnostics.sorted()))
        elif report is not None:
            from capplan.views.plan_text import render_plan_text

            write_text(partial(render_plan_text, report), width)
        emit(diagnostics, DiagFormat.text)
    raise typer.Exit(1 if diagnostics.has_errors else 0)
