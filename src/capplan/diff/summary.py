"""The one-line headline a reviewer reads first, e.g.
"1 commitment newly missed; 2 lots slip up to 45 days; −12 MW headroom at narvik".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from capplan.numbers import counted, trimmed

if TYPE_CHECKING:
    from capplan.diff.report import DiffReport

MINUS = "\u2212"  # a real minus sign, as a reviewer would typeset it


def plural(count: int, word: str, words: str | None = None) -> str:
    return counted(count, word, words)


def signed(value: float, unit: str = "") -> str:
    """`+12 MW`, `−0.5 MW`: at most 3 decimals, no trailing zeros."""
    text = trimmed(abs(value))
    sign = "+" if value > 0 else MINUS if value < 0 else ""
    return f"{sign}{text}{' ' + unit if unit else ''}"


def headline(report: DiffReport) -> str:
    parts: list[str] = []
    for side, name in ((report.old, "OLD"), (report.new, "NEW")):
        if not side.plannable:
            parts.append(f"{name} ({side.label}) cannot be planned: {plural(side.errors, 'error')}")
    parts += _commitment_parts(report)
    parts += _lot_parts(report)
    parts += _site_parts(report)
    network = report.network
    if network.new:
        parts.append(plural(len(network.new), "new network error"))
    if network.resolved:
        parts.append(plural(len(network.resolved), "network error") + " resolved")
    other_new = [d for d in report.diagnostics.new if d.code not in {n.code for n in network.new}]
    errors = [d for d in other_new if d.severity == "error"]
    if errors:
        codes = ", ".join(sorted({d.code for d in errors}))
        parts.append(f"{plural(len(errors), 'new error')} ({codes})")
    resolved = [d for d in report.diagnostics.resolved if d.severity == "error"]
    resolved = [d for d in resolved if d.code not in {n.code for n in network.resolved}]
    if resolved:
        parts.append(plural(len(resolved), "error") + " resolved")
    parts += _model_parts(report)
    if not parts and report.rendered and (report.rendered.changed or report.rendered.added):
        count = len(report.rendered.changed) + len(report.rendered.added)
        parts.append(plural(count, "rendered file") + " change")
    return "; ".join(parts) if parts else "no change"


def _commitment_parts(report: DiffReport) -> list[str]:
    missed = {
        c.commitment
        for c in report.commitments
        if c.new is not None and not c.new.met and (c.old is None or c.old.met)
    }
    grows = [
        c
        for c in report.commitments
        if c.old and c.new and not c.old.met and not c.new.met and c.new.shortfall > c.old.shortfall
    ]
    met = {
        c.commitment
        for c in report.commitments
        if c.old is not None and not c.old.met and c.new is not None and c.new.met
    }
    parts = []
    if missed:
        parts.append(plural(len(missed), "commitment") + " newly missed")
    if grows:
        parts.append("shortfall grows on " + plural(len(grows), "commitment date"))
    if met:
        parts.append(plural(len(met), "commitment") + " newly met")
    return parts


def _lot_parts(report: DiffReport) -> list[str]:
    late: list[int] = []
    early: list[int] = []
    stranded = 0
    for lot in report.lots:
        moves = [d for d in (lot.first_live_days, lot.last_live_days) if d is not None]
        if moves and max(moves) > 0:
            late.append(max(moves))
        elif moves and min(moves) < 0:
            early.append(-min(moves))
        before = lot.old.stranded_racks if lot.old else 0
        after = lot.new.stranded_racks if lot.new else 0
        stranded += after - before
    parts = []
    if late:
        word = "slips" if len(late) == 1 else "slip"
        parts.append(f"{plural(len(late), 'lot')} {word} up to {plural(max(late), 'day')}")
    if early:
        parts.append(f"{plural(len(early), 'lot')} earlier by up to {plural(max(early), 'day')}")
    if stranded:
        parts.append(f"{signed(stranded)} stranded racks")
    return parts


def _site_parts(report: DiffReport) -> list[str]:
    moved = [s for s in report.sites if s.headroom_mw]
    if not moved:
        return []
    worst = min(moved, key=lambda s: (s.headroom_mw or 0, s.site))
    best = max(moved, key=lambda s: (s.headroom_mw or 0, s.site))
    parts = []
    if (worst.headroom_mw or 0) < 0:
        parts.append(f"{signed(worst.headroom_mw or 0, 'MW')} headroom at {worst.site}")
    elif best.headroom_mw:
        parts.append(f"{signed(best.headroom_mw, 'MW')} headroom at {best.site}")
    return parts


def _model_parts(report: DiffReport) -> list[str]:
    model = report.model
    parts = []
    if model.added:
        parts.append(plural(len(model.added), "declaration") + " added")
    if model.removed:
        parts.append(plural(len(model.removed), "declaration") + " removed")
    if model.changed:
        parts.append(plural(len(model.changed), "attribute") + " changed")
    return parts
