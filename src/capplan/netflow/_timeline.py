"""Step functions sampled on the days that need checking."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from capplan.netflow.types import Day, StepFn

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Timeline:
    """The checked days and the state on each.

    A day is checked if it is ``start`` or the state (any capacity or rate) differs from
    the day before, so consecutive rows always differ. ``caps[i]``/``rates[i]`` hold from
    ``days[i]`` to ``days[i + 1] - 1`` (or ``end``).
    """

    days: IntArray
    caps: FloatArray
    rates: FloatArray
    end: Day

    def last_day_of(self, index: int) -> Day:
        """The last day on which the state of checked day ``index`` holds."""
        if index + 1 < len(self.days):
            return int(self.days[index + 1]) - 1
        return self.end


def validate_step_fn(owner: str, fn: StepFn) -> None:
    """Reject unsorted, repeated, negative or non-finite entries: they are adapter bugs."""
    previous: Day | None = None
    for day, level in fn:
        if previous is not None and day <= previous:
            raise ValueError(f"{owner}: step function days must strictly increase")
        if not math.isfinite(level) or level < 0:
            raise ValueError(f"{owner}: step function level {level!r} is not a finite value ≥ 0")
        previous = day


def levels(fn: StepFn, days: IntArray) -> FloatArray:
    """The level of ``fn`` on each of ``days`` (0 before its first entry)."""
    if not fn:
        return np.zeros(len(days))
    entry_days = np.array([day for day, _ in fn], dtype=np.int64)
    entry_levels = np.array([level for _, level in fn], dtype=np.float64)
    index = np.searchsorted(entry_days, days, side="right") - 1
    return np.where(index >= 0, entry_levels[np.maximum(index, 0)], 0.0)


def ever_positive(fn: StepFn, start: Day, end: Day) -> bool:
    """Whether ``fn`` is above zero on some day of ``[start, end]``."""
    at_start = levels(fn, np.array([start], dtype=np.int64))[0] > 0
    return bool(at_start) or any(start < day <= end and level > 0 for day, level in fn)


def build_timeline(
    capacities: Sequence[StepFn], rates: Sequence[StepFn], start: Day, end: Day
) -> Timeline:
    """Sample every step function on its change days and keep the days the state changes."""
    candidates = {start}
    for fn in (*capacities, *rates):
        candidates.update(day for day, _ in fn if start < day <= end)
    days = np.array(sorted(candidates), dtype=np.int64)
    caps = _sample(capacities, days)
    flow_rates = _sample(rates, days)
    changed = np.ones(len(days), dtype=bool)
    changed[1:] = np.any(caps[1:] != caps[:-1], axis=1) | np.any(
        flow_rates[1:] != flow_rates[:-1], axis=1
    )
    return Timeline(days[changed], caps[changed], flow_rates[changed], end)


def _sample(fns: Sequence[StepFn], days: IntArray) -> FloatArray:
    matrix = np.zeros((len(days), len(fns)))
    for column, fn in enumerate(fns):
        matrix[:, column] = levels(fn, days)
    return matrix
