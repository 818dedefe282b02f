"""docs/risk.md shows the report the example prints today (seed 1, 1,000 samples)."""

from __future__ import annotations

import re

from tests.e2e.harness import EXAMPLES, REPO, run_capplan

BLOCK = re.compile(
    r"<!-- risk-example:start -->\n````markdown\n(.*?)````\n<!-- risk-example:end -->", re.S
)


def test_the_documented_report_is_what_risk_prints() -> None:
    doc = (REPO / "docs" / "risk.md").read_text(encoding="utf-8")
    block = BLOCK.search(doc)
    assert block is not None
    run = run_capplan(
        "risk",
        EXAMPLES / "nscale-2026.cap",
        "--samples",
        "1000",
        "--seed",
        "1",
        "--format",
        "markdown",
    )
    assert run.returncode == 0, run
    assert block.group(1) == run.stdout
