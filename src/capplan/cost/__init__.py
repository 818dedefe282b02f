"""Energy, cost and carbon of a schedule (docs/language.md §14), exactly.

`compute_costs(model, schedule, until)` sums, from the plan start to `until`
(default the plan end), per site and for the fleet: energy, energy cost,
carbon, depreciation, carrying cost of waiting racks and GPU-hours live, the
carrying cost by wait cause, and per commitment its short GPU-hours and
revenue at risk. Figures are exact `Fraction`s (None: an input is missing);
rounding is the views' business. None of this changes any check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from capplan.cost.commitments import CommitmentCost, commitment_costs, live_gpus, short_gpu_hours
from capplan.cost.figures import ZERO, Amount, Figures, plus
from capplan.cost.sites import SiteCost, flows_by_site, site_cost
from capplan.model.decls import Model
from capplan.model.rules import CAUSES, Cause
from capplan.schedule import Schedule

__all__ = [
    "Amount",
    "CommitmentCost",
    "Costs",
    "Figures",
    "SiteCost",
    "compute_costs",
    "short_gpu_hours_by_commitment",
]


@dataclass(frozen=True)
class Costs:
    currency: str | None  # None: the model gives no money figure
    first: date
    last: date  # included
    capital_rate: Fraction
    sites: tuple[SiteCost, ...]
    fleet: Figures
    idle: dict[Cause, Amount]  # the fleet's carrying cost by wait cause
    commitments: tuple[CommitmentCost, ...]

    @property
    def short_gpu_hours(self) -> Fraction:
        """The fleet's short GPU-hours: every commitment's, added up."""
        return sum((c.short_gpu_hours for c in self.commitments), start=Fraction(0))

    @property
    def revenue_at_risk(self) -> Amount:
        """The fleet's revenue at risk; absent when a commitment's is."""
        total: Amount = Fraction(0)
        for c in self.commitments:
            total = plus(total, c.revenue_at_risk)
        return total


def _days(model: Model, until: date | None) -> tuple[int, int]:
    """[lo, hi) in ordinals: the plan start to `until` (capped at the plan end), included."""
    last = model.end if until is None else min(until, model.end)
    return model.start.toordinal(), last.toordinal() + 1


def compute_costs(model: Model, schedule: Schedule, until: date | None = None) -> Costs:
    """The §7 figures of a scheduled model, over the plan start to `until` (or its end)."""
    lo, hi = _days(model, until)
    rate = Fraction(model.plan.capital_rate) if model.plan else Fraction(0)
    batches = schedule.result.batches
    flows = flows_by_site(model, batches)
    sites = tuple(
        site_cost(model, site, flows.get(site.name, {}), lo, hi, rate)
        for site in model.sites.values()
    )
    idle: dict[Cause, Amount] = dict.fromkeys(CAUSES, Fraction(0))
    for site in sites:
        for cause in CAUSES:
            idle[cause] = plus(idle[cause], site.idle[cause])
    short = short_gpu_hours(model, live_gpus(model, batches), lo, hi)
    return Costs(
        currency=model.currency,
        first=date.fromordinal(lo),
        last=date.fromordinal(hi - 1),
        capital_rate=rate,
        sites=sites,
        fleet=sum((s.total for s in sites), start=ZERO),
        idle=idle,
        commitments=commitment_costs(short, model),
    )


def short_gpu_hours_by_commitment(
    model: Model, schedule: Schedule, until: date | None = None
) -> dict[str, Fraction]:
    """Each commitment's short GPU-hours (§7), exact, from the plan start to `until`."""
    lo, hi = _days(model, until)
    return short_gpu_hours(model, live_gpus(model, schedule.result.batches), lo, hi)
