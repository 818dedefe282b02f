"""The risk report: what `capplan risk` shows, from the samples, whatever the format.

Every figure is computed exactly from whole numbers (shares as fractions, ranks as
integers) and rounded once for display, so the bytes do not depend on how the
samples were split between workers, nor on the machine.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from fractions import Fraction
from typing import TypeVar

from pydantic import BaseModel, ConfigDict
from scipy.stats import rankdata

from capplan.checks.commitments import DueDate
from capplan.cost.figures import plus
from capplan.cost.report import MONEY, RATE, rounded
from capplan.model.decls import Commitment, Model
from capplan.risk.drivers import Driver
from capplan.risk.sample import SampleResult

RISK_FORMAT_VERSION = "1"
"""``format_version`` of the `risk --format json` document (docs/risk.md)."""


class Row(BaseModel):
    model_config = ConfigDict(frozen=True)


class DueRisk(Row):
    """One commitment date across the samples."""

    commitment: str
    customer: str | None
    day: date
    required: int  # GPUs, every commitment of the scope together
    nominal_live: int  # in the plan with every slip 0
    probability_met: float
    gpus_p10: int
    gpus_p50: int
    gpus_p90: int
    expected_shortfall: float  # mean over samples of max(0, required - live), GPUs


class LotRisk(Row):
    lot: str
    racks: int
    nominal_last_live: date | None
    last_live_p50: date | None  # None: at that rank, racks are not all live by the plan end
    last_live_p90: date | None
    probability_stranded: float


class DriverRisk(Row):
    driver: str  # `lot narvik_msft_t1 slip`
    kind: str
    name: str
    attribute: str
    distribution: str  # in days, `0 .. 14 .. 70 d`
    draw_p50_days: int
    draw_p90_days: int
    spearman: float | None  # with the fleet's short GPU-hours; None when either is constant


class Spread(Row):
    p10: int
    p50: int
    p90: int
    mean: float


class RevenueSpread(Row):
    """Revenue at risk, money to 2 decimals: the nominal plan's and two percentiles."""

    nominal: float | None = None
    p50: float | None = None
    p90: float | None = None


class RevenueRisk(Row):
    """One commitment's short GPU-hours at its price (docs/language.md §14), across samples."""

    commitment: str
    customer: str | None
    price: float | None = None  # per GPU-hour; None: every figure is absent
    nominal: float | None = None
    p50: float | None = None
    p90: float | None = None


class RevenueAtRisk(Row):
    currency: str | None
    fleet: RevenueSpread | None  # None: some commitment has no price
    commitments: list[RevenueRisk]


class RiskReport(Row):
    plan: str | None
    samples: int
    seed: int
    horizon: tuple[date, date]
    commitments: list[DueRisk]
    lots: list[LotRisk]
    drivers: list[DriverRisk]
    short_gpu_hours: Spread  # the fleet's total per sample (docs/language.md §14)
    nominal_short_gpu_hours: int
    network_failure_probability: float | None  # share of samples with an E500/E501 day
    revenue_at_risk: RevenueAtRisk | None  # None: no commitment has a price


def _known(values: Sequence[Fraction | None]) -> list[Fraction]:
    return [v for v in values if v is not None]


def _total(values: Sequence[Fraction | None]) -> Fraction | None:
    total: Fraction | None = Fraction(0)
    for value in values:
        total = plus(total, value)
    return total


def _money(value: Fraction | None) -> float | None:
    return None if value is None else rounded(value, MONEY)


def _revenue_row(
    commitment: Commitment, nominal: Fraction | None, values: Sequence[Fraction | None]
) -> RevenueRisk:
    """One commitment's revenue at risk; every figure absent without a price."""
    if commitment.price is None:
        return RevenueRisk(commitment=commitment.name, customer=commitment.customer)
    known = _known(values)  # a priced commitment's are never None
    return RevenueRisk(
        commitment=commitment.name,
        customer=commitment.customer,
        price=rounded(Fraction(commitment.price), RATE),
        nominal=_money(nominal),
        p50=_money(percentile(known, 50)),
        p90=_money(percentile(known, 90)),
    )


def revenue_at_risk(
    results: Sequence[SampleResult], nominal: SampleResult, model: Model
) -> RevenueAtRisk | None:
    """Per commitment and for the fleet, the P50 and P90 of revenue at risk over the samples.

    The fleet's is each sample's sum, so it is absent when a commitment has no price.
    """
    commitments = list(model.commitments.values())  # the order of `SampleResult.revenue`
    if all(c.price is None for c in commitments):
        return None
    rows = [
        _revenue_row(commitment, nominal.revenue[index], [r.revenue[index] for r in results])
        for index, commitment in enumerate(commitments)
    ]
    fleet = None
    if all(c.price is not None for c in commitments):
        totals = _known([_total(r.revenue) for r in results])
        fleet = RevenueSpread(
            nominal=_money(_total(nominal.revenue)),
            p50=_money(percentile(totals, 50)),
            p90=_money(percentile(totals, 90)),
        )
    return RevenueAtRisk(currency=model.currency, fleet=fleet, commitments=rows)


