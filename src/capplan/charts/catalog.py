"""Which charts a page shows, and under which file names.

A site page: its power, its GPUs against the commitments in its scope, its lots and
the links that end at it. The fleet page: the GPUs of the fleet against every
commitment, every notable lot, every link, and each site's power (the site's own
chart file, in the site's folder). A chart with nothing to draw is left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict

from capplan.charts import mermaid, specs
from capplan.charts.svg import spec_text
from capplan.report import PlanReport
from capplan.views.tables import notable_lots

POWER, GPUS, LOTS, LINKS = "power", "gpus", "lots", "links"
FILES = {POWER: "power.svg", GPUS: "gpus.svg", LOTS: "lots.svg", LINKS: "links.svg"}
"""The SVG file of each chart, in the folder of its page (render writes them)."""


class Chart(BaseModel):
    """A chart of a page: its Vega-Lite specification, where its SVG file goes, and the
    Mermaid text for a Markdown page that has no files beside it (empty: no Mermaid form)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["chart"] = "chart"
    name: str
    title: str
    file: str
    """Path of the SVG relative to the page (`power.svg`, `narvik/power.svg`)."""
    spec: str
    """The Vega-Lite specification (canonical JSON)."""
    mermaid: str = ""
    note: str = ""
    """A line under the Mermaid form (what its colours mean: xychart has no legend)."""


def _chart(
    name: str, title: str, spec: specs.Spec, file: str = "", text: str = "", note: str = ""
) -> Chart:
    """A chart whose image file is its kind's (FILES) unless a fleet page names another."""
    return Chart(
        name=name,
        title=title,
        file=file or FILES[name],
        spec=spec_text(spec),
        mermaid=text,
        note=note,
    )


def site_charts(report: PlanReport) -> list[Chart]:
    """The charts of a one-site report (`views/selection.py`), in reading order."""
    site = report.sites[0]
    scope = f"site {site.name}"
    charts = [
        _chart(
            POWER,
            f"Power at {site.name}",
            specs.power_chart(report, site),
            text=mermaid.power(report, site),
            note=mermaid.power_caption(report, site),
        )
    ]
    return charts + _shared(report, scope)


def fleet_charts(report: PlanReport, site_folders: Mapping[str, str]) -> list[Chart]:
    """The charts of the fleet page; a site's power chart is the one in its folder."""
    charts = _shared(report, "fleet")
    for site in report.sites:
        folder = site_folders.get(site.name, "")
        file = f"{folder}/{FILES[POWER]}" if folder else f"power-{site.name}.svg"
        charts.append(
            _chart(
                POWER,
                f"Power at {site.name}",
                specs.power_chart(report, site),
                file,
                text=mermaid.power(report, site),
                note=mermaid.power_caption(report, site),
            )
        )
    return charts


def _shared(report: PlanReport, scope: str) -> list[Chart]:
    charts = []
    if report.sites:
        charts.append(
            _chart(
                GPUS,
                f"GPUs live ({scope}) against commitments",
                specs.gpus_chart(report, scope),
            )
        )
    lots, _ = notable_lots(report)
    if lots:
        charts.append(
            _chart(
                LOTS,
                f"Lots ({scope}): arrival to go-live",
                specs.lots_chart(report, lots, scope),
                text=mermaid.lots(report, lots),
            )
        )
    links = report.network.links if report.network else []
    if links:
        charts.append(
            _chart(
                LINKS,
                f"Link load against capacity ({scope})",
                specs.links_chart(report, links, scope),
            )
        )
    return charts
