"""`link`: full-duplex capacity between two sites or pops, zero before it is ready."""

from __future__ import annotations

from datetime import date

from capplan.diagnostics import Span, error
from capplan.diagnostics.codes import Code
from capplan.model.decls import Link, Supplier
from capplan.model.units import Dim
from capplan.resolve.context import Context, DeclSite
from capplan.resolve.members import common, members, value
from capplan.resolve.ranges import slip_attr
from capplan.resolve.references import ref_attr
from capplan.resolve.schedules import after_lead_time, canonical, date_attr, schedule

ENDPOINTS = ("site", "pop")


def build_link(ctx: Context, site: DeclSite) -> Link | None:
    found = members(ctx, site, "link")
    fields = common(ctx, site, found)
    a = ref_attr(ctx, site, found, "from", ENDPOINTS)
    b = ref_attr(ctx, site, found, "to", ENDPOINTS)
    capacity = found.get("capacity")
    steps = (
        schedule(ctx, site, capacity, canonical(ctx, Dim.BANDWIDTH), ctx.level_day)
        if capacity
        else None
    )
    ready = date_attr(ctx, site, found, "ready")
    order = date_attr(ctx, site, found, "order")
    supplier = ref_attr(ctx, site, found, "supplier", ("supplier",))
    written = value(found, "distance")
    source = site.source_for(found, "distance")
    distance = canonical(ctx, Dim.DISTANCE)(written, source) if written is not None else None
    if ready is None and order is not None:
        at = Span(site.source_for(found, "order"), found["order"].start, found["order"].end)
        ready = _ready_from_order(ctx, site, supplier, order, at)
    if a is not None and a == b:
        ctx.diagnostics.add(
            error(Code.E206, f"link `{site.node.name}` joins `{a}` to itself", site.name_span())
        )
        return None
    if a is None or b is None or steps is None:
        return None
    return Link(
        **fields,
        a=a,
        b=b,
        capacity=steps,
        ready=ready,
        order=order,
        supplier=supplier,
        distance=distance,
        ready_slip=slip_attr(ctx, site, found, "ready_slip"),
    )


def _ready_from_order(
    ctx: Context, site: DeclSite, supplier: str | None, order: date, at: Span
) -> date | None:
    lead = ctx.get(supplier, Supplier)
    if lead is None or lead.lead_time is None:
        ctx.diagnostics.add(
            error(
                Code.E201,
                f"link `{site.node.name}` has `order` but no `ready`, and no supplier lead time is known",
                site.name_span(),
                suggestions=(
                    "give the link `ready = <date>`",
                    "name a `supplier` with a `lead_time`",
                ),
            )
        )
        return None
    return after_lead_time(ctx, lead.lead_time, order, at, "the link's ready day")
