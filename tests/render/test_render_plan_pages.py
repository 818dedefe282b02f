"""Plan pages: milestones up to the plan date are done, missed commitments are crit."""

from __future__ import annotations


def test_gantt_marks_past_milestones_done_and_missed_ones_crit(rendered: dict[str, str]) -> None:
    # narvik in the fixture, at 2026-06-01: lot narvik_p1 arrives 2026-01-20 and
    # narvik_p2 2026-04-01 (both past: done), narvik_p3 2027-11-01 (future: not done);
    # openai_narvik needs 200 GPUs on 2026-03-31 (288 live: met, past: done) and 1,000
    # on 2026-12-31 (576 live: missed: crit).
    page = rendered["plan/narvik/plan.md"]
    assert "arrive 4 racks :done, milestone, 2026-01-20, 0d" in page
    assert "arrive 4 racks :done, milestone, 2026-04-01, 0d" in page
    assert "arrive 2 racks :milestone, 2027-11-01, 0d" in page
    assert "openai_narvik 200 GPUs :done, milestone, 2026-03-31, 0d" in page
    assert "openai_narvik 1000 GPUs :crit, milestone, 2026-12-31, 0d" in page
    assert "| 2026-03-31 | commitment openai\\_narvik (OpenAI): 200 GPUs required" in page
    rows = [line for line in page.splitlines() if line.startswith("| 2026-12-31 | commitment")]
    assert rows and rows[0].endswith("| **missed** |")
    future = [line for line in page.splitlines() if line.startswith("| 2027-11-01 |")]
    assert future and future[0].endswith("| planned |")


def test_gpu_product_column_shows_products(rendered: dict[str, str]) -> None:
    page = rendered["plan/loughton/plan.md"]
    assert "| NVIDIA-B200 | 32 | 1 | 4 |" in page
    assert "| NVIDIA-GB300 | 144 | 2 | 36 |" in page
