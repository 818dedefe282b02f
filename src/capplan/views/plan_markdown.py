"""`capplan plan --format markdown`: tables that render in a git forge."""

from __future__ import annotations

from capplan.numbers import count, percent, pue
from capplan.report import PlanReport
from capplan.views.cost import cost_markdown
from capplan.views.tables import (
    COMMITMENT_HEADERS,
    LINK_HEADERS,
    LOT_HEADERS,
    PROTECTION_HEADERS,
    STATE_HEADERS,
    TIMELINE_HEADERS,
    commitment_cells,
    condensed_timeline,
    idle_by_cause,
    link_cells,
    lot_cells,
    notable_lots,
    protection_cells,
    state_cells,
    timeline_cells,
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)
    return lines


def render_plan_markdown(report: PlanReport) -> str:
    name = report.plan or "plan"
    out = [
        f"# {name}",
        "",
        f"Horizon {report.start} to {report.end}."
        + (f" As of {report.as_of}." if report.as_of else ""),
        "",
        f"GPUs planned: {count(report.gpus_planned)}; live by {report.end}: "
        f"{count(report.gpus_live_at_end)}; stranded racks: {count(report.stranded_racks)}.",
        "",
    ]
    for site in report.sites:
        rows, monthly = condensed_timeline(site.timeline)
        out += [
            f"## Site {site.name}",
            "",
            f"PUE {pue(site.pue)}, reserve {percent(site.reserve)}, "
            f"{count(site.gpus_planned)} GPUs planned."
            + (" Last state of each month." if monthly else ""),
            "",
        ]
        out += _md_table(TIMELINE_HEADERS, [timeline_cells(r) for r in rows]) + [""]
    lots, hidden = notable_lots(report)
    out += ["## Lots", ""] + _md_table(LOT_HEADERS, [lot_cells(lot) for lot in lots]) + [""]
    if hidden:
        out += [f"{count(hidden)} more lots are live without waiting beyond install.", ""]
    if report.commitments:
        out += ["## Commitments", ""]
        out += _md_table(COMMITMENT_HEADERS, [commitment_cells(r) for r in report.commitments]) + [
            ""
        ]
    idle = idle_by_cause(report)
    out += ["## Idle GPU-days by cause", ""]
    out += (
        _md_table(["cause", "GPU-days"], [[c, count(d)] for c, d in idle.items()])
        if idle
        else ["None."]
    )
    out.append("")
    out += cost_markdown(report)
    if report.network is not None:
        network = report.network
        out += ["## Network", "", f"{network.days_checked} days checked.", ""]
        out += _md_table(LINK_HEADERS, [link_cells(link) for link in network.links]) + [""]
        if network.protection:
            out += ["### Protection", ""]
            out += _md_table(PROTECTION_HEADERS, [protection_cells(p) for p in network.protection])
            out.append("")
    if report.at is not None:
        at = report.at
        out += [f"## State on {at.day}", "", f"{count(at.gpus_live)} GPUs live.", ""]
        out += _md_table(STATE_HEADERS, [state_cells(s) for s in at.sites]) + [""]
    return "\n".join(out)
