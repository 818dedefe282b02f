"""Each site's cost figures for the render context (docs/language.md §14, docs/cost.md)."""

from __future__ import annotations

from datetime import date

from capplan.cost import compute_costs
from capplan.cost.report import cost_figures, idle_amounts
from capplan.model.decls import Model
from capplan.render.context import SiteCost
from capplan.schedule import Schedule


def site_costs(model: Model, schedule: Schedule, at: date) -> dict[str, SiteCost]:
    """Per site: the figures from the plan start to `at`, and over the whole plan."""
    to_at = compute_costs(model, schedule, at)
    horizon = compute_costs(model, schedule)
    return {
        now.site: SiteCost(
            currency=model.currency,
            to_at=cost_figures(now.total),
            horizon=cost_figures(whole.total),
            idle_cost={str(c): v for c, v in idle_amounts(whole.idle).items()},
        )
        for now, whole in zip(to_at.sites, horizon.sites, strict=True)
    }
