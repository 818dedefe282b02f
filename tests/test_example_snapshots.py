"""Snapshots of the example's constraint graph and network section."""

from __future__ import annotations

import hashlib
import re

from syrupy.assertion import SnapshotAssertion

from tests.conftest import EXAMPLES, run_cli

EXAMPLE = str(EXAMPLES / "nscale-2026.cap")


def test_graph_dot(snapshot: SnapshotAssertion) -> None:
    result = run_cli("graph", EXAMPLE, "--format", "dot")
    assert result.exit_code == 0
    assert result.stdout == snapshot


def test_graph_mermaid(snapshot: SnapshotAssertion) -> None:
    result = run_cli("graph", EXAMPLE, "--format", "mermaid")
    assert result.exit_code == 0
    assert result.stdout.startswith("flowchart LR\n")
    assert result.stdout == snapshot


def test_network_section_json(snapshot: SnapshotAssertion) -> None:
    result = run_cli("plan", EXAMPLE, "--format", "json")
    network = result.json["plan"]["network"]
    assert network["links"], "the example has links"
    assert network["protection"], "the example has a protected flow"
    assert network == snapshot


def test_network_section_text(snapshot: SnapshotAssertion) -> None:
    result = run_cli("plan", EXAMPLE)
    text = result.stdout
    start = text.index("network (")
    end = text.find("\n\n", start)
    assert text[start:end] == snapshot


def test_plan_markdown_with_state_on_a_day(snapshot: SnapshotAssertion) -> None:
    result = run_cli("plan", EXAMPLE, "--format", "markdown", "--at", "2026-12-31")
    assert result.exit_code == 0
    markdown = result.stdout
    # The same sections as the text view: network, protection and the --at state.
    for heading in (
        "## network (25 days checked)",
        "## protection",
        "## state on 2026-12-31: 78,904",
    ):
        assert f"\n{heading}" in markdown
    assert markdown == snapshot


_SVG = re.compile(r"<svg .*?</svg>\n", re.S)


def _svg_digest(match: re.Match[str]) -> str:
    """An inline chart as its digest: the SVG bytes are checked in tests/charts."""
    return f"<svg sha256={hashlib.sha256(match.group().encode()).hexdigest()[:16]}/>\n"


def test_plan_html_with_state_on_a_day(snapshot: SnapshotAssertion) -> None:
    result = run_cli("plan", EXAMPLE, "--format", "html", "--at", "2026-12-31")
    assert result.exit_code == 0
    page = result.stdout
    # 5 sites' power charts + the fleet's gpus, lots and links charts, inline
    assert page.count("<svg ") == 8
    assert "<h2 id=" in page and "@media print" in page
    assert _SVG.sub(_svg_digest, page) == snapshot
