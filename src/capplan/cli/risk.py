"""`capplan risk`: how likely each commitment date is met, over N samples of the slips."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, Annotated

import typer

from capplan.cli.common import (
    DiagFormat,
    FileArgument,
    ScenarioOption,
    WidthOption,
    compile_or_exit,
    emit,
    usage_error,
    write_text,
)

if TYPE_CHECKING:
    from capplan.risk.runner import OnDone

MAX_SAMPLES = 10_000_000
PROGRESS_AFTER = 200
"""Runs of at least this many samples show a progress bar (on a terminal's stderr)."""


class RiskFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def risk(
    file: FileArgument,
    samples: Annotated[
        int, typer.Option("--samples", min=1, max=MAX_SAMPLES, help="How many futures to draw.")
    ] = 1000,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Seed of the draws: same seed, same report.")
    ] = 0,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", min=1, help="Local worker processes (default: one per CPU, when worth it)."
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="URL",
            help="Run the samples on the Dask cluster at tcp://HOST:PORT (needs capplan[dask]).",
        ),
    ] = None,
    network: Annotated[
        bool,
        typer.Option("--network", help="Also analyse bandwidth per sample (E500/E501; slower)."),
    ] = False,
    format: Annotated[
        RiskFormat, typer.Option("--format", help="text (tables), json or markdown.")
    ] = RiskFormat.text,
    width: WidthOption = None,
    scenario: ScenarioOption = None,
) -> None:
    """Draw the slips (ranges) N times and re-plan: P(met) per commitment date, drivers.

    Per commitment date the probability it is met, P10/P50/P90 of the GPUs live and the
    expected shortfall; per lot P50/P90 of its last go-live and P(stranded); the slips
    ranked by Spearman correlation with the fleet's short GPU-hours; P50/P90 of revenue at
    risk per commitment with a price. Exit 1 when the nominal plan has errors.
    """
    if scheduler is not None:
        _check_scheduler(scheduler, workers)
    compilation = compile_or_exit(file, scenario)
    from capplan import api
    from capplan.risk import DaskUnavailable, RiskRun

    with _progress(samples) as on_done:
        try:
            run = RiskRun(samples, seed, workers, scheduler, network)
            risked = api.risk(compilation, run, on_done)
        except DaskUnavailable as exc:
            raise usage_error(str(exc)) from None
    diagnostics = risked.planned.diagnostics if risked else compilation.diagnostics
    report = risked.report if risked else None
    if format is RiskFormat.json:
        from capplan.views.risk import render_risk_json

        sys.stdout.write(render_risk_json(report, diagnostics.sorted()))
    else:
        if report is not None and format is RiskFormat.markdown:
            from capplan.views.risk import render_risk_markdown

            sys.stdout.write(render_risk_markdown(report))
        elif report is not None:
            from capplan.views.risk import render_risk_text

            write_text(partial(render_risk_text, report), width)
        emit(diagnostics, DiagFormat.text)
    raise typer.Exit(1 if diagnostics.has_errors else 0)


def _check_scheduler(address: str, workers: int | None) -> None:
    """Usage errors before any work: the address's form, the extra, --workers beside it."""
    if workers is not None:
        raise usage_error("--workers is for local processes; a --scheduler runs on its cluster")
    scheme, _, rest = address.partition("://")
    if scheme not in ("tcp", "tls") or ":" not in rest:
        raise usage_error(f"--scheduler {address}: expected tcp://HOST:PORT")
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise usage_error(
            "--scheduler needs Dask, which is not installed: pip install 'capplan[dask]'"
        ) from None


@contextmanager
def _progress(samples: int) -> Iterator[OnDone]:
    """Progress on stderr for long runs on a terminal; nothing on a pipe or a file.

    A bar where the terminal takes colour and cursor codes; under NO_COLOR or TERM=dumb
    plain counter lines instead (a tenth of the run each), which a dumb terminal, an
    editor's shell buffer or a screen reader shows as they are.
    """
    if samples < PROGRESS_AFTER or not sys.stderr.isatty():
        yield lambda count: None
        return
    from capplan.terminal import color_enabled

    if not color_enabled(sys.stderr):
        yield _counter(samples)
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(file=sys.stderr), transient=True) as bar:
        task = bar.add_task("sampling", total=samples)
        yield lambda count: bar.advance(task, count)


def _counter(samples: int) -> OnDone:
    """`sampled 100 of 1,000` on stderr each time the run passes another tenth."""
    from capplan.numbers import count

    done = shown = 0

    def on_done(more: int) -> None:
        nonlocal done, shown
        done += more
        tenth = done * 10 // samples
        if tenth > shown:
            shown = tenth
            sys.stderr.write(f"sampled {count(done)} of {count(samples)}\n")
            sys.stderr.flush()

    return on_done
