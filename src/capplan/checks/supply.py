"""Supply checks: lead times (E401, E403) and supplier allocations (E402)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta

from capplan.diagnostics import Diagnostic, Related, error
from capplan.diagnostics.codes import Code
from capplan.model.decls import Duration, Lot, Model, Supplier
from capplan.model.rules import level_at, step_at


def check_supply(model: Model) -> Iterator[Diagnostic]:
    yield from check_lot_lead_times(model)
    yield from check_link_lead_times(model)
    yield from check_allocations(model)


def _earliest(lead_time: Duration, order: date) -> date | None:
    """order + lead time; None when that is after 9999-12-31 (every date is then too early)."""
    try:
        return lead_time.after(order)
    except (OverflowError, ValueError):
        return None


def _shown(earliest: date | None) -> str:
    return str(earliest) if earliest is not None else f"after {date.max}"


def check_lot_lead_times(model: Model) -> Iterator[Diagnostic]:
    """E401: a lot scheduled to arrive before it could, given when it was ordered."""
    for lot in model.lots.values():
        supplier = model.suppliers[lot.supplier]
        if lot.order is None or lot.arrival_from_order or supplier.lead_time is None:
            continue
        earliest = _earliest(supplier.lead_time, lot.order)
        early = [t for t in lot.tranches if earliest is None or t.day < earliest]
        if not early:
            continue
        first = early[0]
        racks = sum(t.racks for t in early)
        how_early = f"up to {(earliest - first.day).days} days" if earliest else "years"
        yield error(
            Code.E401,
            f"lot `{lot.name}` arrives {first.day}, before order + lead time ({_shown(earliest)})",
            first.span or lot.attr_span("arrive"),
            detail=f"ordered {lot.order} + {supplier.lead_time} from `{supplier.name}` = "
            f"{_shown(earliest)}; {racks} rack{'s' if racks != 1 else ''} in {len(early)} tranche"
            f"{'s' if len(early) != 1 else ''} would arrive {how_early} early",
            related=[
                Related("ordered here", lot.attr_span("order")),
                Related(f"`{supplier.name}` lead time", supplier.attr_span("lead_time")),
            ],
            suggestions=(f"arrive on or after {_shown(earliest)}, or order earlier",),
        )


def check_link_lead_times(model: Model) -> Iterator[Diagnostic]:
    """E403: a link declared ready before its optics could be delivered."""
    for link in model.links.values():
        if link.order is None or link.supplier is None or "ready" not in link.attr_spans:
            continue
        supplier = model.suppliers[link.supplier]
        if supplier.lead_time is None or link.ready is None:
            continue
        earliest = _earliest(supplier.lead_time, link.order)
        if earliest is not None and link.ready >= earliest:
            continue
        shown = _shown(earliest)
        yield error(
            Code.E403,
            f"link `{link.name}` is ready {link.ready}, before order + lead time ({shown})",
            link.attr_span("ready"),
            detail=f"ordered {link.order} + {supplier.lead_time} from `{supplier.name}` = {shown}",
            related=[
                Related("ordered here", link.attr_span("order")),
                Related(f"`{supplier.name}` lead time", supplier.attr_span("lead_time")),
            ],
            suggestions=(f"set ready = {shown} or later, or order earlier",),
        )


def period_start(day: date, period: str) -> date:
    """First day of the calendar month, or the Monday of the ISO week."""
    if period == "mo":
        return day.replace(day=1)
    return day - timedelta(days=day.weekday())


def period_label(start: date, period: str) -> str:
    if period == "mo":
        return start.strftime("%Y-%m")
    year, week, _ = start.isocalendar()
    return f"{year}-W{week:02d}"


def check_allocations(model: Model) -> Iterator[Diagnostic]:
    """E402: one per supplier and period in which deliveries exceed the allocation."""
    lots_by_supplier: dict[str, list[Lot]] = defaultdict(list)
    for lot in model.lots.values():
        lots_by_supplier[lot.supplier].append(lot)
        if lot.via is not None and lot.via != lot.supplier:
            lots_by_supplier[lot.via].append(lot)
    for supplier in model.suppliers.values():
        if supplier.allocation:
            yield from _supplier_allocation(model, supplier, lots_by_supplier[supplier.name])


def _supplier_allocation(model: Model, supplier: Supplier, lots: list[Lot]) -> Iterator[Diagnostic]:
    period = supplier.allocation_period
    unit = supplier.allocation_unit
    scheduled: dict[date, int] = defaultdict(int)
    contributors: dict[date, dict[str, Lot]] = defaultdict(dict)  # by name, in order
    for lot in lots:
        per_rack = model.rack_types[lot.rack_type].gpus if unit == "gpus" else 1
        for tranche in lot.tranches:
            start = period_start(tranche.day, period)
            scheduled[start] += tranche.racks * per_rack
            contributors[start].setdefault(lot.name, lot)
    for start in sorted(scheduled):
        # The level in force on the period's first day, but never before the plan start:
        # a plain allocation holds from the plan start, so the plan's first (partial)
        # month or week is not held to 0.
        in_force = max(start, model.start)
        allowed = level_at(supplier.allocation, in_force)
        amount = scheduled[start]
        if amount <= allowed:
            continue
        label = period_label(start, period)
        shown = list(contributors[start].values())[:5]
        more = len(contributors[start]) - len(shown)
        related = [
            Related(f"`{lot.name}` delivers in {label}", lot.attr_span("arrive")) for lot in shown
        ]
        if more:
            related.append(Related(f"and {more} more lot{'s' if more != 1 else ''}", None))
        binding = step_at(supplier.allocation, in_force)
        span = binding.span if binding and binding.span else supplier.attr_span("allocation")
        yield error(
            Code.E402,
            f"`{supplier.name}` allocation exceeded in {label}: {amount} {unit} scheduled, "
            f"{allowed.normalize():f} allowed",
            span,
            detail=f"over by {(amount - allowed).normalize():f} {unit}; the allocation in force on "
            f"{in_force} is {allowed.normalize():f} {unit}/{period}",
            related=related,
            suggestions=("spread the deliveries over more periods, or raise the allocation",),
        )
