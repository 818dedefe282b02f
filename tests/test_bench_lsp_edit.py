"""bench/lsp_edit.py runs: a short edit-latency measurement on the example."""

from __future__ import annotations

import pytest

from bench import lsp_edit


def test_lsp_edit_bench_runs(capsys: pytest.CaptureFixture[str]) -> None:
    lsp_edit.main(["--edits", "3"])  # the exit status is the target, judged on a quiet machine
    out = capsys.readouterr().out
    assert "first check (all 6 files parsed)" in out
    assert "re-check after a one-character edit: median" in out
