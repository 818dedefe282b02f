"""Syntax tree -> typed model: names, attributes, units, references, static rules.

Reports E200-E211 (and E102/E103 through the value reader). Works in passes
so that one run finds every problem: collect names (E202), check every
const's literal, build every block (kinds in the order their references
need), then fix the horizon.
"""

from __future__ import annotations

from capplan.diagnostics import Diagnostics
from capplan.load import Program
from capplan.model.decls import (
    Commitment,
    Flow,
    Link,
    Lot,
    Model,
    Plan,
    Pop,
    RackType,
    Site,
    Supplier,
)
from capplan.resolve.blocks import BLOCKS, BUILD_ORDER
from capplan.resolve.context import Context, DeclSite
from capplan.resolve.horizon import fix_sentinels, horizon
from capplan.resolve.names import collect


def build_model(program: Program) -> tuple[Model | None, Diagnostics]:
    """The typed model of a loaded program, with every static diagnostic."""
    ctx = Context(program)
    collect(ctx)
    for const in ctx.consts.values():
        ctx.reader.check_literal(const.value, const.source)
    by_kind: dict[str, list[DeclSite]] = {kind: [] for kind in BUILD_ORDER}
    for site in ctx.ordered:
        by_kind[site.kind].append(site)
    for kind in BUILD_ORDER:
        build = BLOCKS[kind].build
        for site in by_kind[kind]:
            built = build(ctx, site)
            if built is not None:
                ctx.built[site.node.name] = built
    plan = next(iter(ctx.of_kind(Plan).values()), None)
    start, end = horizon(plan, ctx.dates)
    model = Model(
        plan=plan,
        written_dates=tuple(ctx.written),
        start=start,
        end=end,
        as_of=plan.as_of if plan else None,
        suppliers=ctx.of_kind(Supplier),
        rack_types=ctx.of_kind(RackType),
        sites=ctx.of_kind(Site),
        lots=ctx.of_kind(Lot),
        pops=ctx.of_kind(Pop),
        links=ctx.of_kind(Link),
        flows=ctx.of_kind(Flow),
        commitments=ctx.of_kind(Commitment),
    )
    return fix_sentinels(model), ctx.diagnostics
