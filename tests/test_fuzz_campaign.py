"""Issue 11: the CI part of the fuzz campaign (bench/fuzz.py runs the long one).

Hypothesis drives the grammar-aware mutations of bench/fuzz.py (numbers, units,
dates at the calendar's edges, durations past year 9999, nesting, huge counts,
duplicates, token noise) over the examples; each case runs through the real
CLI. Every case must end without an internal error (exit 3), within 10 s of
CPU, and with every diagnostic coded and located. About 20 s of CPU in all.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bench import fuzz

TEXTS = fuzz.corpus()
SETTINGS = settings(
    deadline=None,
    database=None,
    derandomize=True,  # the same cases on every run: CI is reproducible, bench/fuzz.py explores
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure prints its whole input
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def check(text: str, command: str, folder: Path) -> None:
    outcome = fuzz.run_case(text, command, folder, limit=10.0)
    assert not outcome.problem, f"{outcome.problem}\n--- input ---\n{text[:3000]}"


@settings(SETTINGS, max_examples=40)
@given(st.randoms(use_true_random=False))
def test_fuzzed_validate_never_fails_internally(tmp_path: Path, rng: random.Random) -> None:
    check(fuzz.mutate(rng, TEXTS), "validate", tmp_path)


@settings(SETTINGS, max_examples=15)
@given(st.randoms(use_true_random=False))
def test_fuzzed_plan_never_fails_internally(tmp_path: Path, rng: random.Random) -> None:
    check(fuzz.mutate(rng, TEXTS), "plan", tmp_path)


@pytest.mark.parametrize("mutator", fuzz.MUTATORS[:-1], ids=lambda m: m.__name__)
def test_each_mutator_changes_an_example(mutator: fuzz.Mutator) -> None:
    rng = random.Random(7)
    assert any(mutator(rng, text) != text for text in TEXTS for _ in range(3))


def test_a_crash_is_reported_as_exit_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import capplan.api

    def broken(*args: object, **kwargs: object) -> None:
        raise OverflowError("date value out of range")

    monkeypatch.setattr(capplan.api, "compile_file", broken)
    outcome = fuzz.run_case("site s { power = 5 MW }\n", "validate", tmp_path, limit=10.0)
    assert outcome.exit_code == 3
    assert outcome.problem == "internal error: OverflowError: date value out of range"
