"""The two charts a git forge must draw itself, as Mermaid: a site's power and the lots.

Used only where a Markdown plan has no image files beside it (`plan --format
markdown` on stdout, pasted into an issue or a pull request). They avoid what made
the old ones lie:

- the power chart samples the levels on evenly spaced days over the horizon, on a
  numeric axis of years, so uneven dates are not spaced evenly and a step is a
  near-vertical rise (one sampling interval wide), never a slope between two dates;
- its y axis ends at a round value above the peak (`specs.axis_top`: 600 for 520 MW),
  not a power of ten; the usable (reserve-adjusted) envelope is drawn; the series are named
  in a caption by colour (xychart has no legend), so no labels overlap;
- the Gantt turns Mermaid's "today" marker off and marks the plan date instead.
"""

from __future__ import annotations

from datetime import date, timedelta

from capplan.charts import specs
from capplan.charts.series import ENVELOPE_IS_USABLE, no_reserve, power_names
from capplan.model.rules import value_in_force
from capplan.numbers import count
from capplan.report import LotReport, PlanReport, SiteReport, TimelineRow

SAMPLES = 200
"""Evenly spaced days per power line: a step is at most 1/200 of the axis wide."""
PALETTE = ("#1f77b4", "#7f7f7f", "#ff7f0e")
NAMES = ("facility power", "grid envelope", "usable envelope")


def safe(text: str) -> str:
    """Text for a Mermaid line (render's `mermaid` filter; imported late: render's package
    imports the plan pages, which import this module)."""
    from capplan.render.serialise import mermaid

    return str(mermaid(text))


def _year(day: date) -> float:
    """A day as a decimal year (2026-07-02 -> 2026.50)."""
    first = date(day.year, 1, 1)
    length = (date(day.year + 1, 1, 1) - first).days
    return day.year + (day - first).days / length


def _number(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def sample_days(start: date, end: date) -> list[date]:
    """`SAMPLES` evenly spaced days from `start` to `end` (every day if fewer)."""
    days = (end - start).days
    if days + 1 <= SAMPLES:
        return [start + timedelta(days=i) for i in range(days + 1)]
    return [start + timedelta(days=round(i * days / (SAMPLES - 1))) for i in range(SAMPLES)]


def power(report: PlanReport, site: SiteReport) -> str:
    """xychart-beta of a site's facility power, envelope and usable envelope (MW)."""
    days = sample_days(report.start, report.end)
    drawn = len(power_names(site))  # no usable line where it is the envelope
    series: list[list[float]] = [[] for _ in range(drawn)]
    rows: list[TimelineRow | None] = list(site.timeline)
    row_days = [row.day for row in site.timeline]
    for day in days:
        row = value_in_force(row_days, rows, day, None)
        values = (row.facility_mw, row.envelope_mw, row.usable_mw) if row else (0.0, 0.0, 0.0)
        for line, value in zip(series, values, strict=False):
            line.append(value)
    top = specs.axis_top(max(max(line) for line in series))
    palette = ", ".join(PALETTE[:drawn])
    lines = [
        '%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "' + palette + '"}}}}%%',
        "xychart-beta",
        f'    title "Power at {safe(site.name)} (MW)"',
        f'    x-axis "year" {_year(days[0]):.2f} --> {_year(days[-1]):.2f}',
        f'    y-axis "MW" 0 --> {_number(top)}',
    ]
    lines += ["    line [" + ", ".join(_number(v) for v in line) + "]" for line in series]
    return "\n".join(lines)


def power_caption(report: PlanReport, site: SiteReport) -> str:
    """What the power chart's colours are (Mermaid's xychart draws no legend)."""
    names = (NAMES[0], ENVELOPE_IS_USABLE) if no_reserve(site) else NAMES
    named = ", ".join(f"{name} {colour}" for name, colour in zip(names, PALETTE, strict=False))
    return f"Lines: {named}; levels sampled on {SAMPLES} evenly spaced days from {report.start} to {report.end}."


def lots(report: PlanReport, shown: list[LotReport]) -> str:
    """Gantt of each lot from its first arrival to its last go-live (to the plan end and
    `crit` when racks strand), missed commitment dates `crit`, and the plan date."""
    lines = [
        "gantt",
        "    title Lots, arrival to go-live",
        "    dateFormat YYYY-MM-DD",
        "    axisFormat %b %Y",
        "    todayMarker off",
    ]
    day = report.at.day if report.at else report.as_of
    if day is not None:
        lines += ["    section plan date", f"    {day} :milestone, {day}, 0d"]
    lines.append("    section lots")
    for lot in sorted(shown, key=lambda lot: (min(lot.arrivals)[0], lot.name)):
        start = min(d for d, _ in lot.arrivals)
        if lot.stranded_racks or lot.last_live is None:
            label = f"{safe(lot.name)} {count(lot.stranded_racks)} racks stranded"
            lines.append(f"    {label} :crit, {start}, {report.end}")
        else:
            finish = max(lot.last_live, start + timedelta(days=1))
            lines.append(f"    {safe(lot.name)} :{start}, {finish}")
    missed = [row for row in report.commitments if not row.met]
    if missed:
        lines.append("    section missed commitments")
        for row in missed:
            label = f"{safe(row.commitment)} short {count(row.shortfall)} GPUs"
            lines.append(f"    {safe(label)} :crit, milestone, {row.day}, 0d")
    return "\n".join(lines)
