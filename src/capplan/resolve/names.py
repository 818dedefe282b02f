"""Pass 1: collect every const and declaration name; E202 for a name given twice."""

from __future__ import annotations

from capplan.diagnostics import Related, Span, error
from capplan.diagnostics.codes import Code
from capplan.resolve.context import Context, DeclSite
from capplan.resolve.values import ConstDef
from capplan.syntax import ast


def collect(ctx: Context) -> None:
    """Fill `ctx.consts`, `ctx.decls` and `ctx.ordered`; names are unique model-wide."""
    for item, source in ctx.program.items:
        if isinstance(item, ast.Const):
            span = Span(source, item.name_start, item.name_end)
            if _duplicate(ctx, item.name, span):
                continue
            ctx.consts[item.name] = ConstDef(item.name, item.value, source, span)
        elif isinstance(item, ast.Decl):
            site = DeclSite(item, source, item.kind, len(ctx.ordered))
            if item.kind == "plan" and _second_plan(ctx, site):
                continue
            if _duplicate(ctx, item.name, site.name_span()):
                continue
            ctx.decls[item.name] = site
            ctx.ordered.append(site)
            ctx.by_kind.setdefault(site.kind, []).append(site)


def _first_span(ctx: Context, name: str) -> Span | None:
    if name in ctx.consts:
        return ctx.consts[name].name_span
    if name in ctx.decls:
        return ctx.decls[name].name_span()
    return None


def _duplicate(ctx: Context, name: str, span: Span) -> bool:
    first = _first_span(ctx, name)
    if first is None:
        return False
    ctx.diagnostics.add(
        error(
            Code.E202,
            f"`{name}` is declared more than once",
            span,
            related=[Related("first declared here", first)],
            suggestions=("rename one of them: names are unique across all imported files",),
        )
    )
    return True


def _second_plan(ctx: Context, site: DeclSite) -> bool:
    first = next((d for d in ctx.ordered if d.kind == "plan"), None)
    if first is None:
        return False
    ctx.diagnostics.add(
        error(
            Code.E202,
            "a model has one `plan` block",
            site.name_span(),
            related=[Related("the plan is declared here", first.name_span())],
        )
    )
    return True
