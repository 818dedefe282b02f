"""Rendering grows linearly with the plan: no quadratic step hides in templates or writer.

A wall-clock budget is meaningless on a 2-core machine shared by many jobs, so this
compares CPU time (`time.process_time`) of a full render (all targets, written and
fsynced, then a check) at 350 and 1,400 GB300 NVL72 racks (25,200 GPUs and 100,800
GPUs): four times the racks must cost less than eight times the CPU (linear: 4x;
quadratic: 16x). The 100,800-GPU figures are in docs/render.md.
"""

from __future__ import annotations

import time
from pathlib import Path

from capplan.render import render_tree

from .render_fixtures import big_context


def _cpu_seconds(racks: int, out: Path) -> float:
    context = big_context(total_racks=racks)
    started = time.process_time()
    outcome = render_tree(context, out)
    check = render_tree(context, out, check=True)
    spent = time.process_time() - started
    assert outcome.ok, outcome.problems
    assert check.up_to_date
    return spent


def test_render_cost_is_linear_in_racks(tmp_path: Path) -> None:
    context = big_context()
    assert sum(site.gpus_live for site in context.sites) == 100_800  # 1,400 x 72
    assert sum(len(rack.nodes) for site in context.sites for rack in site.racks) == 25_200
    small = min(_cpu_seconds(350, tmp_path / f"s{n}") for n in range(2))
    large = min(_cpu_seconds(1_400, tmp_path / f"l{n}") for n in range(2))
    print(f"render+check CPU: 350 racks {small:.3f} s, 1,400 racks {large:.3f} s")
    assert large < 8 * small
