"""The `capplan` command line: thin wrappers over `capplan.api`.

One module per command (`cli/<name>.py`, a plain function whose parameters are the
typer arguments and options), registered below in the order `capplan --help` lists
them; what several commands share is in `cli/common.py`.
"""

from __future__ import annotations

import gc
import sys
from typing import Annotated

import typer

from capplan import __version__
from capplan.cli import diff, explain, fmt, graph, lsp, plan, render, risk, validate
from capplan.cli.conventions import Command, Group

app = typer.Typer(
    name="capplan",
    help="Capacity planning and infrastructure-as-code for AI datacenters.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, pwsh)
    pretty_exceptions_enable=False,
    cls=Group,
    rich_markup_mode=None,  # help is plain text: `[dask]` is not markup, errors are one line
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"capplan {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            callback=_version,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    """Capacity planning and infrastructure-as-code for AI datacenters."""


app.command("validate", cls=Command)(validate.validate)
app.command("plan", cls=Command)(plan.plan)
app.command("graph", cls=Command)(graph.graph)
app.command("render", cls=Command)(render.render)
app.command("diff", cls=Command)(diff.diff)
app.command("risk", cls=Command)(risk.risk)
app.command("explain", cls=Command)(explain.explain)
app.command("fmt", cls=Command)(fmt.fmt)
app.command("lsp", cls=Command)(lsp.lsp)


def main() -> None:
    """Console entry point: the document alone on stdout, never a traceback, whatever the input.

    A command is one short-lived process, so the cyclic collector is off: reference
    counting frees what is no longer needed, and each collection would only rescan the
    model (seconds per pass at 10 million GPUs). See docs/performance.md.
    Exit codes: 0, 1 and 2 as docs/language.md §18 says; 3 an internal error; 130 Ctrl-C;
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
            app(prog_name="capplan")
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
