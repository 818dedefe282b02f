"""`capplan risk` as text (rich tables), Markdown and JSON, all from one `RiskReport`.

The rows are built once (`sections`): the text and Markdown views lay out the
same cells, so the two can never disagree; JSON is the report itself.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from rich.table import Table

from capplan.diagnostics import Diagnostic
from capplan.diagnostics.json_format import diagnostics_document
from capplan.numbers import count, fixed, percent
from capplan.risk import RISK_FORMAT_VERSION, RiskReport
from capplan.views.cost import ABSENT, money
from capplan.views.plan_text import text_console

Section = tuple[str, list[str], list[list[str]]]  # title, headers, rows

NUMERIC = {"required", "nominal", "P10", "P50", "P90", "expected shortfall", "racks", "ρ"}


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else "not all live"


def summary_lines(report: RiskReport) -> list[str]:
    """The lines above the tables: what was drawn, and the fleet's short GPU-hours."""
    short = report.short_gpu_hours
    lines = [
        f"{count(report.samples)} samples, seed {report.seed}, {len(report.drivers)} slips; "
        f"horizon {report.horizon[0]} .. {report.horizon[1]}",
        f"short GPU-hours (fleet): P10 {count(short.p10)}  P50 {count(short.p50)}  P90 {count(short.p90)}  "
        f"mean {fixed(short.mean, 2)}  (nominal plan: {count(report.nominal_short_gpu_hours)})",
    ]
    if report.network_failure_probability is not None:
        lines.append(
            "samples with a day of unroutable flows (E500/E501): "
            + percent(report.network_failure_probability)
        )
    revenue = report.revenue_at_risk
    if revenue is not None and revenue.fleet is not None:
        fleet = revenue.fleet
        lines.append(
            f"revenue at risk (fleet, {revenue.currency}): P50 {money(fleet.p50)}  "
            f"P90 {money(fleet.p90)}  (nominal plan: {money(fleet.nominal)})"
        )
    return lines


def _revenue_section(report: RiskReport) -> list[Section]:
    """Each commitment's revenue at risk, when some commitment has a price."""
    revenue = report.revenue_at_risk
    if revenue is None:
        return []
    rows = [
        [
            row.commitment,
            ABSENT if row.price is None else fixed(row.price, 2),
            money(row.nominal),
            money(row.p50),
            money(row.p90),
        ]
        for row in revenue.commitments
    ]
    title = f"Revenue at risk ({revenue.currency}): short GPU-hours at the contract price"
    return [(title, ["commitment", f"{revenue.currency}/GPU-h", "nominal", "P50", "P90"], rows)]


def sections(report: RiskReport) -> list[Section]:
    commitments = [
        [
            due.commitment,
            due.day.isoformat(),
            count(due.required),
            count(due.nominal_live),
            percent(due.probability_met),
            count(due.gpus_p10),
            count(due.gpus_p50),
            count(due.gpus_p90),
            fixed(due.expected_shortfall, 1),
        ]
        for due in report.commitments
    ]
    lots = [
        [
            lot.lot,
            count(lot.racks),
            _day(lot.nominal_last_live),
            _day(lot.last_live_p50),
            _day(lot.last_live_p90),
            percent(lot.probability_stranded),
        ]
        for lot in report.lots
    ]
    drivers = [
        [
            driver.driver,
            driver.distribution,
            f"{driver.draw_p50_days} d",
            f"{driver.draw_p90_days} d",
            "n/a" if driver.spearman is None else f"{driver.spearman:+.3f}",
        ]
        for driver in report.drivers
    ]
    return [
        (
            "Commitment dates: GPUs live in scope",
            [
                "commitment",
                "date",
                "required",
                "nominal",
                "P(met)",
                "P10",
                "P50",
                "P90",
                "expected shortfall",
            ],
            commitments,
        ),
        (
            "Lots: day the last rack goes live",
            ["lot", "racks", "nominal", "P50", "P90", "P(stranded)"],
            lots,
        ),
        (
            "Drivers: Spearman ρ with the fleet's short GPU-hours, largest first",
            ["slip", "distribution", "P50", "P90", "ρ"],
            drivers,
        ),
        *_revenue_section(report),
    ]


def render_risk_text(report: RiskReport, width: int = 120, color: bool = False) -> str:
    buffer = io.StringIO()
    console = text_console(buffer, width, color)
    for line in summary_lines(report):
        console.print(line)
    for title, headers, rows in sections(report):
        table = Table(title=title, title_justify="left")
        for header in headers:
            numeric = header in NUMERIC or header.startswith("P(") or header.endswith("/GPU-h")
            table.add_column(header, justify="right" if numeric else "left", no_wrap=numeric)
        for row in rows:
            table.add_row(*row)
        if rows:
            console.print(table)
    return buffer.getvalue()


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_risk_markdown(report: RiskReport) -> str:
    out = [f"# Risk: {report.plan}" if report.plan else "# Risk", ""]
    out += [f"- {line}" for line in summary_lines(report)]
    for title, headers, rows in sections(report):
        if not rows:
            continue
        out += ["", f"## {title}", ""]
        out.append("| " + " | ".join(headers) + " |")
        out.append("|" + "|".join("---" for _ in headers) + "|")
        out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(out) + "\n"


def render_risk_json(report: RiskReport | None, diagnostics: Iterable[Diagnostic]) -> str:
    document: dict[str, Any] = {"format_version": RISK_FORMAT_VERSION}
    document["risk"] = report.model_dump(mode="json") if report is not None else None
    document["diagnostics"] = diagnostics_document(diagnostics)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
