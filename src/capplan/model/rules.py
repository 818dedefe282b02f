"""Domain rules with one implementation each (docs/language.md §9).

The engine adapter, the checks, the report and the views all ask these
questions; answering them in one place keeps E300, the engine and the report
from ever disagreeing at an exact fit. Arithmetic is exact: power ceilings are
`Fraction`s of the model's exact `Decimal`s, never rounded.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Final, Literal, Protocol, TypeVar, get_args

from capplan.model.decls import Cooling, HallCooling

Cause = Literal["install", "hall_not_ready", "cooling", "positions", "hall_power", "site_power"]
CAUSES: Final[tuple[Cause, ...]] = get_args(Cause)
"""Waiting causes in the order in which §4 rule 5 consults them."""

CAUSE_LABELS: Final[dict[Cause, str]] = {
    "install": "install",
    "hall_not_ready": "hall not ready",
    "cooling": "cooling",
    "positions": "positions",
    "hall_power": "hall power",
    "site_power": "site power",
}
"""How each cause reads in text: JSON keys are the identifiers of `Cause`."""

Exact = Fraction | Decimal | int
_D = TypeVar("_D", date, int)  # a schedule's days: dates, or their ordinals
_V = TypeVar("_V")


class _Entry(Protocol):
    """An entry of a dated schedule: a model `decls.Step`, a schedule's `Level`."""

    @property
    def day(self) -> date: ...


class _Dated(_Entry, Protocol):
    """A schedule entry of the model (`decls.Step`)."""

    @property
    def value(self) -> Decimal: ...


_S = TypeVar("_S", bound=_Entry)


# --------------------------------------------------------------------------- cooling


def cooling_accepts(hall_cooling: HallCooling, rack_cooling: Cooling) -> bool:
    """§4 rule 2(a): a hybrid hall takes both kinds of rack; otherwise the kinds must match."""
    return hall_cooling == "hybrid" or hall_cooling == rack_cooling


# --------------------------------------------------------------------------- levels


def levels_on(steps: Sequence[tuple[_D, _V]], days: Iterable[_D], zero: _V) -> list[_V]:
    """The level in force on each of ``days`` (sorted): a level holds until the next entry.

    ``zero`` before the first entry (docs/language.md §6). One merge walk, so sampling a
    schedule on many days costs O(entries + days).
    """
    out: list[_V] = []
    level, nxt, count = zero, 0, len(steps)
    for day in days:
        while nxt < count and steps[nxt][0] <= day:
            level = steps[nxt][1]
            nxt += 1
        out.append(level)
    return out


def value_in_force(days: Sequence[_D], values: Sequence[_V], day: _D, zero: _V) -> _V:
    """The level in force on ``day`` of a schedule kept as sorted ``days`` and their ``values``.

    The last entry on or before ``day``; ``zero`` before the first (docs/language.md §6).
    """
    index = bisect_right(days, day) - 1
    return values[index] if index >= 0 else zero


def step_at(steps: Sequence[_S], day: date) -> _S | None:
    """The entry of a dated schedule in force on ``day``; None before the first."""
    index = bisect_right(steps, day, key=_day) - 1
    return steps[index] if index >= 0 else None


def steps_on(steps: Sequence[_S], days: Iterable[date]) -> list[_S | None]:
    """The entry of a dated schedule in force on each of ``days`` (sorted); None before the first."""
    entries: list[tuple[date, _S | None]] = [(step.day, step) for step in steps]
    return levels_on(entries, days, None)


def level_at(steps: Sequence[_Dated], day: date) -> Decimal:
    """The level of a model schedule in force on ``day`` (0 before the first entry)."""
    step = step_at(steps, day)
    return step.value if step is not None else Decimal(0)


def _day(step: _Entry) -> date:
    return step.day


def peak_level(steps: Iterable[_Dated]) -> Decimal:
    """The highest level a schedule ever reaches (0 for an empty schedule)."""
    return max((step.value for step in steps), default=Decimal(0))


# --------------------------------------------------------------------------- power ceilings


def it_factor(pue: Exact, reserve: Exact) -> Fraction:
    """IT power per watt of envelope: (1 - reserve) / PUE, exactly (§4 rule 2(d))."""
    return (1 - Fraction(reserve)) / Fraction(pue)


def site_it_ceiling(envelope: Exact, pue: Exact, reserve: Exact) -> Fraction:
    """The IT power an envelope level allows: envelope x (1 - reserve) / PUE, exactly.

    IT load L fits iff L x PUE <= envelope x (1 - reserve) iff L <= this ceiling.
    """
    return Fraction(envelope) * it_factor(pue, reserve)


def rack_fits(rack_power: Exact, ceiling: Exact) -> bool:
    """Whether one rack's IT draw fits under an exact ceiling (hall power or site IT)."""
    return Fraction(rack_power) <= Fraction(ceiling)


def scaled_floor(value: Exact, scale: int) -> int:
    """``floor(value x scale)``: an exact ceiling in the engine's integer power units.

    Loads are integers in those units, so ``load <= floor(c x scale)`` iff
    ``load <= c x scale``: flooring a ceiling never changes a verdict.
    """
    scaled: Fraction = Fraction(value) * scale
    return scaled.numerator // scaled.denominator


def power_scale(rack_powers: Iterable[Decimal]) -> int:
    """The smallest power of ten making every rack's draw (W) a whole number of units.

    The engine sums rack draws as integers; with this scale they are exact, so an
    exact fit (a 43.90033 kW rack) is compared without rounding.
    """
    digits = 0
    for power in rack_powers:
        exponent = power.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > digits:
            digits = -exponent
    scale: int = 10**digits
    return scale


# --------------------------------------------------------------------------- idle GPU-days


def idle_gpu_days(waits: Iterable[tuple[Cause, int]], gpus_per_rack: int) -> dict[Cause, int]:
    """GPU-days lost per cause from ``(cause, rack-days)`` pairs, every cause present.

    §4 rule 5: a rack waits on the days d with arrival <= d < go-live day, install
    included; W302 and ``main_cause`` look at the causes beyond install.
    """
    out: dict[Cause, int] = dict.fromkeys(CAUSES, 0)
    for cause, rack_days in waits:
        out[cause] += rack_days * gpus_per_rack
    return out


def beyond_install(idle: dict[Cause, int]) -> dict[Cause, int]:
    """The causes other than install that cost GPU-days (W302's and the main cause's view)."""
    return {cause: days for cause, days in idle.items() if cause != "install" and days}


def main_cause(idle: dict[Cause, int]) -> Cause | None:
    """The cause beyond install that cost the most GPU-days (first in §4 order on ties)."""
    beyond = beyond_install(idle)
    if not beyond:
        return None
    return max(beyond, key=beyond.__getitem__)
