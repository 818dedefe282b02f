"""The cost part of a diff: the fleet's §7 figures old → new (docs/cost.md, docs/diff.md).

Both sides' figures come from the plan report's cost section, so `diff` shows
exactly what `plan` prints for each side. Only the figures that moved are
listed; a figure absent on a side (its inputs missing) reads as absent.
"""

from __future__ import annotations

from capplan.cost.report import CostReport
from capplan.diff.report import CostChange, CostDiff
from capplan.diff.summary import signed
from capplan.numbers import fixed
from capplan.report import PlanReport

FIGURES: tuple[tuple[str, str, int], ...] = (
    # (field, label, decimals shown in text and Markdown)
    ("energy_mwh", "energy (MWh)", 1),
    ("energy_cost", "energy cost", 0),
    ("carbon_t", "carbon (t CO2)", 1),
    ("depreciation", "depreciation", 0),
    ("carrying_cost", "carrying cost of waiting racks", 0),
    ("total_cost", "total cost", 0),
    ("gpu_hours", "GPU-hours live", 0),
    ("cost_per_gpu_hour", "cost per GPU-hour", 4),
    ("short_gpu_hours", "short GPU-hours", 0),
    ("revenue_at_risk", "revenue at risk", 0),
)
DECIMALS = {field: decimals for field, _, decimals in FIGURES}
LABELS = {field: label for field, label, _ in FIGURES}


def _values(cost: CostReport) -> dict[str, float | None]:
    fleet = cost.fleet.model_dump()
    fleet["short_gpu_hours"] = cost.short_gpu_hours
    fleet["revenue_at_risk"] = cost.revenue_at_risk
    return {field: None if fleet[field] is None else float(fleet[field]) for field, _, _ in FIGURES}


def cost_diff(old: PlanReport | None, new: PlanReport | None) -> CostDiff | None:
    """The fleet figures that differ between the sides; None unless both were planned."""
    if old is None or new is None or old.cost is None or new.cost is None:
        return None
    before, after = _values(old.cost), _values(new.cost)
    rows = [
        CostChange(
            figure=field,
            old=before[field],
            new=after[field],
            change=None
            if before[field] is None or after[field] is None
            else round(after[field] - before[field], max(DECIMALS[field], 2)),  # type: ignore[operator]
        )
        for field, _, _ in FIGURES
        if before[field] != after[field]
    ]
    return CostDiff(currency=new.cost.currency or old.cost.currency, rows=rows)


def cost_rows(cost: CostDiff | None) -> list[tuple[str, str, str, str]]:
    """Rows (figure, old, new, change) for the text and Markdown `Cost` section."""
    if cost is None:
        return []
    return [
        (
            LABELS[row.figure],
            _shown(row.old, DECIMALS[row.figure]),
            _shown(row.new, DECIMALS[row.figure]),
            "" if row.change is None else signed(round(row.change, DECIMALS[row.figure])),
        )
        for row in cost.rows
    ]


def _shown(value: float | None, decimals: int) -> str:
    return "\u2014" if value is None else fixed(value, decimals)
