"""A plan report narrowed to one site: what a site's plan page shows.

A site page is the fleet page's template over this selection, so both say the same
things in the same words (docs/render.md, "One plan, two selections"). Fleet-wide
figures are recomputed from what is kept, never copied: a site page's "GPUs planned"
is the site's.
"""

from __future__ import annotations

from collections import Counter

from capplan.cost.report import CostReport
from capplan.model.rules import Cause
from capplan.report import AtReport, NetworkReportView, PlanReport


def site_report(report: PlanReport, site: str) -> PlanReport:
    """The report of one site: its timeline, lots, commitments in scope, links that end there.

    A commitment pooled over several sites stays whole (its required and live figures are
    over its scope, which the table's scope column shows). Idle GPU-days are the sum of
    the site's lots (the fleet's figure is the sum over every lot, so the two agree).
    The cost section keeps the site's figures and the commitments kept.
    """
    sites = [s for s in report.sites if s.name == site]
    lots = [lot for lot in report.lots if lot.site == site]
    idle: Counter[Cause] = Counter(dict.fromkeys(report.idle_gpu_days, 0))
    for lot in lots:
        idle.update(lot.idle_gpu_days)
    commitments = [c for c in report.commitments if site in c.sites]
    return PlanReport(
        plan=report.plan,
        start=report.start,
        end=report.end,
        as_of=report.as_of,
        gpus_planned=sum(s.gpus_planned for s in sites),
        gpus_live_at_end=sum(s.gpus_live_at_end for s in sites),
        stranded_racks=sum(lot.stranded_racks for lot in lots),
        sites=sites,
        lots=lots,
        commitments=commitments,
        idle_gpu_days=dict(idle),
        network=_site_network(report.network, site),
        at=_site_state(report.at, site, {lot.name for lot in lots}),
        cost=_site_cost(report.cost, site, {c.commitment for c in commitments}),
    )


def _site_cost(cost: CostReport | None, site: str, commitments: set[str]) -> CostReport | None:
    """The cost section of one site: its figures stand for the selection's total.

    A pooled commitment's revenue at risk stays whole, as its row in the commitments
    table does; the totals add up the rows kept.
    """
    if cost is None:
        return None
    sites = [s for s in cost.sites if s.site == site]
    if not sites:
        return None
    rows = [c for c in cost.commitments if c.commitment in commitments]
    at_risk = [c.revenue_at_risk for c in rows]
    return cost.model_copy(
        update={
            "fleet": sites[0].totals,
            "idle_cost": sites[0].idle_cost,
            "short_gpu_hours": sum(c.short_gpu_hours for c in rows),
            "revenue_at_risk": None
            if any(r is None for r in at_risk)
            else sum(r for r in at_risk if r is not None),
            "sites": sites,
            "commitments": rows,
        }
    )


def _ends_at(end: str, site: str) -> bool:
    """A link end is a site, a hall of it (`site.hall`) or another node."""
    return end == site or end.startswith(f"{site}.")


def _site_network(network: NetworkReportView | None, site: str) -> NetworkReportView | None:
    if network is None:
        return None
    links = [link for link in network.links if _ends_at(link.a, site) or _ends_at(link.b, site)]
    if not links:
        return None
    names = {link.link for link in links}
    protection = [p for p in network.protection if p.worst_link in names]
    return NetworkReportView(days_checked=network.days_checked, links=links, protection=protection)


def _site_state(at: AtReport | None, site: str, lots: set[str]) -> AtReport | None:
    if at is None:
        return None
    sites = [s for s in at.sites if s.site == site]
    return AtReport(
        day=at.day,
        sites=sites,
        lots=[entry for entry in at.lots if entry[0] in lots],
        gpus_live=sum(s.gpus for s in sites),
    )
