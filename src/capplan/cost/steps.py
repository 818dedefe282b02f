"""Sums of step functions over day ranges, in one merge walk (never a loop over days).

A step function is given by its changes: ``(day, delta)`` pairs, the level on a
day being the sum of the deltas on or before it. Days are ``date.toordinal()``.
Everything is integer arithmetic; the callers multiply by exact rates once per
piece, so a fleet of millions of racks costs O(changes log changes).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from datetime import date
from itertools import accumulate

from capplan.model.rules import levels_on

Day = int
Deltas = list[tuple[Day, int]]


def sums(deltas: Deltas, cuts: Sequence[Day]) -> list[int]:
    """Σ over the days of each piece [cuts[j], cuts[j+1]) of the level: e.g. rack-days.

    ``deltas`` is sorted in place; deltas before ``cuts[0]`` set the first level.
    """
    deltas.sort()
    out: list[int] = []
    level = index = 0
    count = len(deltas)
    while index < count and deltas[index][0] <= cuts[0]:
        level += deltas[index][1]
        index += 1
    for j in range(len(cuts) - 1):
        current, stop = cuts[j], cuts[j + 1]
        total = 0
        while index < count and deltas[index][0] < stop:
            day, delta = deltas[index]
            total += level * (day - current)
            current = day
            level += delta
            index += 1
        out.append(total + level * (stop - current))
    return out


def counts(points: Iterable[tuple[Day, int]], cuts: Sequence[Day]) -> list[int]:
    """Σ of the amounts whose day falls in each piece [cuts[j], cuts[j+1])."""
    out = [0] * (len(cuts) - 1)
    for day, amount in points:
        j = bisect_left(cuts, day + 1) - 1
        if 0 <= j < len(out):
            out[j] += amount
    return out


def levels(deltas: Deltas, cuts: Sequence[Day]) -> list[int]:
    """The level on the first day of each piece [cuts[j], cuts[j+1]).

    The level is constant on a piece when every delta day lies on a cut.
    """
    deltas.sort()
    running = accumulate(delta for _, delta in deltas)
    return levels_on(
        [(day, level) for (day, _), level in zip(deltas, running, strict=True)], cuts[:-1], 0
    )


def month_starts(lo: Day, hi: Day) -> list[Day]:
    """The first day of every calendar month starting in (lo, hi)."""
    first = date.fromordinal(lo)
    year, month = first.year, first.month
    out: list[Day] = []
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        if year > date.max.year:  # a plan may end on 9999-12-31
            return out
        day = date(year, month, 1).toordinal()
        if day >= hi:
            return out
        out.append(day)


def pieces(lo: Day, hi: Day, *days: Iterable[Day]) -> list[Day]:
    """Sorted cuts: ``lo``, ``hi`` and every given day strictly between them."""
    inside = {d for group in days for d in group if lo < d < hi}
    return [lo, *sorted(inside), hi]
