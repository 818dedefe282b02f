"""The slips of a model as drivers, and their draws in sample i (docs/language.md §15).

A driver is one slip attribute of one declaration. The draws of sample i come from
a generator seeded by `SeedSequence(seed, spawn_key=(i,))`, the i-th child that
`SeedSequence(seed).spawn` would give: they depend only on (seed, i), never on
which worker or machine draws them, nor on the samples drawn before.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from capplan.model.decls import Model, Slip

DriverKind = Literal["supplier", "site", "hall", "lot", "link"]


@dataclass(frozen=True, slots=True)
class Driver:
    """One slip: which declaration and attribute, and its distribution in days."""

    kind: DriverKind
    name: str  # the declaration; `site.hall` for a hall
    attribute: str  # slip, power_slip or ready_slip
    low: float
    mode: float | None  # None: uniform
    high: float

    @property
    def label(self) -> str:
        """How reports name the driver: `lot narvik_msft_t1 slip`."""
        return f"{self.kind} {self.name} {self.attribute}"

    @property
    def written(self) -> str:
        """The distribution in days, as reports show it: `0 .. 14 .. 70 d`."""
        bounds = [self.low, self.high] if self.mode is None else [self.low, self.mode, self.high]
        return " .. ".join(f"{b:g}" for b in bounds) + " d"


def _driver(kind: DriverKind, name: str, attribute: str, slip: Slip) -> Driver:
    mode = None if slip.mode is None else float(slip.mode)
    return Driver(kind, name, attribute, float(slip.low), mode, float(slip.high))


def model_drivers(model: Model) -> tuple[Driver, ...]:
    """Every slip of the model: suppliers, sites, halls, lots, links, each in declaration order."""
    sites = model.sites.values()
    slips: list[tuple[DriverKind, str, str, Slip | None]] = [
        *(("supplier", s.name, "slip", s.slip) for s in model.suppliers.values()),
        *(("site", s.name, "power_slip", s.power_slip) for s in sites),
        *(("hall", h.key, "ready_slip", h.ready_slip) for s in sites for h in s.halls.values()),
        *(("lot", lot.name, "slip", lot.slip) for lot in model.lots.values()),
        *(("link", link.name, "ready_slip", link.ready_slip) for link in model.links.values()),
    ]
    return tuple(
        _driver(kind, name, attribute, slip)
        for kind, name, attribute, slip in slips
        if slip is not None
    )


def quantile(driver: Driver, u: float) -> float:
    """The delay in days at probability `u` (the inverse CDF): uniform or triangular."""
    low, high = driver.low, driver.high
    if driver.mode is None or high == low:
        return low + u * (high - low)
    mode = driver.mode
    split = (mode - low) / (high - low)
    if u < split:
        return low + math.sqrt(u * (high - low) * (mode - low))
    return high - math.sqrt((1 - u) * (high - low) * (high - mode))


def whole_days(days: float) -> int:
    """A draw rounded to the nearest whole day (halves up; a continuous draw is never one)."""
    return math.floor(days + 0.5)


def draws(drivers: tuple[Driver, ...], seed: int, sample: int) -> tuple[int, ...]:
    """The delays of sample `sample`, in days, one per driver in order."""
    if not drivers:
        return ()
    generator = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(sample,)))
    uniforms = generator.random(len(drivers))
    return tuple(whole_days(quantile(d, float(u))) for d, u in zip(drivers, uniforms, strict=True))
