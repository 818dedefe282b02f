"""Vega-Lite specifications of the plan's charts, built from the plan report alone.

Every chart is a plain JSON-able dict (Vega-Lite v5/v6), so the figures it draws
are the report's (and so the plan JSON's): a test reads them back. The choices
that make the charts honest are made here once:

- time is a real `utc` time axis (dates are days, never local time, never evenly
  spaced categories), from the plan start to its end;
- power and capacity levels are steps (`step-after`): a level holds until the next
  date, and the last one holds to the plan end;
- the y axis starts at zero and ends at a round value just above the peak;
- the plan date (`as of`, or the day shown) is a labelled rule, never the viewer's
  clock; series are named in a legend below the plot, not in labels that collide.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from capplan.charts.series import (
    commitment_points,
    commitment_series,
    commitment_steps,
    gpu_levels,
    iso_day,
    link_panel,
    link_points,
    lot_events,
    lot_rows,
    power_names,
    power_series,
)
from capplan.report import LinkRow, LotReport, PlanReport, SiteReport

Spec = dict[str, Any]

WIDTH = 960
"""Every chart's whole width (px, axes and legend included: `autosize` fits the plot into
it), so the charts of a page line up; the page scales each SVG to its column by its
viewBox (1144 px on a laptop, about 700 on A4), so text stays near its drawn size."""
HEIGHT = 240
"""Height of a power or GPU chart's plot area (px)."""
LOT_ROW = 18
"""Height of one lot's row in the lot timeline (px)."""
TITLE_GAP = 16
"""Space between a chart's title and its plot (px): the plan date's label sits there."""
LINK_GAP = 24
"""Space between two link panels side by side (px)."""
LINK_AXIS = 60
"""Room left of a link panel for its Gbps axis (px), so a panel and its axis fill about WIDTH."""

FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
"""vl-convert measures text with the Liberation Sans it embeds (metric-compatible with
Arial), so the layout is the same on every machine; viewers fall back to Arial."""

CAPACITY = "#444444"
"""A link's capacity: a dark neutral line (red would read as trouble on a healthy link)."""
BLUE, GREY, ORANGE, RED, GREEN, LIGHT = (
    "#1f77b4",
    "#7f7f7f",
    "#ff7f0e",
    "#d62728",
    "#2ca02c",
    "#aec7e8",
)


HEADROOM = 1.05
"""An axis ends at least 5 % above its peak, so a line at the peak (an envelope) is
never drawn on the plot's top edge."""


def axis_top(peak: float) -> float:
    """The next value on a 1-2-2.5-5 grid of at most ten steps at or above `peak` plus
    `HEADROOM` (520 -> 546 -> 600; 30 -> 31.5 -> 35)."""
    if peak <= 0:
        return 1.0
    high = peak * HEADROOM
    magnitude = 10 ** math.floor(math.log10(high))
    for factor in (0.1, 0.2, 0.25, 0.5, 1.0, 2.0):
        step = factor * magnitude
        if high / step <= 10:
            return float(math.ceil(high / step - 1e-9) * step)
    return float(math.ceil(high / magnitude) * magnitude)  # pragma: no cover


def _y_scale(peak: float) -> Spec:
    """From zero to `axis_top` of the peak (Vega's own `nice` can end on the peak)."""
    return {"domain": [0, axis_top(peak)], "nice": False}


def _time_axis(report: PlanReport, field: str = "date") -> Spec:
    """A utc time scale over the whole horizon, labelled by month and year."""
    return {
        "field": field,
        "type": "temporal",
        "title": None,
        "scale": {"type": "utc", "domain": [iso_day(report.start), iso_day(report.end)]},
        "axis": {"format": "%b %Y", "labelAngle": 0, "labelOverlap": "greedy", "grid": True},
    }


