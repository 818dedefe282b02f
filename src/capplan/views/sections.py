"""What a plan report says, section by section, as blocks (`views/document.py`).

A section is a function of the report returning its blocks; `SECTIONS` lists them
in reading order. A new section (cost, risk) is its own module with one such
function, added to `SECTIONS` with one line; every view that lays out blocks
shows it.
"""

from __future__ import annotations

from collections.abc import Callable

from capplan.numbers import count, percent, pue
from capplan.report import PlanReport
from capplan.views import tables as t
from capplan.views.cost import cost_section as cost
from capplan.views.document import Block, Heading, Para, Table

Section = Callable[[PlanReport], list[Block]]


def summary(report: PlanReport) -> list[Block]:
    title = f"{report.plan or 'plan'}  {report.start} .. {report.end}"
    if report.as_of:
        title += f"  (as of {report.as_of})"
    blocks: list[Block] = [
        Heading(title, 1),
        Para(
            f"GPUs planned {count(report.gpus_planned)}, "
            f"live by {report.end}: {count(report.gpus_live_at_end)}"
        ),
    ]
    if report.stranded_racks:
        blocks.append(Para(f"stranded racks: {count(report.stranded_racks)}", alert=True))
    return blocks


def sites(report: PlanReport) -> list[Block]:
    blocks: list[Block] = []
    for site in report.sites:
        rows, monthly = t.condensed_timeline(site.timeline)
        title = (
            f"site {site.name}: {count(site.gpus_planned)} GPUs planned, PUE {pue(site.pue)}, "
            f"reserve {percent(site.reserve)}" + (" (last state of each month)" if monthly else "")
        )
        blocks.append(Table(title, t.TIMELINE_HEADERS, [t.timeline_cells(r) for r in rows]))
        if site.hall_use:
            blocks.append(
                Table(
                    f"halls of {site.name} on {report.end}",
                    t.HALL_HEADERS,
                    [t.hall_cells(h) for h in site.hall_use],
                )
            )
    return blocks


def lots(report: PlanReport) -> list[Block]:
    shown, hidden = t.notable_lots(report)
    blocks: list[Block] = [
        Table("lots", t.LOT_HEADERS, [t.lot_cells(lot) for lot in shown], t.NUMERIC - {"live"})
    ]
    if hidden:
        blocks.append(
            Para(
                f"... {count(hidden)} more lots (all live, least idle); "
                "--format json lists every lot",
                note=True,
            )
        )
    return blocks


def commitments(report: PlanReport) -> list[Block]:
    if not report.commitments:
        return []
    rows = [t.commitment_cells(r) for r in report.commitments]
    return [Table("commitments", t.COMMITMENT_HEADERS, rows)]


def idle(report: PlanReport) -> list[Block]:
    causes = t.idle_by_cause(report)
    text = ", ".join(f"{c} {count(d)}" for c, d in causes.items()) if causes else "none"
    return [Para(f"idle GPU-days by cause: {text}")]


def network(report: PlanReport) -> list[Block]:
    if report.network is None:
        return []
    net = report.network
    blocks: list[Block] = [
        Table(
            f"network ({count(net.days_checked)} days checked)",
            t.LINK_HEADERS,
            [t.link_cells(link) for link in net.links],
        )
    ]
    if net.protection:
        rows = [t.protection_cells(p) for p in net.protection]
        blocks.append(Table("protection", t.PROTECTION_HEADERS, rows))
    return blocks


def state_on_day(report: PlanReport) -> list[Block]:
    if report.at is None:
        return []
    at = report.at
    title = f"state on {at.day}: {count(at.gpus_live)} GPUs live"
    return [Table(title, t.STATE_HEADERS, [t.state_cells(s) for s in at.sites])]


SECTIONS: list[Section] = [summary, sites, lots, commitments, idle, cost, network, state_on_day]
"""The plan's sections in reading order."""


def plan_blocks(report: PlanReport) -> list[Block]:
    return [block for section in SECTIONS for block in section(report)]
