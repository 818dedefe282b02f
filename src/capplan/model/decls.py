"""The typed model of every declaration (docs/language.md §8), references resolved.

Values are canonical: power in W, bandwidth in bit/s, durations in days and
calendar months, ratios as fractions, all exact `Decimal`s so that capacity
arithmetic never misses an exact fit. Every declaration keeps the spans of
its name and of each attribute, so later checks can point at the source.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from capplan.diagnostics import Diagnostic, Span
from capplan.model.addr import HallAddr, destination

Cooling = Literal["air", "liquid"]
HallCooling = Literal["air", "liquid", "hybrid"]
Supplies = Literal["gpus", "racks", "integration", "optics", "power"]
AllocationUnit = Literal["racks", "gpus"]
AllocationPeriod = Literal["w", "mo"]

# The allowed values, from the types themselves (what the resolver accepts).
COOLINGS: tuple[Cooling, ...] = get_args(Cooling)
HALL_COOLINGS: tuple[HallCooling, ...] = get_args(HallCooling)
SUPPLIES: tuple[Supplies, ...] = get_args(Supplies)
ALLOCATION_UNITS: tuple[AllocationUnit, ...] = get_args(AllocationUnit)
ALLOCATION_PERIODS: tuple[AllocationPeriod, ...] = get_args(AllocationPeriod)


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)


class Duration(Frozen):
    days: int = 0
    months: int = 0

    def after(self, day: date) -> date:
        """`day` plus this duration; `mo` adds calendar months, clamping the day."""
        if self.months:
            month_index = day.month - 1 + self.months
            year = day.year + month_index // 12
            month = month_index % 12 + 1
            last = calendar.monthrange(year, month)[1]
            day = date(year, month, min(day.day, last))
        return day + timedelta(days=self.days)

    def __str__(self) -> str:
        parts = []
        if self.months:
            parts.append(f"{self.months}mo")
        if self.days or not parts:
            weeks, rest = divmod(self.days, 7)
            parts.append(f"{weeks}w" if weeks and not rest else f"{self.days}d")
        return " + ".join(parts)


class Slip(Frozen):
    """An uncertain delay in days (docs/language.md §15): uniform, or triangular when `mode` is set.

    Only `capplan risk` draws it; every other command plans with each slip at 0.
    """

    low: Decimal
    mode: Decimal | None = None
    high: Decimal
    span: Span | None = None


class Step(Frozen):
    """One schedule entry: a level (capacities) or an amount (deliveries, dues)."""

    day: date
    value: Decimal
    span: Span | None = None


class Decl(Frozen):
    name: str
    span: Span  # the whole declaration
    name_span: Span
    description: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    attr_spans: dict[str, Span] = Field(default_factory=dict)

    def attr_span(self, attribute: str) -> Span:
        """Where an attribute was written, else the declaration's name."""
        return self.attr_spans.get(attribute, self.name_span)


class Plan(Decl):
    start: date | None = None
    end: date | None = None
    as_of: date | None = None
    capital_rate: Decimal = Decimal(0)  # yearly cost of capital, a fraction (§7)


class Supplier(Decl):
    supplies: Supplies | None = None
    lead_time: Duration | None = None
    allocation: tuple[Step, ...] = ()
    allocation_unit: AllocationUnit = "racks"
    allocation_period: AllocationPeriod = "mo"
    slip: Slip | None = None  # shared by every lot it supplies (`supplier` or `via`)


class RackType(Decl):
    gpus: int
    power: Decimal  # W, IT per rack
    cooling: Cooling
    gpu: str | None = None
    nodes: int = 1
    install: Duration = Duration()
    fabric: Decimal | None = None  # bit/s per rack
    weight: Decimal | None = None  # kg
    price: Decimal | None = None  # capital cost of one installed rack, model currency (§7)
    life: Duration = Duration(months=60)  # straight-line depreciation period
    load: Decimal = Decimal(1)  # average draw as a fraction of `power`: energy only


class Hall(Decl):
    site: str
    positions: int
    cooling: HallCooling
    power: tuple[Step, ...] | None = None  # IT capacity levels, W; None: unlimited
    ready: date
    ready_slip: Slip | None = None

    @property
    def addr(self) -> HallAddr:
        return HallAddr(self.site, self.name)

    @property
    def key(self) -> str:
        """`site.hall`, the hall's address as text (the engine's and the views' key)."""
        return str(self.addr)


class Site(Decl):
    power: tuple[Step, ...]  # facility envelope levels, W
    pue: Decimal = Decimal(1)
    reserve: Decimal = Decimal(0)  # fraction of the envelope held back
    country: str | None = None
    region: str | None = None
    energy_price: tuple[Step, ...] | None = None  # levels, currency per MWh (§7)
    carbon: tuple[Step, ...] | None = None  # levels, gCO2/kWh
    halls: dict[str, Hall] = Field(default_factory=dict)
    power_slip: Slip | None = None  # delays the envelope steps dated after as_of (or start)


