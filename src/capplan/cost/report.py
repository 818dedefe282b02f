"""The cost section of the plan report: the exact figures, rounded once for display.

Money is rounded to 2 decimals, energy, carbon and GPU-hours short to 3, cost
per GPU-hour to 4 (a price, like the `price` it is compared with), half up. A
figure whose inputs are missing stays None (null in JSON), never 0.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from pydantic import BaseModel, ConfigDict

from capplan.cost import Amount, Costs, Figures, compute_costs
from capplan.model.decls import Model
from capplan.model.rules import Cause
from capplan.schedule import Schedule

MONEY, QUANTITY, RATE = 2, 3, 4


def rounded(value: Fraction | int, digits: int) -> float:
    """``value`` rounded half up to ``digits`` decimals (figures are never negative).

    Integer arithmetic on the numerator and denominator: a plan report rounds
    thousands of figures, and building Fractions for each would dominate.
    """
    if isinstance(value, int):
        return float(value)
    numerator, denominator = value.numerator * 10**digits, value.denominator
    units = (2 * numerator + denominator) // (2 * denominator)  # floor(x + 1/2)
    return float(Decimal(units).scaleb(-digits))


def _maybe(value: Amount, digits: int) -> float | None:
    return None if value is None else rounded(value, digits)


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True)


class CostFigures(_Row):
    energy_mwh: float
    energy_cost: float | None
    carbon_t: float | None
    depreciation: float | None
    carrying_cost: float | None
    total_cost: float | None  # energy cost + depreciation + carrying cost
    gpu_hours: int
    cost_per_gpu_hour: float | None  # total cost / GPU-hours


class _Month(_Row):
    month: str  # "2026-01": the calendar month (its days inside the range)


class MonthCost(CostFigures, _Month):
    """One calendar month's figures (`month` first in JSON: bases add fields in reverse)."""


class SiteCostReport(_Row):
    site: str
    totals: CostFigures
    idle_cost: dict[Cause, float | None]  # carrying cost by wait cause
    monthly: list[MonthCost]
    # The first month the series leaves out (it covers 1,200 months); null when it is whole.
    monthly_ends: str | None


class CommitmentCostRow(_Row):
    commitment: str
    customer: str | None
    price: float | None  # per GPU-hour
    short_gpu_hours: float
    revenue_at_risk: float | None


class CostReport(_Row):
    currency: str | None
    start: date
    end: date  # the last day counted: the plan end, or the `--at` day
    capital_rate: float
    fleet: CostFigures
    idle_cost: dict[Cause, float | None]
    short_gpu_hours: float  # every commitment's, added up
    revenue_at_risk: float | None  # every commitment's; absent when one is
    sites: list[SiteCostReport]
    commitments: list[CommitmentCostRow]


def cost_figures(f: Figures) -> CostFigures:
    """Exact figures, rounded for display."""
    return CostFigures(
        energy_mwh=rounded(f.energy_mwh, QUANTITY),
        energy_cost=_maybe(f.energy_cost, MONEY),
        carbon_t=_maybe(f.carbon_t, QUANTITY),
        depreciation=_maybe(f.depreciation, MONEY),
        carrying_cost=_maybe(f.carrying, MONEY),
        total_cost=_maybe(f.cost, MONEY),
        gpu_hours=f.gpu_hours,
        cost_per_gpu_hour=_maybe(f.cost_per_gpu_hour, RATE),
    )


def month_cost(first: date, f: Figures) -> MonthCost:
    """One calendar month's figures, named by its first day."""
    return MonthCost(month=f"{first:%Y-%m}", **cost_figures(f).model_dump())


def idle_amounts(idle: dict[Cause, Amount]) -> dict[Cause, float | None]:
    """Carrying cost by cause, rounded as money."""
    return {cause: _maybe(amount, MONEY) for cause, amount in idle.items()}


def cost_report(costs: Costs, model: Model) -> CostReport:
    return CostReport(
        currency=costs.currency,
        start=costs.first,
        end=costs.last,
        capital_rate=float(costs.capital_rate),
        fleet=cost_figures(costs.fleet),
        idle_cost=idle_amounts(costs.idle),
        short_gpu_hours=rounded(costs.short_gpu_hours, QUANTITY),
        revenue_at_risk=_maybe(costs.revenue_at_risk, MONEY),
        sites=[
            SiteCostReport(
                site=site.site,
                totals=cost_figures(site.total),
                idle_cost=idle_amounts(site.idle),
                monthly=[month_cost(day, f) for day, f in site.months],
                monthly_ends=None if site.series_end is None else f"{site.series_end:%Y-%m}",
            )
            for site in costs.sites
        ],
        commitments=[
            CommitmentCostRow(
                commitment=row.commitment,
                customer=model.commitments[row.commitment].customer,
                price=_maybe(_price(model, row.commitment), RATE),
                short_gpu_hours=rounded(row.short_gpu_hours, QUANTITY),
                revenue_at_risk=_maybe(row.revenue_at_risk, MONEY),
            )
            for row in costs.commitments
        ],
    )


def _price(model: Model, name: str) -> Fraction | None:
    price = model.commitments[name].price
    return None if price is None else Fraction(price)


def build_cost_report(model: Model, schedule: Schedule, until: date | None = None) -> CostReport:
    """The cost section of `plan`: figures from the plan start to `until` (or the end)."""
    return cost_report(compute_costs(model, schedule, until), model)
