"""`site` and the `hall`s declared inside it: power envelope, PUE, reserve, positions."""

from __future__ import annotations

from decimal import Decimal

from capplan.diagnostics import Related, Span, error
from capplan.diagnostics.codes import Code
from capplan.model.decls import HALL_COOLINGS, Hall, Site
from capplan.model.units import Dim
from capplan.resolve.context import Context, DeclSite
from capplan.resolve.costs import level_schedule
from capplan.resolve.members import common, members, value, word_attr
from capplan.resolve.ranges import slip_attr
from capplan.resolve.schedules import canonical, date_attr, schedule
from capplan.syntax import ast


def build_site(ctx: Context, site: DeclSite) -> Site | None:
    found = members(ctx, site, "site")
    fields = common(ctx, site, found)
    reader = ctx.reader
    power = found.get("power")
    envelope = (
        schedule(ctx, site, power, canonical(ctx, Dim.POWER), ctx.level_day) if power else None
    )
    pue: Decimal | None = None
    written, source = value(found, "pue"), site.source_for(found, "pue")
    if written is not None:
        pue = reader.number(written, source, "a PUE such as `1.10`")
        if pue is not None and pue < 1:
            reader.out_of_range(written, source, f"PUE {pue} is below 1", "a PUE is at least 1.0")
            pue = None
    reserve: Decimal | None = None
    written, source = value(found, "reserve"), site.source_for(found, "reserve")
    if written is not None:
        quantity = reader.quantity(written, source, (Dim.RATIO,))
        if quantity is not None and quantity.canonical > 1:
            reader.out_of_range(written, source, f"a reserve of {quantity.text} is over 100%")
        elif quantity is not None:
            reserve = quantity.canonical
    price = level_schedule(ctx, site, found, "energy_price", Dim.ENERGY_PRICE)
    carbon = level_schedule(ctx, site, found, "carbon", Dim.CARBON)
    country = word_attr(ctx, site, found, "country")
    region = word_attr(ctx, site, found, "region")
    halls: dict[str, Hall] = {}
    first: dict[str, ast.Decl] = {}  # each hall name's first declaration (E202 after it)
    for member in site.node.members:
        if isinstance(member, ast.Decl):
            if member.name in first:
                _duplicate_hall(ctx, site, member, first[member.name])
                continue
            first[member.name] = member
            hall = _build_hall(ctx, site, member)
            if hall is not None:
                halls[member.name] = hall
    if envelope is None:
        return None
    return Site(
        **fields,
        power=envelope,
        pue=Decimal(1) if pue is None else pue,
        reserve=Decimal(0) if reserve is None else reserve,
        country=country,
        region=region,
        energy_price=price,
        carbon=carbon,
        halls=halls,
        power_slip=slip_attr(ctx, site, found, "power_slip"),
    )


def _duplicate_hall(ctx: Context, parent: DeclSite, node: ast.Decl, first: ast.Decl) -> None:
    ctx.diagnostics.add(
        error(
            Code.E202,
            f"hall `{node.name}` is declared more than once in site `{parent.node.name}`",
            Span(node.source or parent.source, node.name_start, node.name_end),
            related=[
                Related(
                    "first declared here",
                    Span(first.source or parent.source, first.name_start, first.name_end),
                )
            ],
        )
    )


def _build_hall(ctx: Context, parent: DeclSite, node: ast.Decl) -> Hall | None:
    site = DeclSite(node, node.source or parent.source, "hall")
    found = members(ctx, site, "hall")
    fields = common(ctx, site, found)
    positions = value(found, "positions")
    source = site.source_for(found, "positions")
    count = ctx.reader.count(positions, source, "rack positions", 1) if positions else None
    cooling = value(found, "cooling")
    source = site.source_for(found, "cooling")
    mode = ctx.reader.choice(cooling, source, "hall cooling", HALL_COOLINGS) if cooling else None
    member = found.get("power")
    power = (
        schedule(ctx, site, member, canonical(ctx, Dim.POWER), ctx.level_day)
        if member is not None
        else None
    )
    if member is not None and power is None:
        return None
    ready = date_attr(ctx, site, found, "ready") or ctx.level_day  # ready from the start
    if count is None or mode is None:
        return None
    return Hall(
        **fields,
        site=parent.node.name,
        positions=count,
        cooling=mode,
        power=power,
        ready=ready,
        ready_slip=slip_attr(ctx, site, found, "ready_slip"),
    )
