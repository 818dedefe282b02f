"""Syntax tree -> typed model: names, attributes, units, references, static rules.

Reports E200-E211 (and E102/E103 through the value reader). Works in passes
so that one run finds every problem: collect names (E202), check every
const's literal, build the plan and find the horizon's start (the dates as
written), build every block that needs only the start, fix the end (derived
dates are known by then), build the rest.
"""

from __future__ import annotations

from capplan.diagnostics import Diagnostics
from capplan.load import Program
from capplan.model.decls import (
    Commitment,
    Flow,
    Horizon,
    Link,
    Lot,
    Model,
    Plan,
    Pop,
    RackType,
    Site,
    Supplier,
)
from capplan.resolve.blocks import BLOCKS, NEEDS_END, NEEDS_START, PLAN, build_order
from capplan.resolve.context import Context
from capplan.resolve.costs import model_currency
from capplan.resolve.horizon import horizon_end, horizon_start, undated, written_dates
from capplan.resolve.names import collect


def build_model(program: Program) -> tuple[Model | None, Diagnostics]:
    """The typed model of a loaded program, with every static diagnostic.

    A model without a date has no horizon and carries the E201 that `plan`
    reports; one whose default end is past 9999-12-31 is None (E206).
    """
    ctx = Context(program)
    collect(ctx)
    for const in ctx.consts.values():
        ctx.reader.check_literal(const.value, const.source)
    _build_phase(ctx, PLAN)
    plan = next(iter(ctx.of_kind("plan", Plan).values()), None)
    ctx.written = written_dates(ctx)
    ctx.start = horizon_start(ctx, plan)
    _build_phase(ctx, NEEDS_START)
    ctx.end = horizon_end(ctx, plan)
    _build_phase(ctx, NEEDS_END)
    currency = model_currency(ctx)
    no_date = undated(ctx, plan)
    if no_date is None and (ctx.start is None or ctx.end is None):
        return None, ctx.diagnostics
    model = Model(
        plan=plan,
        written_dates=tuple(ctx.written),
        horizon=Horizon(start=ctx.start, end=ctx.end) if ctx.start and ctx.end else None,
        undated=no_date,
        as_of=plan.as_of if plan else None,
        currency=currency,
        suppliers=ctx.of_kind("supplier", Supplier),
        rack_types=ctx.of_kind("rack_type", RackType),
        sites=ctx.of_kind("site", Site),
        lots=ctx.of_kind("lot", Lot),
        pops=ctx.of_kind("pop", Pop),
        links=ctx.of_kind("link", Link),
        flows=ctx.of_kind("flow", Flow),
        commitments=ctx.of_kind("commitment", Commitment),
    )
    return model, ctx.diagnostics


def _build_phase(ctx: Context, phase: int) -> None:
    """Build one phase's blocks, kind by kind in the order their references need."""
    for kind in build_order(phase):
        build = BLOCKS[kind].build
        for site in ctx.by_kind.get(kind, ()):
            built = build(ctx, site)
            if built is not None:
                ctx.built[site.node.name] = built
