"""`capplan render` renders what can be planned; `plan` is the gate, `render --check` gates staleness."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.harness import MODELS, Capplan

MISSED = MODELS / "missed-commitment.cap"


def test_a_missed_commitment_is_rendered_and_shown(capplan: Capplan, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = capplan("render", MISSED, "-o", out)
    # The plan's error is printed, the files are written, and render succeeds: it rendered.
    assert run.returncode == 0, run
    assert "error[E400]" in run.stderr, run
    assert "added: plan/s/plan.md" in run.stdout.splitlines(), run
    page = (out / "plan" / "s" / "plan.md").read_text(encoding="utf-8")
    # 10 racks x 72 GPUs = 720 live on 2026-06-30; 1,000 required: short by 1,000 - 720 = 280.
    assert "| c | C | s | 2026-06-30 | 1,000 | 720 | **SHORT 280** |" in page
    assert "| **error** | E400 | " in page  # and the page lists the error itself
    assert any((out / "kueue" / "s").glob("*.yaml")), run

    # Up to date: --check passes (the E400 is still printed, and is not a reason to fail).
    run = capplan("render", MISSED, "-o", out, "--check")
    assert run.returncode == 0, run
    assert run.stdout == "", run
    assert "error[E400]" in run.stderr, run

    # A stale file: --check lists it and fails, and writes nothing.
    page_path = out / "plan" / "s" / "plan.md"
    page_path.write_text(page + "edited by hand\n", encoding="utf-8")
    run = capplan("render", MISSED, "-o", out, "--check")
    assert run.returncode == 1, run
    assert run.stdout.splitlines() == ["changed: plan/s/plan.md"], run
    assert page_path.read_text(encoding="utf-8").endswith("edited by hand\n")


def test_a_model_that_cannot_be_built_is_not_rendered(capplan: Capplan, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = capplan("render", MODELS / "unknown-reference.cap", "-o", out)
    assert run.returncode == 1, run
    assert "error[E203]" in run.stderr, run
    assert "nothing was rendered" in run.stderr, run
    assert run.stdout == "", run
    assert not out.exists()
