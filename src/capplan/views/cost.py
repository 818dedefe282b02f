"""The cost section of `capplan plan` (docs/language.md §14) as blocks (`views/document.py`).

`cost_section` builds the section once, as sentences and tables of cells, from
the report's rounded figures; it is one of `views/sections.SECTIONS`, so the text
view, the Markdown and HTML plan and render's plan pages (`views/page.py`) lay out
the same blocks and show the same figures. An absent figure reads `-`.
"""

from __future__ import annotations

from capplan.cost.report import CostFigures, CostReport
from capplan.model.rules import CAUSE_LABELS
from capplan.numbers import count, fixed, percent
from capplan.report import PlanReport
from capplan.views.document import Block, Para, Table

ABSENT = "-"
MAX_COMMITMENT_ROWS = 30
LARGEST = 5


def money(value: float | None) -> str:
    """Money in a table: whole units (the JSON keeps cents)."""
    return ABSENT if value is None else fixed(value, 0)


def _quantity(value: float | None, decimals: int = 1) -> str:
    return ABSENT if value is None else fixed(value, decimals)


SITE_HEADERS = [
    "site",
    "energy MWh",
    "energy",
    "carbon t",
    "depreciation",
    "carrying",
    "GPU-hours",
    "per GPU-h",
]


def _figure_cells(name: str, f: CostFigures) -> list[str]:
    """One row under `SITE_HEADERS` (the total cost is in the sentence below the table)."""
    return [
        name,
        _quantity(f.energy_mwh),
        money(f.energy_cost),
        _quantity(f.carbon_t),
        money(f.depreciation),
        money(f.carrying_cost),
        count(f.gpu_hours),
        _quantity(f.cost_per_gpu_hour, 2),
    ]


def _table(title: str, headers: list[str], rows: list[list[str]], labels: int = 1) -> Table:
    """A table whose first `labels` columns name the row; the others are figures."""
    return Table(title, headers, rows, frozenset(headers[labels:]))


def cost_section(report: PlanReport) -> list[Block]:
    """The plan's cost section (one of `views/sections.SECTIONS`)."""
    return [] if report.cost is None else cost_blocks(report.cost)


def cost_blocks(cost: CostReport) -> list[Block]:
    """The section: totals per site and fleet, idle cost by cause, risk, largest items."""
    currency = cost.currency or "money"
    rate = f"capital rate {percent(cost.capital_rate)}"
    fleet = cost.fleet
    parts: list[Block] = [
        _table(
            f"cost in {currency}, {cost.start} .. {cost.end} ({rate})",
            SITE_HEADERS,
            [_figure_cells(s.site, s.totals) for s in cost.sites] + [_figure_cells("fleet", fleet)],
        ),
        Para(
            f"fleet cost {money(fleet.total_cost)} {currency} over {count(fleet.gpu_hours)} "
            f"GPU-hours live: {_quantity(fleet.cost_per_gpu_hour, 2)} {currency} per GPU-hour",
            note=True,
        ),
        Para(_idle_line(cost, currency)),
    ]
    at_risk = sorted(
        (c for c in cost.commitments if c.short_gpu_hours),
        key=lambda c: (-(c.revenue_at_risk or 0), -c.short_gpu_hours, c.commitment),
    )
    if at_risk:
        rows = [
            [
                c.commitment,
                c.customer or "",
                _quantity(c.short_gpu_hours, 0),
                _quantity(c.price, 2),
                money(c.revenue_at_risk),
            ]
            for c in at_risk[:MAX_COMMITMENT_ROWS]
        ]
        headers = [
            "commitment",
            "customer",
            "short GPU-hours",
            f"{currency}/GPU-h",
            f"at risk {currency}",
        ]
        parts.append(_table("revenue at risk", headers, rows, labels=2))
        if len(at_risk) > MAX_COMMITMENT_ROWS:
            more = len(at_risk) - MAX_COMMITMENT_ROWS
            parts.append(
                Para(
                    f"... {count(more)} more commitments short; --format json lists all", note=True
                )
            )
    else:
        parts.append(Para("revenue at risk: none (every commitment is met on every day)"))
    largest = _largest(cost)
    if largest:
        parts.append(Para(f"largest cost items ({currency}): " + "; ".join(largest)))
    return parts


def _idle_line(cost: CostReport, currency: str) -> str:
    """'site power cost us €X' as one line: the carrying cost of waiting racks by cause."""
    if any(amount is None for amount in cost.idle_cost.values()):
        return "idle-capacity cost by cause: - (a waiting rack's type has no price)"
    spent = {c: a for c, a in cost.idle_cost.items() if a}
    if not spent:
        why = "no capital_rate" if not cost.capital_rate else "no rack waits"
        return f"idle-capacity cost by cause: none ({why})"
    ordered = sorted(spent.items(), key=lambda item: -(item[1] or 0))
    return "idle-capacity cost by cause: " + ", ".join(
        f"{CAUSE_LABELS[c]} {money(a)} {currency}" for c, a in ordered
    )


def _largest(cost: CostReport) -> list[str]:
    """The biggest site cost items, with their share of the fleet's total cost."""
    items: list[tuple[float, str]] = []
    for site in cost.sites:
        t = site.totals
        for what, value in (
            ("energy", t.energy_cost),
            ("depreciation", t.depreciation),
            ("carrying", t.carrying_cost),
        ):
            if value:
                items.append((value, f"{what} at {site.site}"))
    items.sort(key=lambda item: (-item[0], item[1]))
    total = cost.fleet.total_cost
    return [
        f"{label} {money(value)}" + (f" ({percent(value / total)})" if total else "")
        for value, label in items[:LARGEST]
    ]
