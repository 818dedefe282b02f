"""Energy, carbon, depreciation, carrying cost and GPU-hours of each site (§7).

Per site and rack type, three integer step functions come from the schedule:
racks live (changes on go-live days), racks inside their depreciation life
(go-live to go-live + life) and racks waiting, by §4 rule 5 cause (the
engine's wait segments). Their sums over *pieces* (the days between calendar
month starts and price or carbon steps) are rack-days; each piece then costs a
few exact multiplications. Nothing loops over days or racks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from math import floor

from capplan.cost.figures import HOURS, MWH, ZERO, Amount, Figures, life_days, plus, valued
from capplan.cost.steps import Day, Deltas, counts, month_starts, pieces, sums
from capplan.energize import BatchResult
from capplan.model.decls import Model, RackType, Site, Step
from capplan.model.rules import CAUSES, Cause

YEAR_DAYS = 365


@dataclass
class Flows:
    """The step functions of one rack type at one site, as changes."""

    live: Deltas = field(default_factory=list)
    life: Deltas = field(default_factory=list)  # racks inside their whole days of life
    tails: list[tuple[Day, int]] = field(default_factory=list)  # racks on their fractional last day
    waits: dict[Cause, Deltas] = field(default_factory=lambda: {c: [] for c in CAUSES})


@dataclass(frozen=True)
class SiteCost:
    site: str
    total: Figures
    months: tuple[tuple[date, Figures], ...]  # first day of each calendar month, figures
    idle: dict[Cause, Amount]  # carrying cost by wait cause


def flows_by_site(model: Model, batches: Sequence[BatchResult]) -> dict[str, dict[str, Flows]]:
    """Per site and rack type, the changes of racks live, in life and waiting."""
    out: dict[str, dict[str, Flows]] = defaultdict(dict)
    whole: dict[str, tuple[int, bool]] = {}
    for name, rack in model.rack_types.items():
        days = life_days(rack.life)
        whole[name] = (floor(days), days != floor(days))
    for result in batches:
        lot = model.lots[result.batch.lot]
        by_type = out[lot.site]
        flows = by_type.get(lot.rack_type)
        if flows is None:
            flows = by_type[lot.rack_type] = Flows()
        span, partial = whole[lot.rack_type]
        for part in result.parts:
            flows.live.append((part.day, part.racks))
            flows.life.append((part.day, part.racks))
            flows.life.append((part.day + span, -part.racks))
            if partial:
                flows.tails.append((part.day + span, part.racks))
        for wait in result.waits:
            deltas = flows.waits[wait.cause]
            deltas.append((wait.first_day, wait.racks))
            deltas.append((wait.last_day_exclusive, -wait.racks))
    return out


def _levels_on(steps: tuple[Step, ...] | None, cuts: Sequence[Day]) -> list[Fraction | None]:
    """The level in force on each piece's first day; None before the first entry."""
    if steps is None:
        return [None] * (len(cuts) - 1)
    out: list[Fraction | None] = []
    index, level = 0, None
    for cut in cuts[:-1]:
        while index < len(steps) and steps[index].day.toordinal() <= cut:
            level = Fraction(steps[index].value)
            index += 1
        out.append(level)
    return out


@dataclass(frozen=True)
class _Rates:
    """What one rack-day of a rack type at a site is worth, exactly."""

    mwh: Fraction  # energy of a live rack-day: power x load x PUE x 24 h
    gpu_hours: int
    depreciation: Fraction | None  # per rack-day of life: price / life
    life_fraction: Fraction  # the part of a day on a rack's last, fractional day of life
    carrying: Fraction | None  # per waiting rack-day: price x capital_rate / 365


def _rates(site: Site, rack: RackType, capital_rate: Fraction) -> _Rates:
    days = life_days(rack.life)
    price = None if rack.price is None else Fraction(rack.price)
    return _Rates(
        mwh=Fraction(rack.power) * Fraction(rack.load) * Fraction(site.pue) * HOURS / MWH,
        gpu_hours=rack.gpus * HOURS,
        depreciation=None if price is None else price / days,
        life_fraction=days - floor(days),
        carrying=None if price is None else price * capital_rate / YEAR_DAYS,
    )


def site_cost(
    model: Model, site: Site, flows: dict[str, Flows], lo: Day, hi: Day, capital_rate: Fraction
) -> SiteCost:
    """The §7 sums of one site over the days [lo, hi), by calendar month and in total."""
    steps = (s.day.toordinal() for s in (site.energy_price or ()) + (site.carbon or ()))
    cuts = pieces(lo, hi, month_starts(lo, hi), steps)
    count = len(cuts) - 1
    prices = _levels_on(site.energy_price, cuts)
    carbon = _levels_on(site.carbon, cuts)
    energy = [Fraction(0)] * count
    gpu_hours = [0] * count
    depreciation: list[Amount] = [Fraction(0)] * count
    carrying: list[Amount] = [Fraction(0)] * count
    idle: dict[Cause, Amount] = dict.fromkeys(CAUSES, Fraction(0))
    for kind, flow in flows.items():
        rates = _rates(site, model.rack_types[kind], capital_rate)
        live = sums(flow.live, cuts)
        life = sums(flow.life, cuts)
        tails = counts(flow.tails, cuts)
        waiting = {cause: sums(deltas, cuts) for cause, deltas in flow.waits.items()}
        for j in range(count):
            energy[j] += live[j] * rates.mwh
            gpu_hours[j] += live[j] * rates.gpu_hours
            worn = life[j] + tails[j] * rates.life_fraction
            depreciation[j] = plus(depreciation[j], valued(worn, rates.depreciation))
            waited = sum(days[j] for days in waiting.values())
            carrying[j] = plus(carrying[j], valued(waited, rates.carrying))
        for cause, days in waiting.items():
            idle[cause] = plus(idle[cause], valued(sum(days), rates.carrying))
    months: dict[Day, Figures] = {}
    month = lo
    for j in range(count):
        if cuts[j] != lo and date.fromordinal(cuts[j]).day == 1:
            month = cuts[j]
        piece = Figures(
            energy_mwh=energy[j],
            energy_cost=valued(energy[j], prices[j]),
            carbon_t=valued(energy[j], _tonnes_per_mwh(carbon[j])),
            depreciation=depreciation[j],
            carrying=carrying[j],
            gpu_hours=gpu_hours[j],
        )
        months[month] = months[month] + piece if month in months else piece
    total = sum(months.values(), start=ZERO)
    first_days = tuple((date.fromordinal(day).replace(day=1), f) for day, f in months.items())
    return SiteCost(site.name, total, first_days, idle)


def _tonnes_per_mwh(intensity: Fraction | None) -> Fraction | None:
    """g/kWh = kg/MWh, so t per MWh is the intensity / 1000."""
    return None if intensity is None else intensity / 1000
