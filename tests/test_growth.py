"""Issue 11: adversarial inputs cost linear (or n log n) time: growth exponents at small sizes.

Each check measures CPU seconds (`time.process_time`, not inflated by other
jobs on the machine), best of three, at a size and at four times that size,
and asserts the slope of log(time) over log(size) is below 1.5: linear is
about 1, n log n about 1.1, quadratic 2. bench/growth.py runs the same cases
at 100 KB in fresh processes and records time and memory (docs/security.md).
"""

from __future__ import annotations

import time

import pytest

from bench import growth
from capplan.source import SourceFile

LIMIT = 1.5


def cpu_seconds(work: object, *args: object, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        work(*args)  # type: ignore[operator]
        best = min(best, time.process_time() - start)
    return best


def slope(case: growth.Case, small_bytes: int, repeat: int = 3) -> float:
    small, _ = growth.sized(case, small_bytes)
    large, _ = growth.sized(case, 4 * small_bytes)
    growth.run_in_process(small, case.command)  # warm: imports, grammar, caches
    t_small = cpu_seconds(growth.run_in_process, small, case.command, repeat=repeat)
    t_large = cpu_seconds(growth.run_in_process, large, case.command, repeat=repeat)
    return growth.exponent((len(small), t_small), (len(large), t_large))


@pytest.mark.parametrize(
    "name", ["errors_one_line", "non_ascii", "non_ascii_one_line", "deep_lists"]
)
def test_front_end_cases_grow_linearly(name: str) -> None:
    assert slope(growth.CASES[name], 15_000) < LIMIT


def test_byte_offsets_on_one_long_non_ascii_line_are_linear() -> None:
    def offsets(n: int) -> None:
        source = SourceFile("u.cap", "ø—✓ " * n)
        for offset in range(0, 4 * n, 4):  # n look-ups spread over the line
            source.byte_offset(offset)

    small = cpu_seconds(offsets, 5_000)
    large = cpu_seconds(offsets, 20_000)  # was quadratic: 16 times the small one's time
    assert growth.exponent((5_000, small), (20_000, large)) < LIMIT


@pytest.mark.parametrize(("name", "small"), [("const_chain", 12_000), ("many_halls", 12_000)])
def test_resolver_and_engine_cases_grow_linearly(name: str, small: int) -> None:
    # const chains were cubic (1,000 consts: 47 s), many halls quadratic (10,000: 27 s)
    assert slope(growth.CASES[name], small) < LIMIT


def test_many_links_with_six_change_days_grow_linearly() -> None:
    # 504 links (100 KB) over 20 pops took 5.6 s when every parallel link had LP rows of
    # its own. (Links readied two a day also add a change day per two links: their cost
    # is links x days, recorded in docs/security.md, not checked here.)
    assert slope(growth.CASES["many_links"], 10_000, repeat=2) < LIMIT
