"""`capplan plan` as rich tables for a terminal (stays readable at 100,000 GPUs)."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from capplan.report import PlanReport
from capplan.views.tables import (
    COMMITMENT_HEADERS,
    HALL_HEADERS,
    LINK_HEADERS,
    LOT_HEADERS,
    PROTECTION_HEADERS,
    STATE_HEADERS,
    TIMELINE_HEADERS,
    commitment_cells,
    condensed_timeline,
    hall_cells,
    idle_by_cause,
    link_cells,
    lot_cells,
    notable_lots,
    protection_cells,
    state_cells,
    timeline_cells,
)

NUMERIC = {
    "racks",
    "GPUs",
    "GPUs live",
    "IT MW",
    "facility MW",
    "envelope MW",
    "usable MW",
    "headroom MW",
    "required",
    "live",
    "stranded",
    "idle GPU-days",
    "capacity Gbps",
    "peak use",
    "headroom Gbps",
}


def _table(title: str, headers: list[str], rows: list[list[str]]) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False)
    for header in headers:
        numeric = header in NUMERIC
        table.add_column(header, justify="right" if numeric else "left", no_wrap=numeric)
    for row in rows:
        table.add_row(*row)
    return table


def render_plan_text(report: PlanReport, width: int | None = None, color: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width or 120,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
    )
    name = report.plan or "plan"
    console.print(
        f"[bold]{name}[/bold]  {report.start} .. {report.end}"
        + (f"  (as of {report.as_of})" if report.as_of else "")
    )
    console.print(
        f"GPUs planned {report.gpus_planned:,}, live by {report.end}: {report.gpus_live_at_end:,}"
        + (f", stranded racks: {report.stranded_racks:,}" if report.stranded_racks else "")
    )
    for site in report.sites:
        rows, monthly = condensed_timeline(site.timeline)
        title = (
            f"site {site.name}: {site.gpus_planned:,} GPUs planned, PUE {site.pue:g}, "
            f"reserve {site.reserve * 100:g}%" + (" (last state of each month)" if monthly else "")
        )
        console.print()
        console.print(_table(title, TIMELINE_HEADERS, [timeline_cells(r) for r in rows]))
        halls = f"halls of {site.name} on {report.end}"
        console.print(_table(halls, HALL_HEADERS, [hall_cells(h) for h in site.hall_use]))
    lots, hidden = notable_lots(report)
    console.print()
    console.print(_table("lots", LOT_HEADERS, [lot_cells(lot) for lot in lots]))
    if hidden:
        console.print(
            f"... {hidden:,} more lots (all live, least idle); --format json lists every lot"
        )
    if report.commitments:
        console.print()
        console.print(
            _table(
                "commitments", COMMITMENT_HEADERS, [commitment_cells(r) for r in report.commitments]
            )
        )
    idle = idle_by_cause(report)
    console.print()
    if idle:
        console.print("idle GPU-days by cause: " + ", ".join(f"{c} {d:,}" for c, d in idle.items()))
    else:
        console.print("idle GPU-days by cause: none")
    if report.network is not None:
        _network(console, report)
    if report.at is not None:
        _at(console, report)
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def _network(console: Console, report: PlanReport) -> None:
    network = report.network
    assert network is not None
    rows = [link_cells(link) for link in network.links]
    console.print()
    console.print(_table(f"network ({network.days_checked} days checked)", LINK_HEADERS, rows))
    if network.protection:
        protection = [protection_cells(p) for p in network.protection]
        console.print(_table("protection", PROTECTION_HEADERS, protection))


def _at(console: Console, report: PlanReport) -> None:
    at = report.at
    assert at is not None
    rows = [state_cells(s) for s in at.sites]
    console.print()
    console.print(_table(f"state on {at.day}: {at.gpus_live:,} GPUs live", STATE_HEADERS, rows))