def _base(title: str, height: int = HEIGHT) -> Spec:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": title, "anchor": "start", "offset": TITLE_GAP},
        "width": WIDTH,
        "height": height,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "background": "white",
        "config": {
            # no ARIA labels in the SVG: Vega formats their dates in the machine's time
            # zone; the page gives each chart its title as alt text instead
            "aria": False,
            "font": FONT,
            "view": {"stroke": None},
            "legend": {"orient": "bottom", "direction": "horizontal", "title": None},
            "axis": {"labelFontSize": 11, "titleFontSize": 11},
        },
    }


def planiso_day(report: PlanReport) -> date | None:
    """The day the plan speaks for: the state shown (`--at`), else its `as_of`."""
    return report.at.day if report.at else report.as_of


def _plan_rule(report: PlanReport) -> list[Spec]:
    """A dashed rule at the plan date, labelled with it (not the viewer's 'today').

    The label sits above the plot, in the band between the title and the plot
    (`TITLE_GAP`), where no line or bar is drawn; right of the rule, or left of it when
    the date is in the last quarter of the horizon, so it stays inside the chart."""
    day = planiso_day(report)
    if day is None:
        return []
    data = {"values": [{"date": iso_day(day), "label": f"plan date {day}"}]}
    x = {"field": "date", "type": "temporal", "scale": {"type": "utc"}}
    late = (day - report.start) * 4 > (report.end - report.start) * 3
    return [
        {  # from the plot's foot up beside its label, so the label reads as the rule's
            "data": data,
            "mark": {
                "type": "rule",
                "color": GREY,
                "strokeDash": [2, 2],
                "y": 4 - TITLE_GAP,
                "y2": {"expr": "height"},
            },
            "encoding": {"x": x},
        },
        {
            "data": data,
            "mark": {
                "type": "text",
                "align": "right" if late else "left",
                "baseline": "bottom",
                "dx": -3 if late else 3,
                "y": -3,
            },
            "encoding": {"x": x, "text": {"field": "label"}, "color": {"value": GREY}},
        },
    ]


def power_chart(report: PlanReport, site: SiteReport) -> Spec:
    """Facility power against the grid envelope and the usable (reserve-adjusted) envelope."""
    series = power_names(site)
    points = power_series(site, report.end)
    lines = {
        "data": {"values": points},
        "mark": {"type": "line", "interpolate": "step-after", "strokeWidth": 2},
        "encoding": {
            "x": _time_axis(report),
            "y": {
                "field": "mw",
                "type": "quantitative",
                "title": "MW",
                "scale": _y_scale(max((p["mw"] for p in points), default=0.0)),
            },
            "color": {
                "field": "series",
                "type": "nominal",
                "scale": {"domain": series, "range": [BLUE, GREY, ORANGE][: len(series)]},
                "sort": series,
            },
            "strokeDash": {
                "field": "series",
                "type": "nominal",
                "scale": {"domain": series, "range": [[1, 0], [6, 3], [2, 2]][: len(series)]},
                "sort": series,
            },
        },
    }
    spec = _base(f"Power at {site.name}: facility power against the envelope (MW)")
    spec["layer"] = [lines, *_plan_rule(report)]
    return spec


COMMITMENT_COLOURS = [
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#1b9e77",
    "#e6ab02",
    "#666666",
    "#a6761d",
    "#17becf",
]
"""The commitments' lines: dark enough on the light GPUs-live area, and none the blue of
that area nor the green and red of met and short (Vega repeats them past eight)."""


