"""`supplier`: what it supplies, its lead time and its allocation schedule."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from capplan.model.decls import (
    ALLOCATION_PERIODS,
    ALLOCATION_UNITS,
    SUPPLIES,
    AllocationPeriod,
    AllocationUnit,
    Step,
    Supplier,
)
from capplan.model.units import Dim
from capplan.resolve.context import Context, DeclSite
from capplan.resolve.members import common, members, value
from capplan.resolve.ranges import slip_attr
from capplan.resolve.schedules import schedule
from capplan.source import SourceFile
from capplan.syntax import ast


class Allocation(NamedTuple):
    steps: tuple[Step, ...] = ()
    unit: AllocationUnit = "racks"
    period: AllocationPeriod = "mo"


def build_supplier(ctx: Context, site: DeclSite) -> Supplier:
    found = members(ctx, site, "supplier")
    fields = common(ctx, site, found)
    supplies = value(found, "supplies")
    lead_time = value(found, "lead_time")
    member = found.get("allocation")
    allocation = _allocation(ctx, site, member) if member is not None else None
    allocation = allocation or Allocation()
    return Supplier(
        **fields,
        supplies=ctx.reader.choice(
            supplies, site.source_for(found, "supplies"), "supplies", SUPPLIES
        )
        if supplies is not None
        else None,
        lead_time=ctx.reader.duration(lead_time, site.source_for(found, "lead_time"))
        if lead_time is not None
        else None,
        allocation=allocation.steps,
        allocation_unit=allocation.unit,
        allocation_period=allocation.period,
        slip=slip_attr(ctx, site, found, "slip"),
    )


def _allocation(
    ctx: Context, site: DeclSite, member: ast.Attribute | ast.MapMember
) -> Allocation | None:
    """The allocation schedule, every entry in the first entry's unit (racks/mo, gpus/w...)."""
    units: list[tuple[str, str, ast.Value]] = []

    def read(written: ast.Value, source: SourceFile) -> Decimal | None:
        quantity = ctx.reader.quantity(written, source, (Dim.SUPPLY_RATE,))
        if quantity is None:
            return None
        units.append((quantity.unit.per, quantity.unit.period, written))
        return quantity.canonical

    steps = schedule(ctx, site, member, read, ctx.level_day)
    if steps is None or not units:
        return None
    per, period, _ = units[0]
    for other_per, other_period, written in units[1:]:
        if (other_per, other_period) != (per, period):
            ctx.reader.wrong(
                written,
                site.source_of(member),
                f"an allocation in {per}/{period} like the first entry",
            )
            return None
    unit = next(u for u in ALLOCATION_UNITS if u == per)
    every = next(p for p in ALLOCATION_PERIODS if p == period)
    return Allocation(steps, unit, every)
