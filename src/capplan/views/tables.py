"""Table rows shared by the text and Markdown views, so both show the same columns."""

from __future__ import annotations

from capplan.model.addr import destination
from capplan.model.rules import CAUSE_LABELS, beyond_install
from capplan.numbers import count, gbps, mw, percent
from capplan.report import (
    CommitmentRow,
    HallRow,
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
HALL_HEADERS = [
    "hall",
    "cooling",
    "positions",
    "used",
    "free",
    "IT MW",
    "hall MW",
    "headroom MW",
]
NUMERIC = frozenset(
    {*TIMELINE_HEADERS[1:], *HALL_HEADERS[2:], *LOT_HEADERS[2:4], *LOT_HEADERS[6:8]}
    | {"required", "live", "capacity Gbps", "peak use", "headroom Gbps", "load after loss"}
)
"""Columns of figures: right-aligned, never wrapped. The lots table's `live` is a date
range: its table says so (`NUMERIC - {"live"}`)."""


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
        count(row.racks),
        count(row.gpus),
        mw(row.it_mw),
        mw(row.facility_mw),
        mw(row.envelope_mw),
        mw(row.usable_mw),
        mw(row.headroom_mw),
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
        count(lot.racks),
        count(lot.gpus),
        arrives,
        live,
        count(lot.stranded_racks) if lot.stranded_racks else "",
        count(idle) if idle else "",
        CAUSE_LABELS[lot.main_cause] if lot.main_cause else "",
    ]


def _waited(lot: LotReport) -> int:
    """GPU-days a lot waited beyond install (the lots table's figure, as W302's)."""
    return sum(beyond_install(lot.idle_gpu_days).values())


def idle_by_cause(report: PlanReport) -> dict[str, int]:
    """The fleet's idle GPU-days by cause label, causes that cost nothing left out."""
    return {CAUSE_LABELS[c]: d for c, d in report.idle_gpu_days.items() if d}


def hall_cells(row: HallRow) -> list[str]:
    """One hall's use on the plan end, under ``HALL_HEADERS``."""
    return [
        row.hall,
        row.cooling,
        count(row.positions),
        count(row.racks_live),
        count(row.positions_free),
        mw(row.it_mw),
        mw(row.power_mw) if row.power_mw is not None else "-",
        mw(row.headroom_mw) if row.headroom_mw is not None else "-",
    ]


def commitment_cells(row: CommitmentRow) -> list[str]:
    scope = ", ".join(row.sites) + (f" ({row.rack_type})" if row.rack_type else "")
    status = "met" if row.met else f"SHORT {count(row.shortfall)}"
    return [
        row.commitment,
        row.customer or "",
        scope,
        str(row.day),
        count(row.required),
        count(row.live),
        status,
    ]


def state_cells(state: SiteState) -> list[str]:
    """One site's state on the `--at` day, under ``STATE_HEADERS``."""
    return [
        state.site,
        count(state.racks),
        count(state.gpus),
        mw(state.it_mw),
        mw(state.facility_mw),
        mw(state.envelope_mw),
        mw(state.usable_mw),
        mw(state.headroom_mw),
    ]


def link_cells(link: LinkRow) -> list[str]:
    return [
        link.link,
        f"{link.a} - {link.b}",
        gbps(link.capacity_gbps),
        percent(link.peak_utilisation),
        str(link.peak_day or "-"),
        gbps(link.headroom_gbps),
    ]


def protection_cells(row: ProtectionRow) -> list[str]:
    if row.congestion_after_loss is not None:
        load = percent(row.congestion_after_loss)
    else:
        load = "disconnected" if row.worst_link else "-"
    return [row.flow, row.worst_link or "-", str(row.day or "-"), load]
