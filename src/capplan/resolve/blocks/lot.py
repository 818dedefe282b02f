"""`lot`: racks of one type from a supplier to a site or hall, in tranches."""

from __future__ import annotations

from datetime import date

from capplan.diagnostics import Related, Span, error
from capplan.diagnostics.codes import Code
from capplan.model.decls import Lot, RackType, Supplier, Tranche
from capplan.resolve.context import Context, DeclSite, Members
from capplan.resolve.members import common, members, missing, value
from capplan.resolve.ranges import slip_attr
from capplan.resolve.references import ref, ref_attr
from capplan.resolve.schedules import after_lead_time, counter, date_attr, later, schedule
from capplan.syntax import ast


def build_lot(ctx: Context, site: DeclSite) -> Lot | None:
    found = members(ctx, site, "lot")
    fields = common(ctx, site, found)
    supplier = ref_attr(ctx, site, found, "supplier", ("supplier",))
    via = ref_attr(ctx, site, found, "via", ("supplier",))
    rack_type = ref_attr(ctx, site, found, "rack_type", ("rack_type",))
    to = value(found, "to")
    target = (
        ref(ctx, site, to, ("site",), allow_hall=True, source=site.source_for(found, "to"))
        if to is not None
        else None
    )
    written = value(found, "priority")
    source = site.source_for(found, "priority")
    priority = (ctx.reader.count(written, source, "priority") or 0) if written else 0
    racks = _lot_size(ctx, site, found, rack_type)
    order = date_attr(ctx, site, found, "order")
    slip = slip_attr(ctx, site, found, "slip")
    tranches = _tranches(ctx, site, found, racks, supplier, order)
    rack = ctx.get(rack_type, RackType)
    if tranches is not None and rack is not None and not _installable(ctx, rack, tranches[0]):
        return None
    if (
        supplier is None
        or rack_type is None
        or target is None
        or racks is None
        or tranches is None
        or ("via" in found and via is None)
        or ("slip" in found and slip is None)
    ):
        return None
    return Lot(
        **fields,
        supplier=supplier,
        via=via,
        rack_type=rack_type,
        racks=racks,
        site=target[0],
        hall=target[1],
        tranches=tranches[0],
        order=order,
        priority=priority,
        arrival_from_order=tranches[1],
        slip=slip,
        index=site.index,
    )


def _installable(ctx: Context, rack: RackType, tranches: tuple[Tranche, ...]) -> bool:
    """Every tranche's racks are installed by 9999-12-31 (E206 otherwise)."""
    ok = True
    for tranche in tranches:
        at = tranche.span or rack.attr_span("install")
        ok = (
            later(ctx, rack.install, tranche.day, at, f"installing `{rack.name}` racks") is not None
            and ok
        )
    return ok


def _lot_size(ctx: Context, site: DeclSite, found: Members, rack_type: str | None) -> int | None:
    """`racks`, or `gpus` as a whole number of racks of the lot's type (E209)."""
    racks = value(found, "racks")
    gpus = value(found, "gpus")
    racks_in, source = site.source_for(found, "racks"), site.source_for(found, "gpus")
    if racks is not None and gpus is not None:
        ctx.diagnostics.add(
            error(
                Code.E207,
                "a lot gives `racks` or `gpus`, not both",
                Span(source, gpus.start, gpus.end),
                related=[Related("racks given here", Span(racks_in, racks.start, racks.end))],
                suggestions=("keep one of them",),
            )
        )
        return None
    if racks is not None:
        return ctx.reader.count(racks, racks_in, "racks", minimum=1)
    if gpus is None:
        missing(ctx, site, "lot", "racks", "a lot gives `racks` or `gpus`")
        return None
    count = ctx.reader.count(gpus, source, "GPUs", minimum=1)
    rack = ctx.get(rack_type, RackType)
    if count is None or rack is None:
        return None
    whole, rest = divmod(count, rack.gpus)
    if rest:
        ctx.diagnostics.add(
            error(
                Code.E209,
                f"{count} GPUs is not a whole number of `{rack.name}` racks ({rack.gpus} GPUs each)",
                Span(source, gpus.start, gpus.end),
                related=[
                    Related(f"`{rack.name}` has {rack.gpus} GPUs per rack", rack.attr_span("gpus"))
                ],
                suggestions=[
                    f"use {whole * rack.gpus} or {(whole + 1) * rack.gpus} GPUs"
                    if whole
                    else f"use {rack.gpus} GPUs (one rack)"
                ],
            )
        )
        return None
    return whole


def _tranches(
    ctx: Context,
    site: DeclSite,
    found: Members,
    racks: int | None,
    supplier: str | None,
    order: date | None,
) -> tuple[tuple[Tranche, ...], bool] | None:
    """The deliveries, and whether they were derived as order + lead time (E201, E210)."""
    arrive = found.get("arrive")
    source = site.source_of(arrive)
    if arrive is None:
        if order is None:
            missing(
                ctx,
                site,
                "lot",
                "arrive",
                "a lot needs `arrive`, or `order` and a supplier lead time",
            )
            return None
        lead = ctx.get(supplier, Supplier)
        if lead is None:
            return None
        if lead.lead_time is None:
            ctx.diagnostics.add(
                error(
                    Code.E201,
                    f"lot `{site.node.name}` has no `arrive` and supplier `{lead.name}` has no `lead_time`",
                    site.name_span(),
                    related=[Related(f"supplier `{lead.name}` is declared here", lead.name_span)],
                    suggestions=(
                        "give the lot `arrive = <date>`",
                        f"give `{lead.name}` a `lead_time`",
                    ),
                )
            )
            return None
        span = Span(site.source_for(found, "order"), found["order"].start, found["order"].end)
        day = after_lead_time(ctx, lead.lead_time, order, span, "the arrival")
        if racks is None or day is None:
            return None
        return (Tranche(day=day, racks=racks, span=span),), True
    if isinstance(arrive, ast.Attribute):
        arrival = date_attr(ctx, site, found, "arrive")
        if arrival is None or racks is None:
            return None
        return (
            Tranche(day=arrival, racks=racks, span=Span(source, arrive.start, arrive.end)),
        ), False
    steps = schedule(ctx, site, arrive, counter(ctx, "racks", minimum=1), ctx.level_day)
    if steps is None or racks is None:
        return None
    total = sum(int(s.value) for s in steps)
    if total != racks:
        arithmetic = " + ".join(str(int(s.value)) for s in steps)
        ctx.diagnostics.add(
            error(
                Code.E210,
                f"tranches add up to {total} racks, the lot has {racks}",
                Span(source, arrive.start, arrive.end),
                detail=f"{arithmetic} = {total}",
                suggestions=(f"make the tranches add up to {racks}, or set racks = {total}",),
            )
        )
        return None
    return tuple(Tranche(day=s.day, racks=int(s.value), span=s.span) for s in steps), False
