"""Hover text: a quantity in canonical units, and a declaration's derived figures."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from capplan.lsp.analysis import (
    Analysis,
    Symbol,
    enclosing,
    file_items,
    quantity_at,
)
from capplan.model.rules import CAUSE_LABELS, Exact, beyond_install, site_it_ceiling
from capplan.model.units import Dim, UnitError, parse_quantity
from capplan.syntax import ast

if TYPE_CHECKING:
    from capplan.report import LotReport, PlanReport

CANONICAL = {
    Dim.POWER: "W",
    Dim.BANDWIDTH: "bit/s",
    Dim.DISTANCE: "m",
    Dim.MASS: "kg",
    Dim.RATIO: "(a fraction)",
    Dim.PER_GPU: "bit/s per GPU",
}


def hover(analysis: Analysis, path: Path, offset: int, report: PlanReport | None) -> str | None:
    """Markdown for what is under the cursor: a declaration, or a quantity."""
    items = file_items(analysis, path)
    quantity = quantity_at(items, offset)
    symbol = analysis.at(path, offset)
    if quantity is not None:
        attribute, node = quantity
        text = [_quantity_text(node.text, attribute)]
        blocks = enclosing(items, offset)
        if blocks and isinstance(blocks[0], ast.Decl):
            owner = analysis.symbols.get(blocks[0].name)
            if owner is not None:
                text.append(_figures(analysis, owner, report))
        return "\n\n".join(t for t in text if t)
    if symbol is None:
        return None
    return _declaration_text(analysis, symbol, report)


def _quantity_text(written: str, attribute: str) -> str:
    try:
        value = parse_quantity(written)
    except UnitError as exc:
        return f"`{written}`: {exc}"
    canonical = value.canonical
    dim = value.dim
    if dim is Dim.DURATION:
        unit = "months" if value.unit.period == "mo" else "days"
        shown = f"{_number(canonical)} {unit}"
    elif dim in (Dim.SUPPLY_RATE,):
        period = "week" if value.unit.period == "w" else "month"
        shown = f"{_number(canonical)} {value.unit.per} per {period}"
    elif dim in (Dim.MONEY, Dim.ENERGY_PRICE):
        shown = f"{_number(canonical)} {value.unit.symbol}"
    else:
        shown = f"{_number(canonical)} {CANONICAL.get(dim, '')}".strip()
    return f"`{attribute} = {written}`: {dim.value}, {shown}"


def _number(value: Decimal) -> str:
    normal = value.normalize()
    if normal == normal.to_integral_value():
        return f"{int(normal):,}"
    return f"{normal:f}"


def _declaration_text(analysis: Analysis, symbol: Symbol, report: PlanReport | None) -> str:
    where = symbol.source.position(symbol.name_start)
    head = f"**{symbol.kind}** `{symbol.key}` — {symbol.source.name}:{where.line}"
    first = symbol.source.text[symbol.start : symbol.end].split("\n", 1)[0]
    lines = [head, f"```\n{first.strip()}\n```"]
    description = _description(symbol.node)
    if description:
        lines.append(description)
    figures = _figures(analysis, symbol, report)
    if figures:
        lines.append(figures)
    return "\n\n".join(lines)


def _description(node: ast.Decl | ast.Const) -> str | None:
    if isinstance(node, ast.Decl):
        for member in node.members:
            if (
                isinstance(member, ast.Attribute)
                and member.name == "description"
                and isinstance(member.value, ast.String)
            ):
                return member.value.raw
    return None


def _figures(analysis: Analysis, symbol: Symbol, report: PlanReport | None) -> str:
    """Derived figures: a site's usable IT power, a lot's go-live, a commitment's status."""
    model = analysis.compilation.model
    if model is None:
        return ""
    if symbol.kind == "site" and symbol.key in model.sites:
        site = model.sites[symbol.key]
        rows = [
            f"- from {step.day}: {_mw(step.value)} envelope, usable IT "
            f"{_mw(site_it_ceiling(step.value, site.pue, site.reserve))} "
            f"(x {_pct(1 - site.reserve)} / PUE {site.pue})"
            for step in site.power
        ]
        return "Usable IT power (envelope x (1 - reserve) / PUE):\n" + "\n".join(rows)
    if report is None:
        return ""
    if symbol.kind == "lot":
        for lot in report.lots:
            if lot.name == symbol.key:
                return _lot_text(lot)
    if symbol.kind == "commitment":
        rows = [
            f"- {row.day}: {row.live:,} of {row.required:,} GPUs live — "
            + ("met" if row.met else f"**short {row.shortfall:,}**")
            for row in report.commitments
            if row.commitment == symbol.key
        ]
        return "Status:\n" + "\n".join(rows) if rows else ""
    return ""


def _lot_text(lot: LotReport) -> str:
    rows = [f"- {row.day}: {row.racks} racks live in {row.hall}" for row in lot.go_live]
    text = "Go-live:\n" + ("\n".join(rows) if rows else "- none in the plan horizon")
    if lot.stranded_racks:
        text += f"\n\n**{lot.stranded_racks} racks stranded** (not live by the plan end)"
    waits = beyond_install(lot.idle_gpu_days)
    if waits:
        causes = ", ".join(
            f"{CAUSE_LABELS[cause]} {days:,} GPU-days" for cause, days in waits.items()
        )
        text += f"\n\nWaited beyond install: {causes}"
        if lot.main_cause:
            text += f" (mainly {CAUSE_LABELS[lot.main_cause]})"
    return text


def _mw(watts: Exact) -> str:
    megawatts = round(Fraction(watts) / 1_000_000, 3)  # a denominator dividing 1000: exact
    return f"{_number(Decimal(megawatts.numerator) / megawatts.denominator)} MW"


def _pct(fraction: Decimal) -> str:
    return f"{_number(fraction * 100)}%"
