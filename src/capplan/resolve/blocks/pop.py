"""`pop`: a network endpoint that is not a site."""

from __future__ import annotations

from capplan.model.decls import Pop
from capplan.resolve.context import Context, DeclSite
from capplan.resolve.members import common, members, word_attr


def build_pop(ctx: Context, site: DeclSite) -> Pop:
    found = members(ctx, site, "pop")
    return Pop(
        **common(ctx, site, found),
        country=word_attr(ctx, site, found, "country"),
        region=word_attr(ctx, site, found, "region"),
    )
