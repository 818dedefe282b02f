"""Command-line conventions, through the real process: -V, help, choices, completion, graph."""

from __future__ import annotations

import re

import pytest

from capplan import __version__
from tests.e2e.harness import Capplan, run_capplan

EXAMPLE = "examples/nscale-2026.cap"
COMMANDS = ["validate", "plan", "graph", "render", "diff", "risk", "explain", "fmt", "lsp"]


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(capplan: Capplan, flag: str) -> None:
    run = capplan(flag)
    assert run.returncode == 0, run
    assert run.stdout == f"capplan {__version__}\n", run


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_names_no_python_types(command: str) -> None:
    run = run_capplan(*([command] if command else []), "--help")
    assert run.returncode == 0, run
    assert run.stdout.startswith(f"Usage: capplan {command}".replace("  ", " ")), run
    # typer would print `<list[Path]>`, `<bool>`, `<path>`, `{file}`: none of that
    assert not re.search(r"<\w[^>]*>|\{\w+\}|list\[|int range", run.stdout), run.stdout


def test_help_shows_arguments_and_values_as_a_manual_does() -> None:
    run = run_capplan("plan", "--help")
    assert "Usage: capplan plan [OPTIONS] FILE\n" in run.stdout
    assert re.search(r"--at DATE\s", run.stdout)
    assert re.search(r"--format text\|json\|markdown\|html\s", run.stdout)
    assert re.search(r"--width COLUMNS\s", run.stdout)
    assert re.search(r"--scenario FILE\s", run.stdout)
    diff = run_capplan("diff", "--help")
    assert "Usage: capplan diff [OPTIONS] OLD [NEW]\n" in diff.stdout
    risk = run_capplan("risk", "--help")
    assert "capplan[dask]" in risk.stdout  # square brackets are text, not markup


@pytest.mark.parametrize(
    ("command", "choices"),
    [
        ("plan", "text, json, markdown, html"),
        ("graph", "dot, mermaid, json"),
        ("validate", "text, json"),
        ("diff", "text, markdown, json"),
    ],
)
def test_a_bad_format_lists_the_choices(command: str, choices: str) -> None:
    run = run_capplan(command, EXAMPLE, "--format", "xml")
    assert run.returncode == 2, run
    assert run.stdout == ""
    assert f"Error: Invalid value for '--format': 'xml' is not one of {choices}\n" in run.stderr
    assert "Value error" not in run.stderr


def test_completion_script_and_completions() -> None:
    script = run_capplan("--show-completion", "bash")
    assert script.returncode == 0, script
    assert "_CAPPLAN_COMPLETE=complete_bash" in script.stdout, script
    # what bash asks when the user presses Tab after `capplan pl`
    env = {"_CAPPLAN_COMPLETE": "complete_bash", "COMP_WORDS": "capplan pl", "COMP_CWORD": "1"}
    words = run_capplan(env=env)
    assert words.returncode == 0, words
    assert "plan" in words.stdout.split(), words
    env = {
        "_CAPPLAN_COMPLETE": "complete_bash",
        "COMP_WORDS": "capplan plan x.cap --format ",
        "COMP_CWORD": "4",
    }
    formats = run_capplan(env=env)
    assert formats.stdout.split() == ["text", "json", "markdown", "html"], formats


def test_graph_json_for_one_site(capplan: Capplan) -> None:
    run = capplan("graph", EXAMPLE, "--format", "json", "--site", "glomfjord")
    assert run.returncode == 0, run
    graph = run.json()["graph"]
    ids = {n["id"] for n in graph["nodes"]}
    # glomfjord's hall, its two lots, its commitment, its links and flow are in;
    # what they depend on too (narvik at the far end of narvik_glomfjord);
    # narvik's own lots and halls are not.
    assert {
        "site:glomfjord",
        "hall:glomfjord.hall_1",
        "lot:glomfjord_h100",
        "lot:glomfjord_b200",
        "commitment:glomfjord_cloud",
        "link:glomfjord_oslo",
        "link:narvik_glomfjord",
        "site:narvik",
    } <= ids, ids
    assert not any(i.startswith(("lot:narvik", "hall:narvik")) for i in ids), ids
    assert all(e["from"] in ids and e["to"] in ids for e in graph["edges"])
    whole = capplan("graph", EXAMPLE, "--format", "json").json()["graph"]
    assert len(whole["nodes"]) > len(graph["nodes"])


def test_graph_unknown_site_is_a_usage_error() -> None:
    run = run_capplan("graph", EXAMPLE, "--site", "glomfjod")
    assert run.returncode == 2, run
    assert "--site glomfjod: no such site" in run.stderr
    assert "glomfjord" in run.stderr
    assert run.stdout == ""
