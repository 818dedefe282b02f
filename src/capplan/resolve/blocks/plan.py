"""`plan`: the horizon's explicit start and end, and the `as_of` date."""

from __future__ import annotations

from decimal import Decimal

from capplan.diagnostics import Span, error
from capplan.diagnostics.codes import Code
from capplan.model.decls import Plan
from capplan.resolve.context import Context, DeclSite
from capplan.resolve.costs import share
from capplan.resolve.members import common, members
from capplan.resolve.schedules import date_attr


def build_plan(ctx: Context, site: DeclSite) -> Plan:
    found = members(ctx, site, "plan")
    fields = common(ctx, site, found)
    start = date_attr(ctx, site, found, "start")
    end = date_attr(ctx, site, found, "end")
    as_of = date_attr(ctx, site, found, "as_of")
    if start is not None and end is not None and end < start:
        ctx.diagnostics.add(
            error(
                Code.E206,
                f"the plan ends ({end}) before it starts ({start})",
                Span(site.source_for(found, "end"), found["end"].start, found["end"].end),
            )
        )
        end = None
    rate = share(ctx, site, found, "capital_rate", "a capital rate", positive=False)
    return Plan(**fields, start=start, end=end, as_of=as_of, capital_rate=rate or Decimal(0))