def gpus_chart(report: PlanReport, scope: str) -> Spec:
    """GPUs live (area) against each commitment's required level (steps); each due date as
    a point at the GPUs live in the commitment's scope, on a stem from the level required
    then, red where they fall short."""
    x = _time_axis(report)
    t = {"field": "date", "type": "temporal", "scale": {"type": "utc"}}
    levels = gpu_levels(report)
    peak = max([g for _, g in levels] + [row.required for row in report.commitments], default=0)
    y = {"type": "quantitative", "title": "GPUs", "scale": _y_scale(peak)}
    name = f"GPUs live ({scope})"
    live = {
        "data": {"values": [{"date": iso_day(d), "gpus": g, "series": name} for d, g in levels]},
        "mark": {"type": "area", "interpolate": "step-after", "fillOpacity": 0.7},
        "encoding": {
            "x": x,
            "y": {**y, "field": "gpus"},
            "fill": {
                "field": "series",
                "type": "nominal",
                "title": None,
                "scale": {"domain": [name], "range": [LIGHT]},
                "legend": {
                    "symbolType": "square",
                    "symbolStrokeColor": BLUE,
                    "symbolStrokeWidth": 1,
                    "symbolOpacity": 0.7,
                },
            },
        },
    }
    edge = {
        "data": live["data"],
        "mark": {"type": "line", "interpolate": "step-after", "color": BLUE},
        "encoding": {"x": x, "y": {**y, "field": "gpus"}},
    }
    layers: list[Spec] = [live, edge]
    if report.commitments:
        named = list(dict.fromkeys(commitment_series(report).values()))
        layers.append(
            {
                "data": {"values": commitment_steps(report)},
                "mark": {
                    "type": "line",
                    "interpolate": "step-after",
                    "strokeDash": [6, 3],
                    "strokeWidth": 2,
                },
                "encoding": {
                    "x": t,
                    "y": {"field": "gpus", "type": "quantitative"},
                    "color": {
                        "field": "series",
                        "type": "nominal",
                        "title": "required by",
                        "sort": named,
                        "scale": {"domain": named, "range": COMMITMENT_COLOURS},
                        "legend": {"symbolType": "stroke", "symbolStrokeWidth": 2, "columns": 4},
                    },
                },
            }
        )
        points = commitment_points(report)
        layers.append(
            {
                "data": {"values": points},
                "mark": {"type": "rule", "strokeWidth": 1.5},
                "encoding": {
                    "x": t,
                    "color": {  # a shortfall is red from the level down to the GPUs live
                        "condition": {"test": "datum['on the date'] === 'short'", "value": RED},
                        "value": "#333333",
                    },
                    "y": {"field": "required", "type": "quantitative"},
                    "y2": {"field": "live"},
                },
            }
        )
        layers.append(
            {
                "data": {"values": points},
                "mark": {"type": "point", "filled": True, "size": 60, "opacity": 1},
                "encoding": {
                    "x": t,
                    "y": {"field": "live", "type": "quantitative"},
                    "fill": {
                        "field": "on the date",
                        "type": "nominal",
                        "scale": {"domain": ["met", "short"], "range": [GREEN, RED]},
                        "title": "GPUs live in scope on each date",
                    },
                    "stroke": {"value": "black"},
                },
            }
        )
    spec = _base(f"GPUs live ({scope}) against commitments")
    spec["layer"] = [*layers, *_plan_rule(report)]
    spec["resolve"] = {"scale": {"color": "independent", "fill": "independent"}}
    return spec


