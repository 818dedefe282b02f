"""Table rows shared by the text and Markdown views, so both show the same columns."""

from __future__ import annotations

from capplan.model.addr import destination
from capplan.model.rules import CAUSE_LABELS, beyond_install
from capplan.report import (
    CommitmentRow,
    LinkRow,
    LotReport,
    PlanReport,
    ProtectionRow,
    SiteState,
    TimelineRow,
)

MAX_TIMELINE_ROWS = 40
MAX_LOT_ROWS = 30

TIMELINE_HEADERS = [
    "date",
    "racks",
    "GPUs live",
    "IT MW",
    "facility MW",
    "envelope MW",
    "usable MW",
    "headroom MW",
]
LOT_HEADERS = [
    "lot",
    "to",
    "racks",
    "GPUs",
    "arrives",
    "live",
    "stranded",
    "idle GPU-days",
    "cause",
]
COMMITMENT_HEADERS = ["commitment", "customer", "scope", "date", "required", "live", "status"]
LINK_HEADERS = ["link", "ends", "capacity Gbps", "peak use", "peak day", "headroom Gbps"]
PROTECTION_HEADERS = ["protected flow", "worst single loss", "day", "load after loss"]
STATE_HEADERS = ["site", *TIMELINE_HEADERS[1:]]


def _num(value: float) -> str:
    return f"{value:,.3f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"


def condensed_timeline(rows: list[TimelineRow]) -> tuple[list[TimelineRow], bool]:
    """At most MAX_TIMELINE_ROWS rows: beyond that, the last state of each month."""
    if len(rows) <= MAX_TIMELINE_ROWS:
        return rows, False
    by_month: dict[tuple[int, int], TimelineRow] = {}
    for row in rows:
        by_month[(row.day.year, row.day.month)] = row
    return list(by_month.values()), True


def timeline_cells(row: TimelineRow) -> list[str]:
    return [
        str(row.day),
        f"{row.racks:,}",
        f"{row.gpus:,}",
        _num(row.it_mw),
        _num(row.facility_mw),
        _num(row.envelope_mw),
        _num(row.usable_mw),
        _num(row.headroom_mw),
    ]


def notable_lots(report: PlanReport) -> tuple[list[LotReport], int]:
    """Lots worth a planner's eye first: stranded, then most idle; capped for big fleets."""
    lots = sorted(
        report.lots,
        key=lambda lot: (-lot.stranded_racks, -_waited(lot), lot.name),
    )
    if len(lots) <= MAX_LOT_ROWS:
        return list(report.lots), 0
    return lots[:MAX_LOT_ROWS], len(lots) - MAX_LOT_ROWS


def lot_cells(lot: LotReport) -> list[str]:
    arrivals = lot.arrivals
    arrives = (
        str(arrivals[0][0])
        if len(arrivals) == 1
        else f"{arrivals[0][0]} .. {arrivals[-1][0]} ({len(arrivals)})"
    )
    if lot.first_live is None:
        live = "-"
    elif lot.first_live == lot.last_live:
        live = str(lot.first_live)
    else:
        live = f"{lot.first_live} .. {lot.last_live}"
    idle = _waited(lot)
    return [
        lot.name,
        destination(lot.site, lot.hall),
        f"{lot.racks:,}",
        f"{lot.gpus:,}",
        arrives,
        live,
        f"{lot.stranded_racks:,}" if lot.stranded_racks else "",
        f"{idle:,}" if idle else "",
        CAUSE_LABELS[lot.main_cause] if lot.main_cause else "",
    ]


def _waited(lot: LotReport) -> int:
    """GPU-days a lot waited beyond install (the lots table's figure, as W302's)."""
    return sum(beyond_install(lot.idle_gpu_days).values())


def idle_by_cause(report: PlanReport) -> dict[str, int]:
    """The fleet's idle GPU-days by cause label, causes that cost nothing left out."""
    return {CAUSE_LABELS[c]: d for c, d in report.idle_gpu_days.items() if d}


def commitment_cells(row: CommitmentRow) -> list[str]:
    scope = ", ".join(row.sites) + (f" ({row.rack_type})" if row.rack_type else "")
    status = "met" if row.met else f"SHORT {row.shortfall:,}"
    return [
        row.commitment,
        row.customer or "",
        scope,
        str(row.day),
        f"{row.required:,}",
        f"{row.live:,}",
        status,
    ]


def state_cells(state: SiteState) -> list[str]:
    """One site's state on the `--at` day, under ``STATE_HEADERS``."""
    return [
        state.site,
        f"{state.racks:,}",
        f"{state.gpus:,}",
        f"{state.it_mw:,.3f}",
        f"{state.facility_mw:,.3f}",
        f"{state.envelope_mw:,.3f}",
        f"{state.usable_mw:,.3f}",
        f"{state.headroom_mw:,.3f}",
    ]


def link_cells(link: LinkRow) -> list[str]:
    return [
        link.link,
        f"{link.a} - {link.b}",
        f"{link.capacity_gbps:,.0f}",
        f"{link.peak_utilisation:.1%}",
        str(link.peak_day or "-"),
        f"{link.headroom_gbps:,.0f}",
    ]


def protection_cells(row: ProtectionRow) -> list[str]:
    if row.congestion_after_loss is not None:
        load = f"{row.congestion_after_loss:.0%}"
    else:
        load = "disconnected" if row.worst_link else "-"
    return [row.flow, row.worst_link or "-", str(row.day or "-"), load]
