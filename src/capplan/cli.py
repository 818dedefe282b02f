"""The `capplan` command line: thin wrappers over `capplan.api`."""

from __future__ import annotations

import gc
import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from capplan import __version__

if TYPE_CHECKING:
    from capplan.api import Compilation
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


ScenarioOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--scenario",
        help="A .cap file of overrides/removals applied after the model (repeatable, in order).",
    ),
]


def _usage_error(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


@app.command()
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
        raise _usage_error("`-` (standard input) can be given once")
    diagnostics = Diagnostics()
    unreadable = False
    for path in files:  # an unreadable file is reported and the others still checked
        try:
            compilation = compile_input(path, scenario or ())
        except UnreadableRoot as exc:
            typer.echo(f"error: {exc}", err=True)
            unreadable = True
            continue
        diagnostics.extend(compilation.diagnostics)
    _emit(diagnostics, format)
    raise typer.Exit(2 if unreadable else 1 if diagnostics.has_errors else 0)


def _emit(diagnostics: Diagnostics, format: DiagFormat) -> None:
    ordered = diagnostics.sorted()
    if format is DiagFormat.json:
        from capplan.diagnostics.json_format import render_json

        sys.stdout.write(render_json(ordered))
        return
    from capplan.diagnostics.text import render_text

    if ordered:
        sys.stderr.write(render_text(ordered))


MIN_WIDTH = 60
"""The narrowest text plan (docs/cli.md): below it the tables show hardly more than ellipses."""


class PlanFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


class GraphFormat(str, Enum):
    dot = "dot"
    mermaid = "mermaid"


def _compile_or_exit(path: Path, scenarios: list[Path] | None = None) -> Compilation:
    """The model of a FILE argument (`-`: standard input); exit 2 when it cannot be read."""
    from capplan.api import compile_input
    from capplan.load import UnreadableRoot

    try:
        return compile_input(path, scenarios or ())
    except UnreadableRoot as exc:
        raise _usage_error(str(exc)) from None


def _check_at(day: date | None, compilation: Compilation) -> None:
    """`--at` must lie in the plan horizon (checked before planning)."""
    model = compilation.model
    if day is None or model is None or not compilation.plannable:  # no horizon to judge by
        return
    if not model.start <= day <= model.end:
        raise _usage_error(
            f"--at {day.isoformat()} is outside the plan horizon "
            f"{model.start.isoformat()} .. {model.end.isoformat()}"
        )


def _check_render_request(output: Path, targets: list[str], templates: Path | None) -> None:
    """Exit 2 before any work when `-o` is a file, `--templates` is missing or a target unknown."""
    from capplan.render.api import request_problems

    if output.exists() and not output.is_dir():
        raise _usage_error(f"-o {output}: is a file; render writes into a folder")
    problems = request_problems(targets, templates)
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        raise typer.Exit(2)


def _parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    from capplan.resolve.values import parse_date

    try:
        return parse_date(value)
    except ValueError as exc:
        raise _usage_error(f"--at {value}: {exc}") from None


@app.command()
def plan(
    file: Annotated[
        Path,
        typer.Argument(help="Root .cap file (imports are followed); `-` reads standard input."),
    ],
    at: Annotated[
        str | None, typer.Option("--at", help="Also show the state on this day (YYYY-MM-DD).")
    ] = None,
    format: Annotated[
        PlanFormat, typer.Option("--format", help="text (tables), json or markdown.")
    ] = PlanFormat.text,
    width: Annotated[
        int, typer.Option("--width", min=MIN_WIDTH, help="Text width in columns.")
    ] = 120,
    scenario: ScenarioOption = None,
) -> None:
    """Compute when every rack goes live, check power, supply, commitments and bandwidth.

    Prints per site a timeline, per lot its go-live and waiting, per commitment each date,
    idle GPU-days by cause and the network. Exit 1 when errors were found.
    """
    from capplan import api

    day = _parse_day(at)
    compilation = _compile_or_exit(file, scenario)
    _check_at(day, compilation)
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

            sys.stdout.write(render_plan_markdown(report))
        elif report is not None:
            from capplan.views.plan_text import render_plan_text

            sys.stdout.write(render_plan_text(report, width=width, color=sys.stdout.isatty()))
        _emit(diagnostics, DiagFormat.text)
    raise typer.Exit(1 if diagnostics.has_errors else 0)


@app.command()
def graph(
    file: Annotated[
        Path,
        typer.Argument(help="Root .cap file (imports are followed); `-` reads standard input."),
    ],
    format: Annotated[
        GraphFormat, typer.Option("--format", help="dot (Graphviz) or mermaid.")
    ] = GraphFormat.dot,
) -> None:
    """Print the constraint graph: declarations and what each depends on."""
    compilation = _compile_or_exit(file)
    if compilation.model is None or compilation.diagnostics.has_errors:
        _emit(compilation.diagnostics, DiagFormat.text)
        raise typer.Exit(1)
    from capplan.graph import build_graph, to_dot, to_mermaid

    built = build_graph(compilation.model)
    sys.stdout.write(to_dot(built) if format is GraphFormat.dot else to_mermaid(built))
    raise typer.Exit(0)


@app.command()
def render(
    file: Annotated[
        Path,
        typer.Argument(help="Root .cap file (imports are followed); `-` reads standard input."),
    ],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Output directory (a GitOps repository folder).")
    ],
    at: Annotated[
        str | None,
        typer.Option(
            "--at", help="Render the state on this day; default: plan as_of, else its end."
        ),
    ] = None,
    target: Annotated[
        list[str] | None,
        typer.Option(
            "--target",
            help="Target to render (repeatable): kueue, slurm, netbox, plan, or a user target.",
        ),
    ] = None,
    templates: Annotated[
        Path | None,
        typer.Option("--templates", help="Directory of templates that add or override targets."),
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
    day = _parse_day(at)
    _check_render_request(output, targets, templates)
    compilation = _compile_or_exit(file, scenario)
    _check_at(day, compilation)
    planned = api.plan(compilation)
    diagnostics = planned.diagnostics if planned else compilation.diagnostics
    _emit(diagnostics, DiagFormat.text)
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


class DiffFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"


class FailOn(str, Enum):
    never = "never"
    regression = "regression"
    change = "change"


@app.command()
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
        raise _usage_error(str(exc)) from None
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

        _emit(Diagnostics(list(side.diagnostics)), DiagFormat.text)
    if unplannable:
        raise typer.Exit(1)
    failed = (fail_on is FailOn.regression and report.regression) or (
        fail_on is FailOn.change and report.changed
    )
    raise typer.Exit(1 if failed else 0)


@app.command()
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
        raise _usage_error(problem)
    sys.stdout.write(text)
    raise typer.Exit(0)


@app.command()
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
            _emit(result.diagnostics, DiagFormat.text)
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
            raise _usage_error(f"cannot read {path}: {exc}") from None
        result = format_text(text, str(path))
        if not result.ok:
            _emit(result.diagnostics, DiagFormat.text)
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


@app.command()
def lsp() -> None:
    """Run the language server on stdin/stdout (for editors; see docs/editors.md)."""
    try:
        from capplan.lsp.server import main as serve
    except ImportError as exc:
        raise _usage_error(
            f"the language server needs the lsp extra (pip install 'capplan[lsp]'): {exc}"
        ) from None
    serve()


def main() -> None:
    """Console entry point: the document alone on stdout, never a traceback, whatever the input.

    A command is one short-lived process, so the cyclic collector is off: reference
    counting frees what is no longer needed, and each collection would only rescan the
    model (seconds per pass at 10 million GPUs). See docs/performance.md.
    Exit codes: 0, 1 and 2 as LANGUAGE.md §5 says; 3 an internal error; 130 Ctrl-C;
    killed by SIGPIPE when the reader of stdout goes away (docs/cli.md).
    """
    from capplan import streams

    gc.disable()
    streams.own()
    if sys.stdout is None:  # fd 1 closed: no document can be written
        sys.stderr.write("error: standard output is closed\n")
        sys.exit(2)
    try:
        try:
            app()
        except SystemExit as exc:
            if exc.code == 130:  # typer turns Ctrl-C into exit 130, silently
                _interrupted()
            streams.flush()
            raise
        except KeyboardInterrupt:
            _interrupted()
            sys.exit(130)
        except Exception as exc:
            sys.stderr.write(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "capplan hit a bug; please report it with the input that caused it.\n"
            )
            sys.exit(3)
    except streams.PipeClosed:
        streams.die_of_sigpipe()


def _interrupted() -> None:
    sys.stderr.write("capplan: interrupted\n")
