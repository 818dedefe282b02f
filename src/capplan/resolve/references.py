"""References to declarations: E203 (unknown), E204 (wrong kind), `site.hall` targets."""

from __future__ import annotations

from collections.abc import Sequence

from capplan.diagnostics import Diagnostic, Related, Span, closest, did_you_mean, error
from capplan.diagnostics.codes import Code
from capplan.model.addr import HallAddr
from capplan.model.decls import Site
from capplan.resolve.context import Context, DeclSite, Members
from capplan.resolve.members import value
from capplan.source import SourceFile
from capplan.syntax import ast


def ref(
    ctx: Context,
    site: DeclSite,
    written: ast.Value,
    kinds: tuple[str, ...],
    allow_hall: bool = False,
    source: SourceFile | None = None,
) -> tuple[str, str | None] | None:
    """Resolve `name` or (with allow_hall) `site.hall`: E203 unknown, E204 wrong kind.

    `source` is the file `written` is in, when not the declaration's (an override).
    """
    expected = " or ".join(kinds)
    found = ctx.reader.reference(written, source or site.source, f"a reference to a {expected}")
    if found is None:
        return None
    reference, source = found
    head = reference.parts[0]
    target = ctx.decls.get(head)
    if target is not None and target.kind in kinds and len(reference.parts) == 1:
        return head, None  # the common case: a plain name of the right kind
    span = Span(source, reference.start, reference.end)
    plain = target is not None and (len(reference.parts) == 1 or allow_hall)
    hall_of = None if plain or "site" not in kinds else _hall_named(ctx, reference, allow_hall)
    if hall_of is not None:
        ctx.diagnostics.add(
            error(
                Code.E204,
                f"`{reference.dotted}` is a hall, expected a {expected}",
                span,
                related=[Related(f"hall `{hall_of[1].name}` is declared here", hall_of[0])],
                suggestions=[f"name its site `{hall_of[2]}`"],
            )
        )
        return None
    if target is None:
        candidates = [n for n, d in ctx.decls.items() if d.kind in kinds]
        guess = closest(head, candidates)
        ctx.diagnostics.add(
            error(
                Code.E203,
                f"unknown {expected} `{head}`",
                Span(source, reference.start, reference.start + len(head)),
                detail=f"no {expected} named `{head}` is declared",
                suggestions=did_you_mean(guess),
            )
        )
        return None
    if target.kind not in kinds:
        ctx.diagnostics.add(
            error(
                Code.E204,
                f"`{head}` is a {target.kind}, expected a {expected}",
                span,
                related=[Related(f"`{head}` is declared here", target.name_span())],
            )
        )
        return None
    if len(reference.parts) == 1:
        return head, None
    if not allow_hall or target.kind != "site" or len(reference.parts) > 2:
        ctx.diagnostics.add(
            error(
                Code.E203,
                f"unknown reference `{reference.dotted}`",
                span,
                detail="only `site.hall` references have a dot"
                if allow_hall
                else f"expected the name of a {expected}",
            )
        )
        return None
    hall = reference.parts[1]
    built = ctx.get(head, Site)
    if built is not None and hall in built.halls:
        return head, hall
    hall_names = [m.name for m in target.node.members if isinstance(m, ast.Decl)]
    if hall not in hall_names:
        ctx.diagnostics.add(no_such_hall(head, hall, hall_names, span, target.name_span()))
    return None  # else the hall itself had errors, already reported


def no_such_hall(
    site: str, hall: str, halls: Sequence[str], span: Span, declared: Span
) -> Diagnostic:
    """E203 for `site.hall` naming a hall the site does not declare (references, overrides)."""
    guess = closest(hall, halls)
    return error(
        Code.E203,
        f"site `{site}` has no hall `{hall}`",
        span,
        related=[Related(f"site `{site}` is declared here", declared)],
        suggestions=did_you_mean(HallAddr(site, guess) if guess else None),
    )


def _hall_named(
    ctx: Context, reference: ast.Ref, allow_hall: bool
) -> tuple[Span, ast.Decl, str] | None:
    """The hall a site reference names instead (`h1` or, where no hall is expected,
    `narvik.h1`): where it is declared, its node and its site."""
    parts = reference.parts
    if len(parts) == 1 and parts[0] not in ctx.decls:
        sites = [d for d in ctx.ordered if d.kind == "site"]
        hall = parts[0]
    elif len(parts) == 2 and not allow_hall and parts[0] in ctx.decls:
        sites = [ctx.decls[parts[0]]]
        hall = parts[1]
    else:
        return None
    for site in sites:
        for member in site.node.members:
            if isinstance(member, ast.Decl) and member.name == hall:
                span = Span(member.source or site.source, member.name_start, member.name_end)
                return span, member, site.node.name
    return None


def ref_attr(
    ctx: Context, site: DeclSite, found: Members, name: str, kinds: tuple[str, ...]
) -> str | None:
    """The declaration an attribute names, if given and valid."""
    written = value(found, name)
    if written is None:
        return None
    target = ref(ctx, site, written, kinds, source=site.source_for(found, name))
    return None if target is None else target[0]


def site_list(
    ctx: Context,
    site: DeclSite,
    written: ast.Value,
    out: list[str],
    source: SourceFile | None = None,
) -> bool:
    """A list of site references, appended to `out` once each; False after an error."""
    found = ctx.reader.deref(written, source or site.source)
    if found is None:
        return False
    written, source = found
    if not isinstance(written, ast.ListVal):
        ctx.reader.wrong(written, source, "a list of sites such as `[narvik, glomfjord]`")
        return False
    ok = bool(written.items)
    if not written.items:
        ctx.reader.out_of_range(written, source, "the list of sites is empty")
    for item in written.items:
        target = ref(ctx, site, item, ("site",), source=source)
        if target is None:
            ok = False
        elif target[0] not in out:
            out.append(target[0])
    return ok