def lots_chart(report: PlanReport, lots: list[LotReport], scope: str) -> Spec:
    """A lot timeline: arrival to go-live per lot; stranded racks and missed commitment
    dates in red."""
    order = [lot.name for lot in sorted(lots, key=lambda lot: (min(lot.arrivals)[0], lot.name))]
    y = {"field": "lot", "type": "nominal", "sort": order, "title": None}
    bars = {
        "data": {"values": lot_rows(report, lots)},
        "mark": {"type": "bar", "height": 10},
        "encoding": {
            "x": _time_axis(report, "from"),
            "x2": {"field": "to"},
            "y": y,
            "color": {
                "field": "state",
                "type": "nominal",
                "scale": {"domain": ["arrival to go-live", "stranded"], "range": [LIGHT, RED]},
                "title": None,
            },
        },
    }
    events = {
        "data": {"values": lot_events(lots)},
        "mark": {"type": "point", "filled": True, "size": 40, "opacity": 1},
        "encoding": {
            "x": {"field": "date", "type": "temporal", "scale": {"type": "utc"}},
            "y": y,
            "shape": {
                "field": "event",
                "type": "nominal",
                "scale": {"domain": ["arrival", "go-live"], "range": ["triangle-right", "circle"]},
            },
            "color": {
                "field": "event",
                "type": "nominal",
                "scale": {"domain": ["arrival", "go-live"], "range": [GREY, BLUE]},
            },
        },
    }
    layers: list[Spec] = [bars, events]
    missed = [row for row in report.commitments if not row.met]
    if missed:
        layers.append(
            {
                "data": {
                    "values": [
                        {"date": iso_day(row.day), "label": f"missed: {row.commitment}"}
                        for row in missed
                    ]
                },
                "mark": {"type": "rule", "strokeWidth": 2},
                "encoding": {
                    "x": {"field": "date", "type": "temporal", "scale": {"type": "utc"}},
                    "color": {  # named in the legend: a red rule alone says nothing
                        "datum": "missed commitment date",
                        "scale": {"range": [RED]},
                        "legend": {"symbolType": "stroke", "symbolStrokeWidth": 2},
                    },
                },
            }
        )
    spec = _base(f"Lots ({scope}): arrival to go-live", height=max(LOT_ROW * len(lots), 40))
    spec["layer"] = [*layers, *_plan_rule(report)]
    spec["resolve"] = {"scale": {"color": "independent", "shape": "independent"}}
    return spec


def links_chart(report: PlanReport, links: list[LinkRow], scope: str) -> Spec:
    """Per link, its load (worse direction) against its capacity over time: one panel each,
    two panels a row, headed by the link's peak utilisation."""
    values = []
    for link in links:
        points = link_points(link, report)
        top = axis_top(max((p["gbps"] for p in points), default=0.0))
        # the panel's axis top (no line: it makes the panel's independent y scale reach it)
        values += [*points, {"link": link.link, "panel": link_panel(link), "top": top}]
    columns = 1 if len(links) == 1 else 2
    spec = _base(f"Link load against capacity ({scope}, Gbps)")
    del spec["width"], spec["height"], spec["autosize"]  # a facet cannot be fitted: sized here
    spec["data"] = {"values": values}
    spec["facet"] = {
        "field": "panel",
        "type": "nominal",
        "title": None,
        "sort": [link_panel(link) for link in sorted(links, key=lambda link: link.link)],
        "header": {
            "labelAngle": 0,
            "labelOrient": "top",
            "labelAnchor": "start",
            "labelFontSize": 12,
            "labelLimit": 0,
            "labelPadding": 4,
        },
    }
    spec["columns"] = columns
    spec["spacing"] = {"row": 18, "column": LINK_GAP}
    spec["resolve"] = {"scale": {"y": "independent"}}
    spec["spec"] = {
        "width": (WIDTH - columns * LINK_AXIS - (columns - 1) * LINK_GAP) // columns,
        "height": 80,
        "layer": [
            {
                "transform": [{"filter": "isValid(datum.gbps)"}],
                "mark": {"type": "line", "interpolate": "step-after", "strokeWidth": 2},
                "encoding": {
                    "x": _time_axis(report),
                    "y": {
                        "field": "gbps",
                        "type": "quantitative",
                        "title": None,
                        # one width for every panel's axis, so the panels of a column line up
                        "axis": {"minExtent": LINK_AXIS - 10, "maxExtent": LINK_AXIS - 10},
                    },
                    "color": {
                        "field": "series",
                        "type": "nominal",
                        "scale": {"domain": ["load", "capacity"], "range": [BLUE, CAPACITY]},
                    },
                },
            },
            {
                "transform": [{"filter": "isValid(datum.top)"}],
                "mark": {"type": "point", "opacity": 0},
                "encoding": {"y": {"field": "top", "type": "quantitative"}},
            },
        ],
    }
    return spec
