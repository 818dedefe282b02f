"""One sample: the compiled model re-scheduled with delayed dates (docs/language.md §15).

The model is compiled once. A `Sampler` keeps the engine's nominal inputs
(`schedule.engine_inputs`, the one adapter from model to engine) and, per
driver, which of them it delays; a sample shifts those dates by its draws and
runs the engine again: no parsing, no resolving, no pydantic model built for
the schedule. The commitments are then read with the checks' own
`due_dates`, and the short GPU-hours and revenue at risk with the cost model's
(`capplan.cost`), so a degenerate range (`10d .. 10d`) gives exactly the plan
of the model with its dates moved by hand.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from capplan.checks.commitments import DueDate, due_dates
from capplan.cost import short_gpu_hours_by_commitment
from capplan.cost.commitments import commitment_costs
from capplan.energize import BatchSpec, HallSpec, SiteSpec, energize
from capplan.model.decls import Duration, Link, Model
from capplan.risk.drivers import Driver, draws, model_drivers
from capplan.schedule import Schedule, engine_inputs

_NETWORK_CODES = frozenset({"E500", "E501"})


@dataclass(frozen=True, slots=True)
class SampleResult:
    """What the report needs of one sample; small, so that workers send it back cheaply."""

    index: int
    draws: tuple[int, ...]  # days, one per driver
    live: tuple[int, ...]  # GPUs live in scope on each commitment date, in `due_dates` order
    short_gpu_hours: int  # the fleet's total (docs/language.md §14)
    revenue: tuple[Fraction | None, ...]  # per commitment (model order); None: no price
    last_live: tuple[int | None, ...]  # per lot: ordinal of its last go-live; None: racks strand
    network_failed: bool | None  # an E500/E501 day; None when the network was not analysed


@dataclass(frozen=True, slots=True)
class _Delays:
    """One sample's delays in days, by what they delay."""

    lots: dict[str, int]
    sites: dict[str, int]
    halls: dict[str, int]
    links: dict[str, int]