def rank_of(k: int, n: int) -> int:
    """The nearest rank of percentile k among n values: ⌈k × n / 100⌉ (at least 1)."""
    return max(1, -(-k * n // 100))


Exact = TypeVar("Exact", int, Fraction)


def percentile(values: Sequence[Exact], k: int) -> Exact:
    """Pk by the nearest-rank rule (docs/language.md §15) of exact numbers."""
    ordered = sorted(values)
    return ordered[rank_of(k, len(ordered)) - 1]


def percentile_day(days: Sequence[int | None], k: int) -> date | None:
    """Pk of go-live days, a lot that strands counting as later than any day."""
    never = date.max.toordinal() + 1
    value = percentile([never if d is None else d for d in days], k)
    return None if value == never else date.fromordinal(value)


def share(count: int, total: int, digits: int = 4) -> float:
    return float(round(Fraction(count, total), digits))


def mean(values: Sequence[int], digits: int = 2) -> float:
    return float(round(Fraction(sum(values), len(values)), digits))


def spearman(x: Sequence[int], y: Sequence[int]) -> float | None:
    """Spearman's rank correlation (average ranks for ties), computed exactly, then rounded.

    Twice the average ranks are whole numbers, so the Pearson correlation of the
    ranks is one exact integer ratio under a square root: the same float everywhere.
    """
    n = len(x)
    rx = [round(2 * float(r)) for r in rankdata(x)]
    ry = [round(2 * float(r)) for r in rankdata(y)]
    sxy = n * sum(a * b for a, b in zip(rx, ry, strict=True)) - sum(rx) * sum(ry)
    sxx = n * sum(a * a for a in rx) - sum(rx) ** 2
    syy = n * sum(b * b for b in ry) - sum(ry) ** 2
    if sxx == 0 or syy == 0:
        return None
    return round(sxy / math.sqrt(sxx * syy), 3)


def summarise(
    results: Sequence[SampleResult],
    nominal: SampleResult,
    dues: Sequence[DueDate],
    model: Model,
    drivers: Sequence[Driver],
    seed: int,
) -> RiskReport:
    """The report of N samples (in sample order) and of the nominal plan of `model`."""
    n = len(results)
    commitments = []
    for index, due in enumerate(dues):
        live = [r.live[index] for r in results]
        commitments.append(
            DueRisk(
                commitment=due.commitment.name,
                customer=due.commitment.customer,
                day=due.step.day,
                required=due.required,
                nominal_live=nominal.live[index],
                probability_met=share(sum(1 for g in live if g >= due.required), n),
                gpus_p10=percentile(live, 10),
                gpus_p50=percentile(live, 50),
                gpus_p90=percentile(live, 90),
                expected_shortfall=mean([max(0, due.required - g) for g in live]),
            )
        )
    lot_rows = []
    for index, lot in enumerate(model.lots.values()):
        last = [r.last_live[index] for r in results]
        nominal_last = nominal.last_live[index]
        lot_rows.append(
            LotRisk(
                lot=lot.name,
                racks=lot.racks,
                nominal_last_live=None if nominal_last is None else date.fromordinal(nominal_last),
                last_live_p50=percentile_day(last, 50),
                last_live_p90=percentile_day(last, 90),
                probability_stranded=share(sum(1 for d in last if d is None), n),
            )
        )
    short = [r.short_gpu_hours for r in results]
    ranked = []
    for index, driver in enumerate(drivers):
        drawn = [r.draws[index] for r in results]
        ranked.append(
            DriverRisk(
                driver=driver.label,
                kind=driver.kind,
                name=driver.name,
                attribute=driver.attribute,
                distribution=driver.written,
                draw_p50_days=percentile(drawn, 50),
                draw_p90_days=percentile(drawn, 90),
                spearman=spearman(drawn, short),
            )
        )
    # Largest correlation first; undefined ones last; ties keep declaration order.
    ranked.sort(key=lambda d: (d.spearman is None, -(d.spearman or 0.0)))
    failed = [r.network_failed for r in results]
    network = None if any(f is None for f in failed) else share(sum(map(bool, failed)), n)
    return RiskReport(
        plan=model.plan.name if model.plan is not None else None,
        samples=n,
        seed=seed,
        horizon=(model.start, model.end),
        commitments=commitments,
        lots=lot_rows,
        drivers=ranked,
        short_gpu_hours=Spread(
            p10=percentile(short, 10),
            p50=percentile(short, 50),
            p90=percentile(short, 90),
            mean=mean(short),
        ),
        nominal_short_gpu_hours=nominal.short_gpu_hours,
        network_failure_probability=network,
        revenue_at_risk=revenue_at_risk(results, nominal, model),
    )
