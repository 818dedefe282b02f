"""`commitment`: GPUs due live at a site (or across sites) from each date on."""

from __future__ import annotations

from capplan.diagnostics import Span, error
from capplan.diagnostics.codes import Code
from capplan.model.decls import Commitment
from capplan.model.units import Dim
from capplan.resolve.context import Context, DeclSite
from capplan.resolve.costs import amount
from capplan.resolve.members import common, members, missing, value
from capplan.resolve.references import ref, ref_attr, site_list
from capplan.resolve.schedules import counter, schedule


def build_commitment(ctx: Context, site: DeclSite) -> Commitment | None:
    found = members(ctx, site, "commitment")
    fields = common(ctx, site, found)
    gpus = found.get("gpus")
    steps = schedule(ctx, site, gpus, counter(ctx, "GPUs"), ctx.due_day) if gpus else None
    single = value(found, "site")
    listed = value(found, "sites")
    sites: list[str] = []
    ok = True
    if single is not None and listed is not None:
        ctx.diagnostics.add(
            error(
                Code.E207,
                "a commitment gives `site` or `sites`, not both",
                Span(site.source_for(found, "sites"), listed.start, listed.end),
                suggestions=("keep one of them",),
            )
        )
        ok = False
    elif single is not None:
        target = ref(ctx, site, single, ("site",), source=site.source_for(found, "site"))
        ok = target is not None
        if target:
            sites.append(target[0])
    elif listed is not None:
        ok = site_list(ctx, site, listed, sites, site.source_for(found, "sites"))
    else:
        missing(ctx, site, "commitment", "site", "a commitment names its `site` or `sites`")
        ok = False
    written = value(found, "customer")
    source = site.source_for(found, "customer")
    customer = ctx.reader.string(written, source) if written is not None else None
    rack_type = ref_attr(ctx, site, found, "rack_type", ("rack_type",))
    if "rack_type" in found and rack_type is None:
        ok = False
    price = amount(ctx, site, found, "price", Dim.GPU_HOUR_PRICE)
    if not ok or steps is None:
        return None
    return Commitment(
        **fields,
        gpus=steps,
        sites=tuple(sites),
        customer=customer,
        rack_type=rack_type,
        price=price,
    )
