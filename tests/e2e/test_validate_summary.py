"""`capplan validate` says what it checked when all is well: one line on stderr."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.harness import EXAMPLES, MODELS, Capplan, run_capplan


def test_a_valid_model_prints_one_summary_line_on_stderr(capplan: Capplan) -> None:
    run = capplan("validate", "examples/nscale-2026.cap")
    assert run.returncode == 0, run
    assert run.stdout == "", run
    # examples/nscale-2026.cap imports 5 files (6 in all). Declarations: 1 plan +
    # 3 suppliers + 3 rack types + 5 sites + 8 halls + 9 lots + 3 pops + 8 links +
    # 7 flows + 7 commitments = 54. GPUs: the lots of the five sites,
    # 51,840 + 6,400 + 23,040 + 8,064 + 12,600 = 101,944.
    assert run.stderr == (
        "capplan: examples/nscale-2026.cap is valid: "
        "6 files, 54 declarations, 101,944 GPUs planned\n"
    ), run


def test_several_roots_are_summed() -> None:
    run = run_capplan("validate", MODELS / "missed-commitment.cap", "examples/nscale-2026.cap")
    assert run.returncode == 0, run
    # missed-commitment.cap: 1 file; 7 declarations (plan, supplier, rack type, site,
    # hall, lot, commitment); 10 racks x 72 = 720 GPUs. With the example: 1 + 6 = 7
    # files, 7 + 54 = 61 declarations, 720 + 101,944 = 102,664 GPUs.
    assert run.stderr == (
        "capplan: 2 models are valid: 7 files, 61 declarations, 102,664 GPUs planned\n"
    ), run


def test_warnings_are_counted_in_the_summary(tmp_path: Path) -> None:
    model = tmp_path / "w.cap"
    # 2025-06-01 is before the plan start: W404, a warning (the model stays valid)
    model.write_text(
        "plan p { start = 2026-01-01  end = 2026-12-31 }\nsite s { power { 2025-06-01: 5 MW } }\n",
        encoding="utf-8",
    )
    run = run_capplan("validate", model)
    assert run.returncode == 0, run
    assert run.stderr.endswith(
        f"capplan: {model} is valid (1 warning): 1 file, 2 declarations, 0 GPUs planned\n"
    ), run


def test_no_summary_for_errors_or_json() -> None:
    broken = run_capplan("validate", MODELS / "unknown-reference.cap")
    assert broken.returncode == 1
    assert "is valid" not in broken.stderr
    document = run_capplan("validate", EXAMPLES / "nscale-2026.cap", "--format", "json")
    assert document.returncode == 0
    assert document.stderr == "", document
