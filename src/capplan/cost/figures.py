"""The figures of docs/language.md §14 as exact values, and how they add up.

A figure is an exact `Fraction`, or None when an input it needs is missing
(energy on a day with no energy price in force, a rack whose type has no
price): absent, never 0. Adding an absent figure gives an absent figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from capplan.model.decls import Duration

Amount = Fraction | None
"""An exact figure, or None when its inputs are missing."""

MWH = Fraction(1_000_000)  # Wh per MWh
HOURS = 24


def plus(a: Amount, b: Amount) -> Amount:
    return None if a is None or b is None else a + b


def valued(quantity: Fraction | int, rate: Fraction | None) -> Amount:
    """``quantity x rate``; a quantity of 0 needs no rate, a missing rate is absent."""
    if not quantity:
        return Fraction(0)
    return None if rate is None else quantity * rate


def life_days(life: Duration) -> Fraction:
    """A depreciation period in days: `d` 1, `w` 7 (already days), `mo` 365/12 (§7)."""
    return life.days + Fraction(365, 12) * life.months


@dataclass(frozen=True, slots=True)
class Figures:
    """The sums of §7 over some days at some sites."""

    energy_mwh: Fraction
    energy_cost: Amount
    carbon_t: Amount
    depreciation: Amount
    carrying: Amount
    gpu_hours: int

    @property
    def cost(self) -> Amount:
        """Energy cost + depreciation + carrying cost: what the GPU-hours cost."""
        return plus(plus(self.energy_cost, self.depreciation), self.carrying)

    @property
    def cost_per_gpu_hour(self) -> Amount:
        cost = self.cost
        return None if cost is None or not self.gpu_hours else cost / self.gpu_hours

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            self.energy_mwh + other.energy_mwh,
            plus(self.energy_cost, other.energy_cost),
            plus(self.carbon_t, other.carbon_t),
            plus(self.depreciation, other.depreciation),
            plus(self.carrying, other.carrying),
            self.gpu_hours + other.gpu_hours,
        )


ZERO = Figures(Fraction(0), Fraction(0), Fraction(0), Fraction(0), Fraction(0), 0)
