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
from math import floor, lcm

from capplan.cost.figures import HOURS, MWH, Amount, Figures, life_days
from capplan.cost.steps import Day, Deltas, counts, month_starts, pieces, sums
from capplan.energize import BatchResult
from capplan.model.decls import Model, Site, Step
from capplan.model.rules import CAUSES, Cause, levels_on

YEAR_DAYS = 365
# The monthly series covers the first hundred years of a plan (docs/cost.md): a horizon
# that runs to 9999-12-31 would otherwise make 96,000 months a site, 1.9 GB and 24 s for
# a 23 KB file. The totals still cover every day.
SERIES_MONTHS = 1200


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
    series_end: date | None  # the first day the monthly series leaves out, when it stops early
    idle: dict[Cause, Amount]  # carrying cost by wait cause


def series_stop(lo: Day, hi: Day) -> Day:
    """The day the monthly series stops: SERIES_MONTHS calendar months from lo's, or hi."""
    first = date.fromordinal(lo)
    index = first.year * 12 + first.month - 1 + SERIES_MONTHS
    year = index // 12
    if year > date.max.year:
        return hi
    return min(hi, date(year, index % 12 + 1, 1).toordinal())


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
    exact = [(step.day.toordinal(), Fraction(step.value)) for step in steps]
    return levels_on(exact, cuts[:-1], None)


def _common(rates: Sequence[Fraction | None]) -> tuple[int, list[int | None]]:
    """Exact rates as integers over one denominator, so that sums stay integer sums."""
    denominator = lcm(1, *(r.denominator for r in rates if r is not None))
    return denominator, [None if r is None else int(r * denominator) for r in rates]


@dataclass
class _Sum:
    """An exact sum kept as an integer numerator (over a denominator known to the caller)
    and whether some quantity in it had no rate (then the sum is absent)."""

    value: int = 0
    missing: bool = False

    def add(self, quantity: int, rate: int | None) -> None:
        if quantity:
            if rate is None:
                self.missing = True
            else:
                self.value += quantity * rate

    def over(self, denominator: int) -> Amount:
        return None if self.missing else Fraction(self.value, denominator)


@dataclass
class _Month:
    energy: _Sum = field(default_factory=_Sum)  # over E
    energy_cost: _Sum = field(default_factory=_Sum)  # over E x P
    carbon: _Sum = field(default_factory=_Sum)  # over E x K
    depreciation: _Sum = field(default_factory=_Sum)  # over D
    carrying: _Sum = field(default_factory=_Sum)  # over C
    gpu_hours: int = 0


def site_cost(
    model: Model, site: Site, flows: dict[str, Flows], lo: Day, hi: Day, capital_rate: Fraction
) -> SiteCost:
    """The §7 sums of one site over the days [lo, hi), by calendar month and in total.

    Every rate is an exact rational; with one common denominator per figure the
    sums over pieces and rack types are integer sums, divided once per month.
    """
    steps = (s.day.toordinal() for s in (site.energy_price or ()) + (site.carbon or ()))
    stop = series_stop(lo, hi)
    cuts = pieces(lo, hi, month_starts(lo, stop), [stop], steps)
    count = len(cuts) - 1
    month_of: list[int] = []  # the index of each piece's calendar month; past `stop`, the rest
    firsts: list[Day] = []
    for cut in cuts[:-1]:
        if cut < stop and (not firsts or date.fromordinal(cut).day == 1):
            firsts.append(cut)
        month_of.append(len(firsts) - 1 if cut < stop else len(firsts))
    price_d, prices = _common(_levels_on(site.energy_price, cuts))
    carbon_d, carbon = _common(
        [None if c is None else c / 1000 for c in _levels_on(site.carbon, cuts)]
    )  # g/kWh = kg/MWh: t per MWh is the intensity / 1000
    kinds = list(flows)
    racks = [model.rack_types[kind] for kind in kinds]
    pue = Fraction(site.pue)
    energy_d, energy_r = _common(
        [Fraction(r.power) * Fraction(r.load) * pue * HOURS / MWH for r in racks]
    )
    lives = [life_days(r.life) for r in racks]
    prices_r = [None if r.price is None else Fraction(r.price) for r in racks]
    worn_d, worn_r = _common(
        [None if p is None else p / days for p, days in zip(prices_r, lives, strict=True)]
        + [
            None if p is None else p / days * (days - floor(days))
            for p, days in zip(prices_r, lives, strict=True)
        ]
    )
    carry_d, carry_r = _common(
        [None if p is None else p * capital_rate / YEAR_DAYS for p in prices_r]
    )
    months = [_Month() for _ in range(len(firsts) + 1)]  # the last: the days past the series
    idle = {cause: _Sum() for cause in CAUSES}
    for i, kind in enumerate(kinds):
        flow = flows[kind]
        live = sums(flow.live, cuts)
        life = sums(flow.life, cuts)
        tails = counts(flow.tails, cuts)
        waiting = {cause: sums(deltas, cuts) for cause, deltas in flow.waits.items()}
        waited = [sum(days) for days in zip(*waiting.values(), strict=True)]
        gpu_hours = racks[i].gpus * HOURS
        tail_rate = worn_r[len(kinds) + i]
        energy_rate = energy_r[i] or 0  # every rack type has a power: never None
        for j in range(count):
            month = months[month_of[j]]
            energy = live[j] * energy_rate
            month.energy.value += energy
            month.energy_cost.add(energy, prices[j])
            month.carbon.add(energy, carbon[j])
            month.gpu_hours += live[j] * gpu_hours
            month.depreciation.add(life[j], worn_r[i])
            month.depreciation.add(tails[j], tail_rate)
            month.carrying.add(waited[j], carry_r[i])
        for cause, days in waiting.items():
            idle[cause].add(sum(days), carry_r[i])
    total = _Month()
    for month in months:
        for name in ("energy", "energy_cost", "carbon", "depreciation", "carrying"):
            part, whole = getattr(month, name), getattr(total, name)
            whole.value += part.value
            whole.missing |= part.missing
        total.gpu_hours += month.gpu_hours
    denominators = (energy_d, energy_d * price_d, energy_d * carbon_d, worn_d, carry_d)

    def figures(m: _Month) -> Figures:
        e, ec, co, de, ca = denominators
        return Figures(
            energy_mwh=Fraction(m.energy.value, e),
            energy_cost=m.energy_cost.over(ec),
            carbon_t=m.carbon.over(co),
            depreciation=m.depreciation.over(de),
            carrying=m.carrying.over(ca),
            gpu_hours=m.gpu_hours,
        )

    return SiteCost(
        site.name,
        figures(total),
        tuple(
            (date.fromordinal(first).replace(day=1), figures(m))
            for first, m in zip(firsts, months[:-1], strict=True)
        ),
        date.fromordinal(stop) if stop < hi else None,
        {cause: total_.over(carry_d) for cause, total_ in idle.items()},
    )
