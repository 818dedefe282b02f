"""The data rows the plan's charts draw, read from the plan report alone.

Each function returns the points or names of one chart's layer as plain JSON-able
values (charts/specs.py wraps them in Vega-Lite), so a test can check a chart's data
against the plan JSON without reading its styling. Steps hold to the plan end: a
level's last row is repeated on the end day.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from capplan.model.rules import value_in_force
from capplan.numbers import percent
from capplan.report import LinkRow, LotReport, PlanReport, SiteReport, TimelineRow


def iso_day(value: date) -> str:
    """A day on the charts' time axis (a date, read as UTC midnight by Vega-Lite)."""
    return value.isoformat()


def _hold_to_end(rows: list[TimelineRow], end: date) -> list[TimelineRow]:
    """The timeline with its last state repeated on the plan end (steps hold to the end)."""
    if rows and rows[-1].day < end:
        return [*rows, rows[-1].model_copy(update={"day": end})]
    return rows


FACILITY = "facility power (IT x PUE)"


ENVELOPE = "grid envelope"


ENVELOPE_IS_USABLE = "grid envelope = usable (no reserve)"


def no_reserve(site: SiteReport) -> bool:
    """Whether the usable envelope is the grid envelope on every day (a 0 % reserve): then
    one line is drawn for both, since the usable one would hide the other exactly."""
    return all(row.usable_mw == row.envelope_mw for row in site.timeline)


def power_names(site: SiteReport) -> list[str]:
    """The power chart's series, as its legend names them."""
    if no_reserve(site):
        return [FACILITY, ENVELOPE_IS_USABLE]
    return [FACILITY, ENVELOPE, f"usable envelope (reserve {site.reserve * 100:g}%)"]


def power_series(site: SiteReport, end: date) -> list[dict[str, Any]]:
    """The points of a site's power chart: facility power, envelope, usable envelope (one
    line for both envelopes where there is no reserve)."""
    names = power_names(site)
    points: list[dict[str, Any]] = []
    for row in _hold_to_end(site.timeline, end):
        levels = (row.facility_mw, row.envelope_mw, row.usable_mw)
        points += [
            {"date": iso_day(row.day), "series": name, "mw": mw}
            for name, mw in zip(names, levels, strict=False)
        ]
    return points


def _step_sum(timelines: list[list[TimelineRow]]) -> list[tuple[date, int]]:
    """GPUs live over several sites: each site's level in force, summed on every change day."""
    days = sorted({row.day for rows in timelines for row in rows})
    sites = [([row.day for row in rows], [row.gpus for row in rows]) for rows in timelines]
    return [
        (day, sum(value_in_force(row_days, gpus, day, 0) for row_days, gpus in sites))
        for day in days
    ]


def gpu_levels(report: PlanReport) -> list[tuple[date, int]]:
    """GPUs live on every change day in the report's sites, held to the plan end."""
    levels = _step_sum([site.timeline for site in report.sites])
    if levels and levels[-1][0] < report.end:
        levels.append((report.end, levels[-1][1]))
    return levels


def commitment_points(report: PlanReport) -> list[dict[str, Any]]:
    """Each commitment date: the level required and the GPUs live in its scope then."""
    return [
        {
            "date": iso_day(row.day),
            "commitment": row.commitment,
            "required": row.required,
            "live": row.live,
            "on the date": "met" if row.met else "short",
            "shortfall": row.shortfall,
        }
        for row in report.commitments
    ]


def commitment_series(report: PlanReport) -> dict[str, str]:
    """Each commitment's line name in the legend: commitments with the same required levels
    on the same dates share one line named for all (a second would hide the first exactly)."""
    levels: dict[str, list[tuple[date, int]]] = {}
    for row in report.commitments:
        levels.setdefault(row.commitment, []).append((row.day, row.required))
    groups: dict[tuple[tuple[date, int], ...], list[str]] = {}
    for name, steps in levels.items():
        groups.setdefault(tuple(sorted(steps)), []).append(name)
    return {name: ", ".join(names) for names in groups.values() for name in names}


def commitment_steps(report: PlanReport) -> list[dict[str, Any]]:
    """Each commitment's required level as a step line from its first date (each level
    from its date to the next, the last to the plan end); one line for commitments whose
    levels are the same (`commitment_series`)."""
    series = commitment_series(report)
    by_series: dict[str, list[tuple[date, int]]] = {}
    for row in report.commitments:
        levels = by_series.setdefault(series[row.commitment], [])
        if (row.day, row.required) not in levels:
            levels.append((row.day, row.required))
    points: list[dict[str, Any]] = []
    for name, levels in by_series.items():
        levels.sort()
        for day, required in levels:
            points.append({"date": iso_day(day), "series": name, "gpus": required})
        if levels[-1][0] < report.end:
            points.append({"date": iso_day(report.end), "series": name, "gpus": levels[-1][1]})
    return points


def lot_rows(report: PlanReport, lots: list[LotReport]) -> list[dict[str, Any]]:
    """Per lot: first arrival to last go-live, or to the plan end in red when racks strand."""
    rows = []
    for lot in lots:
        start = min(day for day, _ in lot.arrivals)
        stranded = lot.stranded_racks > 0
        finish = report.end if stranded or lot.last_live is None else lot.last_live
        rows.append(
            {
                "lot": lot.name,
                "from": iso_day(start),
                "to": iso_day(finish),
                "state": "stranded" if stranded else "arrival to go-live",
                "stranded_racks": lot.stranded_racks,
            }
        )
    return rows


def lot_events(lots: list[LotReport]) -> list[dict[str, Any]]:
    """Arrivals and go-lives of each lot, with their rack counts."""
    events = []
    for lot in lots:
        for day, racks in lot.arrivals:
            events.append(
                {"lot": lot.name, "date": iso_day(day), "event": "arrival", "racks": racks}
            )
        for part in lot.go_live:
            events.append(
                {
                    "lot": lot.name,
                    "date": iso_day(part.day),
                    "event": "go-live",
                    "racks": part.racks,
                }
            )
    return events


def link_panel(link: LinkRow) -> str:
    """A link panel's heading: the link and its peak utilisation (the links table's figures)."""
    if link.peak_day is None:
        return link.link
    return f"{link.link}: peak {percent(link.peak_utilisation)} of capacity on {link.peak_day}"


def link_points(link: LinkRow, report: PlanReport) -> list[dict[str, Any]]:
    """A link's load and capacity on each day they change, held to the plan end."""
    points = []
    history = list(link.history)
    if history and history[-1].day < report.end:
        history.append(history[-1].model_copy(update={"day": report.end}))
    panel = link_panel(link)
    for point in history:
        for series, gbps in (("load", point.load_gbps), ("capacity", point.capacity_gbps)):
            points.append(
                {
                    "date": iso_day(point.day),
                    "link": link.link,
                    "panel": panel,
                    "series": series,
                    "gbps": gbps,
                }
            )
    return points
