"""`rack_type`: GPUs, IT power and cooling per rack, and what installing one takes."""

from __future__ import annotations

from decimal import Decimal

from capplan.model.decls import COOLINGS, Duration, RackType
from capplan.model.units import Dim
from capplan.resolve.context import Context, DeclSite
from capplan.resolve.costs import amount, life, share
from capplan.resolve.members import common, members, value
from capplan.resolve.schedules import canonical


def build_rack_type(ctx: Context, site: DeclSite) -> RackType | None:
    found = members(ctx, site, "rack_type")
    fields = common(ctx, site, found)
    reader = ctx.reader
    written, source = value(found, "gpus"), site.source_for(found, "gpus")
    gpus = reader.count(written, source, "GPUs", minimum=1) if written is not None else None
    written, source = value(found, "power"), site.source_for(found, "power")
    power = canonical(ctx, Dim.POWER)(written, source) if written is not None else None
    if written is not None and power is not None and power <= 0:
        reader.out_of_range(written, source, "a rack draws some power")
        power = None
    written, source = value(found, "cooling"), site.source_for(found, "cooling")
    cooling = (
        reader.choice(written, source, "rack cooling", COOLINGS) if written is not None else None
    )
    written, source = value(found, "gpu"), site.source_for(found, "gpu")
    gpu = reader.string(written, source) if written is not None else None
    written, source = value(found, "nodes"), site.source_for(found, "nodes")
    nodes = (reader.count(written, source, "nodes", minimum=1) or 1) if written is not None else 1
    written, source = value(found, "install"), site.source_for(found, "install")
    install = (reader.duration(written, source) or Duration()) if written is not None else None
    written, source = value(found, "fabric"), site.source_for(found, "fabric")
    fabric = canonical(ctx, Dim.BANDWIDTH)(written, source) if written is not None else None
    written, source = value(found, "weight"), site.source_for(found, "weight")
    weight = canonical(ctx, Dim.MASS)(written, source) if written is not None else None
    price = amount(ctx, site, found, "price", Dim.MONEY)
    lifetime = life(ctx, site, found)
    load = share(ctx, site, found, "load", "a load", positive=True)
    if gpus is None or power is None or cooling is None:
        return None
    return RackType(
        **fields,
        gpus=gpus,
        power=power,
        cooling=cooling,
        gpu=gpu,
        nodes=nodes,
        install=install or Duration(),
        fabric=fabric,
        weight=weight,
        price=price,
        life=lifetime or Duration(months=60),
        load=Decimal(1) if load is None else load,
    )
