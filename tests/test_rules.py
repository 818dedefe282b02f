"""The level in force on a day (docs/language.md §6) has one rule in `model/rules.py`.

Its forms (a merge walk over many days, a bisect over parallel lists, a
bisect over model steps) must always agree: a level holds from its date until
the next entry, and is 0 before the first.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from capplan.model.decls import Step
from capplan.model.rules import level_at, levels_on, step_at, steps_on, value_in_force

START = date(2026, 1, 1)

offsets = st.lists(st.integers(0, 60), unique=True, max_size=6).map(sorted)


def test_level_holds_until_the_next_entry() -> None:
    # 2026-01-10: 5, 2026-01-20: 8. Before 01-10 nothing is in force: 0.
    steps = (
        Step(day=date(2026, 1, 10), value=Decimal(5)),
        Step(day=date(2026, 1, 20), value=Decimal(8)),
    )
    days = [date(2026, 1, d) for d in (9, 10, 19, 20, 31)]
    assert [level_at(steps, d) for d in days] == [0, 5, 5, 8, 8]
    assert step_at(steps, date(2026, 1, 9)) is None
    assert step_at(steps, date(2026, 1, 19)) is steps[0]
    pairs = [(s.day, s.value) for s in steps]
    assert levels_on(pairs, days, Decimal(0)) == [0, 5, 5, 8, 8]
    # the entries themselves (a report reads a schedule level's racks, GPUs and power)
    assert steps_on(steps, days) == [None, steps[0], steps[0], steps[1], steps[1]]


@given(offsets, st.lists(st.integers(0, 100), min_size=6, max_size=6), offsets)
def test_the_three_forms_agree(entry_days: list[int], values: list[int], probes: list[int]) -> None:
    days = [START + timedelta(d) for d in entry_days]
    steps = tuple(Step(day=d, value=Decimal(v)) for d, v in zip(days, values, strict=False))
    probe_days = [START + timedelta(d) for d in probes]
    walked = levels_on([(s.day, s.value) for s in steps], probe_days, Decimal(0))
    levels = [s.value for s in steps]
    bisected = [value_in_force(days, levels, d, Decimal(0)) for d in probe_days]
    assert walked == bisected == [level_at(steps, d) for d in probe_days]
    assert steps_on(steps, probe_days) == [step_at(steps, d) for d in probe_days]