class Tranche(Frozen):
    day: date
    racks: int
    span: Span | None = None


class Lot(Decl):
    supplier: str
    rack_type: str
    racks: int
    site: str
    hall: str | None = None
    tranches: tuple[Tranche, ...]
    order: date | None = None
    via: str | None = None
    priority: int = 0
    arrival_from_order: bool = False  # arrive was derived as order + lead time
    slip: Slip | None = None  # delays every tranche together
    index: int = 0  # declaration order across the whole model

    @property
    def hall_addr(self) -> HallAddr | None:
        """The hall the lot names (`to = site.hall`); None when the compiler picks one."""
        return HallAddr(self.site, self.hall) if self.hall is not None else None

    @property
    def destination(self) -> str:
        """`to` as written: `site.hall` or `site`."""
        return destination(self.site, self.hall)


class Pop(Decl):
    country: str | None = None
    region: str | None = None


class Link(Decl):
    a: str
    b: str
    capacity: tuple[Step, ...]  # bit/s per direction
    ready: date | None = None  # capacity is 0 before it
    order: date | None = None
    supplier: str | None = None
    distance: Decimal | None = None  # m
    ready_slip: Slip | None = None


class Flow(Decl):
    src: str
    dst: str
    rate: tuple[Step, ...]  # bit/s, or bit/s per GPU when per_gpu
    per_gpu: bool = False
    gpu_site: str | None = None  # the site whose live GPUs scale a per-GPU rate
    protect: bool = False


class Commitment(Decl):
    gpus: tuple[Step, ...]  # GPUs due live from each date on
    sites: tuple[str, ...]
    customer: str | None = None
    rack_type: str | None = None
    price: Decimal | None = None  # contract price per GPU-hour, model currency (§7)

    @property
    def scope(self) -> tuple[tuple[str, ...], str | None]:
        return (tuple(sorted(self.sites)), self.rack_type)


class Horizon(Frozen):
    """The days a plan covers: `start` to `end`, both included."""

    start: date
    end: date


class Model(Frozen):
    """One compiled plan: all files joined by import, in declaration order."""

    plan: Plan | None = None
    horizon: Horizon | None = None  # None: the model has no date (see `undated`)
    undated: Diagnostic | None = None  # why it cannot be planned (E201), reported by `plan`
    as_of: date | None = None
    currency: str | None = None  # the one currency of every money figure (§7, E212)
    suppliers: dict[str, Supplier] = Field(default_factory=dict)
    rack_types: dict[str, RackType] = Field(default_factory=dict)
    sites: dict[str, Site] = Field(default_factory=dict)
    lots: dict[str, Lot] = Field(default_factory=dict)
    pops: dict[str, Pop] = Field(default_factory=dict)
    links: dict[str, Link] = Field(default_factory=dict)
    flows: dict[str, Flow] = Field(default_factory=dict)
    commitments: dict[str, Commitment] = Field(default_factory=dict)
    written_dates: tuple[tuple[date, Span], ...] = ()  # every date as written, for W404

    def declaration_count(self) -> int:
        """Declarations in the model, halls included (after scenarios), as `validate` counts them."""
        kinds: tuple[dict[str, Any], ...] = (
            self.suppliers,
            self.rack_types,
            self.sites,
            self.lots,
            self.pops,
            self.links,
            self.flows,
            self.commitments,
        )
        halls = sum(len(site.halls) for site in self.sites.values())
        return int(self.plan is not None) + sum(map(len, kinds)) + halls

    def gpus_planned(self) -> int:
        """GPUs of every lot (racks x the rack type's GPUs), live or not."""
        return sum(
            lot.racks * self.rack_types[lot.rack_type].gpus
            for lot in self.lots.values()
            if lot.rack_type in self.rack_types
        )

    @property
    def start(self) -> date:
        """The plan's first day; only a model with a horizon is ever scheduled."""
        return self._horizon.start

    @property
    def end(self) -> date:
        """The plan's last day, included."""
        return self._horizon.end

    @property
    def _horizon(self) -> Horizon:
        if self.horizon is None:
            raise RuntimeError("a model without a horizon cannot be scheduled (E201)")
        return self.horizon

    def hall(self, key: HallAddr | str) -> Hall:
        addr = key if isinstance(key, HallAddr) else HallAddr.parse(key)
        return self.sites[addr.site].halls[addr.hall]

    def endpoint_kind(self, name: str) -> Literal["site", "pop"]:
        return "site" if name in self.sites else "pop"
