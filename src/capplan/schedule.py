"""The energization schedule of a model: when every rack goes live, and why it waited.

Adapts the typed model to the pure engine in `capplan.energize` (exact integer
power units, ordinal days) and answers the questions checks and reports ask in
model terms: GPUs live at a site on a day, per lot outcomes, idle GPU-days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from capplan.energize import (
    BatchResult,
    BatchSpec,
    Cause,
    EnergizeResult,
    HallSpec,
    LiveLevel,
    SiteSpec,
    StepFn,
    energize,
)
from capplan.model.decls import Model, Step
from capplan.model.rules import idle_gpu_days, power_scale, scaled_floor, value_in_force


def power_steps(steps: Iterable[Step], scale: int) -> StepFn:
    """A power schedule in the engine's units (W x ``scale``), exact."""
    return tuple((s.day.toordinal(), Fraction(s.value) * scale) for s in steps)


@dataclass(frozen=True)
class GoLive:
    day: date
    racks: int
    hall: str
    binding: str  # "ready" | "hall_power" | "site_power"


@dataclass(frozen=True)
class Wait:
    cause: Cause
    first: date
    last_exclusive: date
    racks: int
    hall: str | None  # the hall rule 5 consulted (None: no hall of the site accepts the rack)

    @property
    def days(self) -> int:
        return (self.last_exclusive - self.first).days


@dataclass(frozen=True)
class TrancheOutcome:
    lot: str
    tranche: int
    arrival: date
    ready: date
    racks: int
    gpus_per_rack: int
    parts: tuple[GoLive, ...]
    stranded: int
    stranded_cause: Cause | None
    waits: tuple[Wait, ...]

    def live_on(self, day: date) -> int:
        """Racks of the tranche live on ``day``: a part is live from its go-live day on."""
        return sum(part.racks for part in self.parts if part.day <= day)


@dataclass
class LotOutcome:
    name: str
    racks: int
    gpus_per_rack: int
    tranches: list[TrancheOutcome] = field(default_factory=list)

    @property
    def parts(self) -> list[GoLive]:
        return [p for t in self.tranches for p in t.parts]

    @property
    def stranded(self) -> int:
        return sum(t.stranded for t in self.tranches)

    @property
    def live(self) -> int:
        return self.racks - self.stranded

    def live_on(self, day: date) -> int:
        """Racks of the lot live on ``day``."""
        return sum(tranche.live_on(day) for tranche in self.tranches)

    @property
    def first_live(self) -> date | None:
        days = [p.day for p in self.parts]
        return min(days) if days else None

    @property
    def last_live(self) -> date | None:
        days = [p.day for p in self.parts]
        return max(days) if days else None

    def idle_gpu_days(self) -> dict[Cause, int]:
        """GPU-days per cause, install included (§4 rule 5), every cause present."""
        rack_days = ((w.cause, w.racks * w.days) for t in self.tranches for w in t.waits)
        return idle_gpu_days(rack_days, self.gpus_per_rack)

    def stranded_causes(self) -> dict[Cause | None, int]:
        """Stranded racks by the cause that held them on the plan's last day.

        None: racks that arrive after the plan end (they never waited inside it).
        """
        out: dict[Cause | None, int] = defaultdict(int)
        for tranche in self.tranches:
            if tranche.stranded:
                out[tranche.stranded_cause] += tranche.stranded
        return dict(out)


@dataclass(frozen=True)
class Level:
    """What is live at a site from `day` until the next level."""

    day: date
    racks: int
    gpus: int
    it_w: Decimal
    facility_w: Decimal