class Sampler:
    """The compiled model and everything a sample reuses; picklable, sent once per worker."""

    def __init__(self, model: Model, seed: int, network: bool = False) -> None:
        self.model = model
        self.seed = seed
        self.network = network
        self.drivers: tuple[Driver, ...] = model_drivers(model)
        self.sites, self.halls, self.batches, self.scale = engine_inputs(model)
        self.start, self.end = model.start.toordinal(), model.end.toordinal()
        self.limit = min(self.end + 1, date.max.toordinal())  # "after the plan end"
        self.as_of = (model.as_of or model.start).toordinal()
        self.install: list[Duration] = [
            model.rack_types[model.lots[b.lot].rack_type].install for b in self.batches
        ]

    # --- one sample ------------------------------------------------------------
    def run(self, index: int) -> SampleResult:
        """Sample `index`: its draws, the delayed schedule, and what the report reads of it."""
        drawn = draws(self.drivers, self.seed, index)
        return self._evaluate(index, drawn, network=self.network)

    def nominal(self) -> tuple[SampleResult, list[DueDate]]:
        """The plan with every slip 0 (what `capplan plan` schedules), and its commitment dates."""
        result = self._evaluate(-1, (0,) * len(self.drivers), network=False)
        schedule = self._schedule(self._delays((0,) * len(self.drivers)))
        return result, list(due_dates(self.model, schedule))

    def _evaluate(self, index: int, drawn: tuple[int, ...], network: bool) -> SampleResult:
        delays = self._delays(drawn)
        schedule = self._schedule(delays)
        live = tuple(due.live for due in due_dates(self.model, schedule))
        last = tuple(
            None if outcome.stranded else _ordinal(outcome.last_live)
            for outcome in schedule.lots.values()
        )
        failed = self._network_failed(schedule, delays) if network else None
        costs = commitment_costs(short_gpu_hours_by_commitment(self.model, schedule), self.model)
        # A scope's shares add up to its whole short GPU-hours: the total is a whole number.
        short = int(sum((c.short_gpu_hours for c in costs), start=Fraction(0)))
        revenue = tuple(c.revenue_at_risk for c in costs)
        return SampleResult(index, drawn, live, short, revenue, last, failed)

    def _delays(self, drawn: tuple[int, ...]) -> _Delays:
        """Each driver's draw added to what it delays (a supplier's to its lots and links)."""
        by: dict[str, dict[str, int]] = defaultdict(dict)
        for driver, days in zip(self.drivers, drawn, strict=True):
            by[driver.kind][driver.name] = days
        suppliers = by["supplier"]
        lots: dict[str, int] = {}
        for lot in self.model.lots.values():
            delay = by["lot"].get(lot.name, 0) + suppliers.get(lot.supplier, 0)
            if lot.via is not None and lot.via != lot.supplier:
                delay += suppliers.get(lot.via, 0)
            if delay:
                lots[lot.name] = delay
        links: dict[str, int] = {}
        for link in self.model.links.values():
            delay = by["link"].get(link.name, 0)
            if link.supplier is not None:
                delay += suppliers.get(link.supplier, 0)
            if delay:
                links[link.name] = delay
        return _Delays(lots, by["site"], by["hall"], links)

    def _schedule(self, delays: _Delays) -> Schedule:
        batches = [self._batch(b, i, delays.lots.get(b.lot, 0)) for i, b in enumerate(self.batches)]
        halls = [self._hall(h, delays.halls.get(h.key, 0)) for h in self.halls]
        sites = [self._site(s, delays.sites.get(s.key, 0)) for s in self.sites]
        result = energize(sites, halls, batches, self.start, self.end)
        return Schedule(self.model, result, self.scale)

    def _later(self, day: int, days: int) -> int:
        return min(day + days, self.limit)

    def _batch(self, batch: BatchSpec, index: int, days: int) -> BatchSpec:
        if not days:
            return batch
        arrival = self._later(batch.arrival, days)
        installed = self.limit
        if arrival < self.limit:
            try:
                installed = min(
                    self.install[index].after(date.fromordinal(arrival)).toordinal(), self.limit
                )
            except OverflowError:  # past 9999-12-31: after the plan end in any case
                installed = self.limit
        return dataclasses.replace(batch, arrival=arrival, installed=installed)

    def _hall(self, hall: HallSpec, days: int) -> HallSpec:
        return dataclasses.replace(hall, ready=self._later(hall.ready, days)) if days else hall

    def _site(self, site: SiteSpec, days: int) -> SiteSpec:
        """Steps dated after as_of move; one moved past the plan end no longer matters."""
        if not days:
            return site
        envelope = tuple(
            (day + days, level) if day > self.as_of else (day, level)
            for day, level in site.envelope
        )
        return dataclasses.replace(
            site, envelope=tuple(step for step in envelope if step[0] <= self.end)
        )

    def _network_failed(self, schedule: Schedule, delays: _Delays) -> bool:
        from capplan.checks.network import analyse, check_network

        model = self.model
        if not (model.links or model.flows):
            return False
        if delays.links:
            links = {
                name: self._link(link, delays.links.get(name, 0))
                for name, link in model.links.items()
            }
            model = model.model_copy(update={"links": links})
        try:
            analysed = analyse(model, schedule)
        except RuntimeError:  # the LP solver failed: the day cannot be shown routable
            return True
        return any(d.code in _NETWORK_CODES for d in check_network(model, analysed))

    def _link(self, link: Link, days: int) -> Link:
        if not days:
            return link
        ready = (link.ready or self.model.start).toordinal()
        return link.model_copy(update={"ready": date.fromordinal(self._later(ready, days))})

    def run_batch(self, indices: range) -> list[SampleResult]:
        return [self.run(i) for i in indices]


def _ordinal(day: date | None) -> int | None:
    return None if day is None else day.toordinal()
