"""docs/diff.md shows a real pull-request comment: the one the example prints today."""

from __future__ import annotations

import re

import pytest

from tests.conftest import REPO, run_cli


def test_the_documented_comment_is_what_diff_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = (REPO / "docs" / "diff.md").read_text(encoding="utf-8")
    block = re.search(
        r"<!-- example-comment:start -->\n````markdown\n(.*?)````\n<!-- example-comment:end -->",
        doc,
        re.S,
    )
    assert block is not None
    monkeypatch.chdir(REPO)
    result = run_cli(
        "diff",
        "examples/nscale-2026.cap",
        "--scenario",
        "examples/scenarios/narvik-grid-slip.cap",
        "--format",
        "markdown",
    )
    assert result.exit_code == 0
    assert block.group(1) == result.stdout


@pytest.mark.parametrize(
    "scenario", ["narvik-grid-slip.cap", "dell-tranche-slip.cap", "cancel-sines.cap"]
)
def test_shipped_scenarios_apply_cleanly(scenario: str) -> None:
    path = REPO / "examples" / "scenarios" / scenario
    root = str(REPO / "examples" / "nscale-2026.cap")
    result = run_cli("validate", root, "--scenario", str(path), "--format", "json")
    # the scenario applies (no E1xx/E2xx); what it does to the plan is diff's business
    # (the Dell slip, for one, exceeds NVIDIA's and Dell's allocation in 2026-08: E402)
    assert [c for c in result.codes() if c[1] in "12"] == []
