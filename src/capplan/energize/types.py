"""Inputs and results of the energization engine (docs/language.md §9).

Power is in integer *units* of the adapter's choosing (the model adapter picks the
smallest power of ten that makes every rack's draw whole: `rules.power_scale`);
capacities may be exact rationals, which the engine floors once to those units,
a step that never changes a verdict since loads are whole. Days are
``date.toordinal()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from capplan.model.decls import Cooling, HallCooling
from capplan.model.rules import Cause

Day = int
"""A calendar day as ``date.toordinal()``."""

StepFn = tuple[tuple[Day, int | Fraction], ...]
"""Levels sorted by day; a level holds from its day until the next entry, 0 before the first."""

Binding = Literal["ready", "hall_power", "site_power"]
"""What set a part's go-live day: its readiness, or a capacity step released on that day."""


@dataclass(frozen=True, slots=True)
class HallSpec:
    """A hall: rack positions, cooling and an optional IT power schedule."""

    key: str  # "site.hall"
    site: str
    positions: int
    cooling: HallCooling  # hybrid accepts both kinds of rack
    power: StepFn | None  # IT capacity in power units; None = unlimited
    ready: Day


@dataclass(frozen=True, slots=True)
class SiteSpec:
    """A site: grid envelope at the facility, PUE and the share held in reserve."""

    key: str
    envelope: StepFn  # facility envelope, power units
    pue: Fraction  # >= 1
    reserve: Fraction  # 0 <= reserve <= 1
    halls: tuple[str, ...]  # hall keys in declaration order


@dataclass(frozen=True, slots=True)
class BatchSpec:
    """One tranche of one lot: racks that arrive together and share a destination."""

    lot: str
    lot_index: int  # declaration order of the lot
    tranche: int  # index of the tranche within the lot
    arrival: Day  # tranche date
    installed: Day  # arrival + install duration (calendar months already applied)
    racks: int
    gpus_per_rack: int
    rack_power: int  # IT power units per rack
    cooling: Cooling
    site: str
    hall: str | None  # a HallSpec.key; None: the compiler picks the hall of the site
    priority: int


@dataclass(frozen=True, slots=True)
class Part:
    """Racks of one batch that went live together on one day in one hall.

    When ``binding`` is ``hall_power`` or ``site_power`` the part waited for
    capacity and ``day`` is the day that constraint was released: a step of
    that hall's power schedule or of that site's envelope starts on ``day``.
    """

    day: Day
    racks: int
    hall: str
    binding: Binding


@dataclass(frozen=True, slots=True)
class WaitSegment:
    """``racks`` racks of a batch waited for ``cause`` on every day of the range.

    ``hall`` is the hall §4 rule 5 consulted: the one the racks went live in, the
    first accepting hall for stranded racks, None when no hall accepts them.
    """

    cause: Cause
    first_day: Day
    last_day_exclusive: Day
    racks: int
    hall: str | None = None

    @property
    def days(self) -> int:
        return self.last_day_exclusive - self.first_day


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What happened to one batch: parts live, racks stranded, and why they waited.

    ``waits`` holds one run of segments per part (and one for the stranded
    racks), so segments of different racks overlap in time; identical segments
    are merged. ``stranded_cause`` is the cause blocking the stranded racks on
    the plan's last day: None when nothing is stranded, and also when the batch
    arrives after the plan end (it never waited inside the horizon).
    """

    batch: BatchSpec
    parts: tuple[Part, ...]  # in go-live order
    stranded: int
    stranded_cause: Cause | None
    waits: tuple[WaitSegment, ...]

    @property
    def live(self) -> int:
        return self.batch.racks - self.stranded


@dataclass(frozen=True, slots=True)
class LiveLevel:
    """State from ``day`` until the next level: what is live in a hall or a site."""

    day: Day
    racks: int
    gpus: int
    it: int  # IT power units
    facility: Fraction  # facility power units = it x site PUE, exact


@dataclass(frozen=True, slots=True)
class EnergizeResult:
    """The schedule: per batch outcome, live timelines and idle GPU-days by cause.

    Timelines hold entries only on days where something goes live; before the
    first entry nothing is live (same convention as ``StepFn``). Every hall and
    site of the input has a timeline (possibly empty) and every site and lot an
    idle map with all six causes.
    """

    batches: tuple[BatchResult, ...]  # in input order
    halls: Mapping[str, tuple[LiveLevel, ...]]
    sites: Mapping[str, tuple[LiveLevel, ...]]
    idle: Mapping[Cause, int]
    idle_by_lot: Mapping[str, Mapping[Cause, int]]
    idle_by_site: Mapping[str, Mapping[Cause, int]]

    @property
    def stranded(self) -> int:
        return sum(b.stranded for b in self.batches)
