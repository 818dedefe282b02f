"""`flow`: traffic between two endpoints, a bandwidth or a per-GPU rate."""

from __future__ import annotations

from decimal import Decimal

from capplan.diagnostics import Span, error
from capplan.diagnostics.codes import Code
from capplan.model.decls import Flow
from capplan.model.units import Dim
from capplan.resolve.blocks.link import ENDPOINTS
from capplan.resolve.context import Context, DeclSite
from capplan.resolve.members import common, members, value
from capplan.resolve.references import ref_attr
from capplan.resolve.schedules import schedule
from capplan.source import SourceFile
from capplan.syntax import ast


def build_flow(ctx: Context, site: DeclSite) -> Flow | None:
    found = members(ctx, site, "flow")
    fields = common(ctx, site, found)
    src = ref_attr(ctx, site, found, "from", ENDPOINTS)
    dst = ref_attr(ctx, site, found, "to", ENDPOINTS)
    dims: list[Dim] = []

    def read(written: ast.Value, src_file: SourceFile) -> Decimal | None:
        quantity = ctx.reader.quantity(written, src_file, (Dim.BANDWIDTH, Dim.PER_GPU))
        if quantity is None:
            return None
        if dims and quantity.dim != dims[0]:
            ctx.reader.wrong(written, src_file, f"{dims[0].value} like the first entry")
            return None
        dims.append(quantity.dim)
        return quantity.canonical

    rate = found.get("rate")
    steps = schedule(ctx, site, rate, read, ctx.level_day) if rate else None
    written = value(found, "protect")
    protect_in = site.source_for(found, "protect")
    protect = bool(ctx.reader.boolean(written, protect_in)) if written is not None else False
    if src is None or dst is None or steps is None:
        return None
    per_gpu = bool(dims) and dims[0] == Dim.PER_GPU
    gpu_site = None
    if per_gpu:
        gpu_site = next((end for end in (src, dst) if ctx.decls[end].kind == "site"), None)
        if gpu_site is None:
            assert rate is not None
            ctx.diagnostics.add(
                error(
                    Code.E205,
                    "a per-GPU rate needs a site at one end of the flow",
                    Span(site.source_of(rate), rate.start, rate.end),
                    detail=f"`{src}` and `{dst}` are both pops, which have no GPUs",
                    suggestions=("give the rate as a bandwidth such as `100 Gbps`",),
                )
            )
            return None
    return Flow(
        **fields, src=src, dst=dst, rate=steps, per_gpu=per_gpu, gpu_site=gpu_site, protect=protect
    )