class Schedule:
    """The computed schedule of one model."""

    def __init__(self, model: Model, result: EnergizeResult, scale: int) -> None:
        self.model = model
        self.result = result
        self.scale = scale  # engine power units per W
        self.lots: dict[str, LotOutcome] = {}
        self._gpu_steps: dict[tuple[str, str], tuple[list[int], list[int]]] = {}
        self._collect()

    def _collect(self) -> None:
        model = self.model
        for name, lot in model.lots.items():
            self.lots[name] = LotOutcome(name, lot.racks, model.rack_types[lot.rack_type].gpus)
        deltas: dict[tuple[str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for batch in self.result.batches:
            outcome = _tranche(batch)
            self.lots[batch.batch.lot].tranches.append(outcome)
            lot = model.lots[batch.batch.lot]
            for part in batch.parts:
                deltas[(lot.site, lot.rack_type)][part.day] += (
                    part.racks * batch.batch.gpus_per_rack
                )
        for key, by_day in deltas.items():
            days = sorted(by_day)
            total = 0
            levels = []
            for day in days:
                total += by_day[day]
                levels.append(total)
            self._gpu_steps[key] = (days, levels)

    # --- queries ----------------------------------------------------------------
    def gpus_live(self, sites: Iterable[str], day: date, rack_type: str | None = None) -> int:
        """GPUs live at the end of `day` at these sites (of one rack type, if given)."""
        ordinal = day.toordinal()
        total = 0
        site_set = set(sites)
        for (site, kind), (days, levels) in self._gpu_steps.items():
            if site not in site_set or (rack_type is not None and kind != rack_type):
                continue
            total += value_in_force(days, levels, ordinal, 0)
        return total

    def site_levels(self, site: str) -> list[Level]:
        pue = self.model.sites[site].pue
        return [_level(level, pue, self.scale) for level in self.result.sites.get(site, ())]

    @property
    def idle_gpu_days(self) -> Mapping[Cause, int]:
        return self.result.idle

    @property
    def stranded_racks(self) -> int:
        return self.result.stranded


def _level(level: LiveLevel, pue: Decimal, scale: int) -> Level:
    it_w = Decimal(level.it) / scale  # exact: scale is a power of ten
    return Level(date.fromordinal(level.day), level.racks, level.gpus, it_w, it_w * pue)


def _tranche(batch: BatchResult) -> TrancheOutcome:
    spec = batch.batch
    return TrancheOutcome(
        lot=spec.lot,
        tranche=spec.tranche,
        arrival=date.fromordinal(spec.arrival),
        ready=date.fromordinal(spec.installed),
        racks=spec.racks,
        gpus_per_rack=spec.gpus_per_rack,
        parts=tuple(
            GoLive(date.fromordinal(p.day), p.racks, p.hall, p.binding) for p in batch.parts
        ),
        stranded=batch.stranded,
        stranded_cause=batch.stranded_cause,
        waits=tuple(
            Wait(
                w.cause,
                date.fromordinal(w.first_day),
                date.fromordinal(w.last_day_exclusive),
                w.racks,
                w.hall,
            )
            for w in batch.waits
        ),
    )


def engine_inputs(
    model: Model,
) -> tuple[list[SiteSpec], list[HallSpec], list[BatchSpec], int]:
    """The engine's specs and the power scale they use (units per W).

    The scale makes every rack's draw a whole number of units, so the engine's
    integer sums are exact and capacities are exact rationals: an exact fit fits.
    """
    scale = power_scale(rack.power for rack in model.rack_types.values())
    sites: list[SiteSpec] = []
    halls: list[HallSpec] = []
    for site in model.sites.values():
        keys = []
        for hall in site.halls.values():
            keys.append(hall.key)
            halls.append(
                HallSpec(
                    key=hall.key,
                    site=site.name,
                    positions=hall.positions,
                    cooling=hall.cooling,
                    power=power_steps(hall.power, scale) if hall.power is not None else None,
                    ready=hall.ready.toordinal(),
                )
            )
        sites.append(
            SiteSpec(
                key=site.name,
                envelope=power_steps(site.power, scale),
                pue=Fraction(site.pue),
                reserve=Fraction(site.reserve),
                halls=tuple(keys),
            )
        )
    batches: list[BatchSpec] = []
    for lot in model.lots.values():
        rack = model.rack_types[lot.rack_type]
        rack_power = scaled_floor(rack.power, scale)  # whole by construction of the scale
        hall_key = str(lot.hall_addr) if lot.hall_addr else None
        for index, tranche in enumerate(lot.tranches):
            batches.append(
                BatchSpec(
                    lot=lot.name,
                    lot_index=lot.index,
                    tranche=index,
                    arrival=tranche.day.toordinal(),
                    installed=rack.install.after(tranche.day).toordinal(),
                    racks=tranche.racks,
                    gpus_per_rack=rack.gpus,
                    rack_power=rack_power,
                    cooling=rack.cooling,
                    site=lot.site,
                    hall=hall_key,
                    priority=lot.priority,
                )
            )
    return sites, halls, batches, scale


def compute_schedule(model: Model) -> Schedule:
    sites, halls, batches, scale = engine_inputs(model)
    result = energize(sites, halls, batches, model.start.toordinal(), model.end.toordinal())
    return Schedule(model, result, scale)
