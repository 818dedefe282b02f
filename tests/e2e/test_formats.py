"""Every command in every `--format`, as a user runs it: stdout parses, exit codes are exact.

Exit codes (LANGUAGE.md §5): 0 success (warnings allowed), 1 the model has errors,
2 usage error. Diagnostics go to stderr, except `--format json`, which puts them in
the document on stdout. Through `python -m capplan` every input below runs; through
the console script of the installed wheel the example and one error model do (the
script differs from the module only in how it starts, and each run costs a second).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.conftest import require
from tests.e2e.formats import check_html, check_json, check_markdown, parse_dot, parse_mermaid
from tests.e2e.harness import EXAMPLES, MODELS, REPO, Run, Via, run_capplan

EXAMPLE = EXAMPLES / "nscale-2026.cap"
TUTORIALS = sorted((EXAMPLES / "tutorial").glob("*.cap"))


@dataclass(frozen=True)
class Model:
    path: Path
    exits: dict[str, int]
    """Expected exit code per command (validate, plan, graph, render, risk)."""

    @property
    def name(self) -> str:
        return str(self.path.relative_to(REPO))


VALID = {"validate": 0, "plan": 0, "graph": 0, "render": 0, "risk": 0}
BROKEN = {"validate": 1, "plan": 1, "graph": 1, "render": 1, "risk": 1}
# E400 is found by planning: validate and graph do not plan; render renders it; risk
# reports the nominal plan's errors as plan does.
MISSED = {"validate": 0, "plan": 1, "graph": 0, "render": 0, "risk": 1}

MODELS_UNDER_TEST = [
    Model(EXAMPLE, VALID),
    *(Model(path, VALID) for path in TUTORIALS),
    Model(MODELS / "missed-commitment.cap", MISSED),
    Model(MODELS / "syntax-error.cap", BROKEN),
    Model(MODELS / "unknown-reference.cap", BROKEN),
]
THROUGH_SCRIPT = {EXAMPLE, MODELS / "missed-commitment.cap"}

_PLAN_TEXT_HEAD = re.compile(r"\S+  \d{4}-\d\d-\d\d \.\. \d{4}-\d\d-\d\d( .*)?")
_DIAGNOSTIC = re.compile(r"(error|warning)\[[EW]\d{3}\]: ")
_RENDER_LINE = re.compile(r"(added|changed|removed): \S+")
_RISK_TEXT_HEAD = re.compile(
    r"[\d,]+ samples, seed \d+, \d+ slips; horizon \d{4}-\d\d-\d\d \.\. \d{4}-\d\d-\d\d"
)


def _text_diagnostics(run: Run, errors: bool) -> None:
    """Diagnostics in text form are on stderr, and errors there iff the exit says so."""
    assert bool(re.search(r"^error\[E\d{3}\]", run.stderr, re.M)) == errors, run
    assert not _DIAGNOSTIC.search(run.stdout), run


def _json_diagnostics(document: dict[str, object], run: Run) -> None:
    assert document["valid"] == (run.returncode == 0), run
    assert (document["error_count"] != 0) == (run.returncode == 1), run
    assert run.stderr == "", run


def check_validate_text(run: Run) -> None:
    assert run.stdout == "", run
    _text_diagnostics(run, run.returncode == 1)


def check_validate_json(run: Run) -> None:
    document = check_json(run.stdout)
    assert document["format_version"], run
    _json_diagnostics(document, run)


def check_plan_text(run: Run) -> None:
    if run.stdout:  # nothing to show when the model cannot be built
        assert _PLAN_TEXT_HEAD.fullmatch(run.stdout.splitlines()[0]), run
    _text_diagnostics(run, run.returncode == 1)


def check_plan_json(run: Run) -> None:
    document = check_json(run.stdout)
    assert set(document) >= {"format_version", "plan", "diagnostics"}, run
    _json_diagnostics(document["diagnostics"], run)


def check_plan_markdown(run: Run) -> None:
    if run.stdout:
        check_markdown(run.stdout)
    _text_diagnostics(run, run.returncode == 1)


def check_plan_html(run: Run) -> None:
    if run.stdout:  # one page: the fleet's summary, diagnostics, charts and tables
        page = check_html(run.stdout)
        assert page.tags["h1"] == 1 and page.tags["table"] >= 2, run
        assert page.tags["svg"] >= 1, run  # the GPU chart at least (every plan has sites)
    _text_diagnostics(run, run.returncode == 1)


def check_graph_dot(run: Run) -> None:
    if run.returncode == 0:
        parse_dot(run.stdout)
    else:
        assert run.stdout == "", run
    _text_diagnostics(run, run.returncode == 1)


def check_graph_mermaid(run: Run) -> None:
    if run.returncode == 0:
        nodes, _ = parse_mermaid(run.stdout)
        assert nodes, run
    else:
        assert run.stdout == "", run
    _text_diagnostics(run, run.returncode == 1)


def check_graph_json(run: Run) -> None:
    document = check_json(run.stdout)
    assert set(document) == {"format_version", "graph", "diagnostics"}, run
    if run.returncode == 0:
        ids = {n["id"] for n in document["graph"]["nodes"]}
        assert ids, run
        assert all(e["from"] in ids and e["to"] in ids for e in document["graph"]["edges"]), run
    else:
        assert document["graph"] is None, run
    _json_diagnostics(document["diagnostics"], run)


def check_render(run: Run) -> None:
    lines = run.stdout.splitlines()
    assert all(_RENDER_LINE.fullmatch(line) for line in lines), run
    assert bool(lines) == (run.returncode == 0), run  # a first render adds every file
    _text_diagnostics(run, bool(re.search(r"^error\[E\d{3}\]", run.stderr, re.M)))


def check_risk_text(run: Run) -> None:
    if run.stdout:  # nothing to show when the model cannot be planned
        assert _RISK_TEXT_HEAD.fullmatch(run.stdout.splitlines()[0]), run
    _text_diagnostics(run, run.returncode == 1)


def check_risk_json(run: Run) -> None:
    document = check_json(run.stdout)
    assert set(document) >= {"format_version", "risk", "diagnostics"}, run
    if document["risk"] is None:  # only a model that cannot be planned has no report
        assert run.returncode == 1, run
    else:
        assert document["risk"]["samples"] == 20, run
    _json_diagnostics(document["diagnostics"], run)


def check_risk_markdown(run: Run) -> None:
    if run.stdout:
        check_markdown(run.stdout)
    _text_diagnostics(run, run.returncode == 1)


Checker = Callable[[Run], None]
COMMANDS: list[tuple[str, str | None, Checker]] = [
    ("validate", "text", check_validate_text),
    ("validate", "json", check_validate_json),
    ("plan", "text", check_plan_text),
    ("plan", "json", check_plan_json),
    ("plan", "markdown", check_plan_markdown),
    ("plan", "html", check_plan_html),
    ("graph", "dot", check_graph_dot),
    ("graph", "mermaid", check_graph_mermaid),
    ("graph", "json", check_graph_json),
    ("render", None, check_render),
    ("risk", "text", check_risk_text),
    ("risk", "json", check_risk_json),
    ("risk", "markdown", check_risk_markdown),
]

CASES = [
    pytest.param(via, model, command, fmt, check, id=f"{via}-{command}-{fmt}-{model.path.stem}")
    for via in ("module", "script")
    for model in MODELS_UNDER_TEST
    if via == "module" or model.path in THROUGH_SCRIPT
    for command, fmt, check in COMMANDS
]


@pytest.mark.parametrize(("via", "model", "command", "fmt", "check"), CASES)
def test_command_format(
    via: Via, model: Model, command: str, fmt: str | None, check: Checker, tmp_path: Path
) -> None:
    require(via)
    args: list[str | Path] = [command, model.name]
    if fmt is not None:
        args += ["--format", fmt]
    if command == "render":
        args += ["-o", tmp_path / "out"]
    if command == "risk":
        args += ["--samples", "20"]  # the matrix checks the document, not the statistics
    run = run_capplan(*args, via=via)
    assert run.returncode == model.exits[command], run
    check(run)
