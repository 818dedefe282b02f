"""A block's members against its schema (E200, E201, E205, E207) and the common attributes."""

from __future__ import annotations

from typing import TypedDict

from capplan.diagnostics import Diagnostic, Related, Span, closest, did_you_mean, error
from capplan.diagnostics.codes import Code
from capplan.resolve.context import Context, DeclSite, Members
from capplan.resolve.schema import SCHEMA, AttrSpec
from capplan.source import SourceFile
from capplan.syntax import ast


class Common(TypedDict):
    """The fields every declaration has (`model.decls.Decl`), passed as `**common`."""

    name: str
    span: Span
    name_span: Span
    attr_spans: dict[str, Span]
    description: str | None
    labels: dict[str, str]


def members(ctx: Context, site: DeclSite, kind: str) -> Members:
    """The block's attributes by name, each known, given once and of the right shape."""
    schema = SCHEMA[kind]
    seen: Members = {}
    for member in site.node.members:
        if isinstance(member, ast.Decl):
            if kind != "site":
                ctx.diagnostics.add(
                    misplaced_hall(
                        member,
                        member.source or site.source,
                        f"a `{kind}`",
                        "declare halls inside their `site` block",
                    )
                )
            continue
        spec = schema.get(member.name)
        source = member.source or site.source
        if spec is None:
            span = Span(source, member.name_start, member.name_end)
            ctx.diagnostics.add(unknown_attribute(member.name, span, kind, schema))
            continue
        if member.name in seen:
            first = seen[member.name]
            ctx.diagnostics.add(
                error(
                    Code.E207,
                    f"`{member.name}` is given twice",
                    Span(source, member.name_start, member.name_end),
                    related=[
                        Related(
                            "first given here",
                            Span(site.source_of(first), first.name_start, first.name_end),
                        )
                    ],
                    suggestions=("keep one of them",),
                )
            )
            continue
        if not (spec.map_ok if isinstance(member, ast.MapMember) else spec.value_ok):
            _wrong_shape(ctx, member, source)
            continue
        seen[member.name] = member
    for name, spec in schema.items():
        if spec.required and name not in seen:
            missing(ctx, site, kind, name)
    return seen


def misplaced_hall(member: ast.Decl, source: SourceFile, inside: str, fix: str) -> Diagnostic:
    """E200 for a `hall` block anywhere but in a site (or an override of one)."""
    span = Span(source, member.kind_start, member.name_end)
    return error(
        Code.E200, f"a `hall` cannot be declared inside {inside}", span, suggestions=(fix,)
    )


def unknown_attribute(name: str, span: Span, kind: str, schema: dict[str, AttrSpec]) -> Diagnostic:
    """E200 for an attribute the kind's schema does not have (blocks and overrides)."""
    guess = closest(name, schema)
    listing = ", ".join(f"`{a}`" for a in schema)
    return error(
        Code.E200,
        f"unknown attribute `{name}` for {kind}",
        span,
        detail=f"{kind} accepts {listing}",
        suggestions=did_you_mean(guess),
    )


def _wrong_shape(ctx: Context, member: ast.Attribute | ast.MapMember, source: SourceFile) -> None:
    """E205: a map where the attribute takes one value, or a value where it takes a map."""
    if isinstance(member, ast.MapMember):
        summary = f"`{member.name}` takes a single value, not a map"
        fix = f"write `{member.name} = <value>`"
    else:
        summary = f"`{member.name}` is a map"
        fix = f'write `{member.name} {{ "key": "value" }}`'
    span = Span(source, member.start, member.end)
    ctx.diagnostics.add(error(Code.E205, summary, span, suggestions=(fix,)))


def missing(ctx: Context, site: DeclSite, kind: str, name: str, why: str = "") -> None:
    """E201: a required attribute (or one of a required pair) is absent."""
    ctx.diagnostics.add(
        error(
            Code.E201,
            f"{kind} `{site.node.name}` is missing `{name}`",
            site.name_span(),
            detail=why,
            suggestions=[f"add `{name} = ...` to the block"],
        )
    )


def common(ctx: Context, site: DeclSite, found: Members) -> Common:
    """Name, spans, `description` and `labels`: what every block has."""
    description = found.get("description")
    labels = found.get("labels")
    source = site.source
    return Common(
        name=site.node.name,
        span=site.span(),
        name_span=site.name_span(),
        attr_spans={name: Span(m.source or source, m.start, m.end) for name, m in found.items()},
        description=(
            ctx.reader.string(description.value, site.source_of(description))
            if isinstance(description, ast.Attribute)
            else None
        ),
        labels=(
            _labels(ctx, labels, site.source_of(labels))
            if isinstance(labels, ast.MapMember)
            else {}
        ),
    )


def _labels(ctx: Context, member: ast.MapMember, source: SourceFile) -> dict[str, str]:
    """Label keys and values; E207 for a key given twice (never last-wins)."""
    out: dict[str, str] = {}
    keys: dict[str, Span] = {}
    for entry in member.entries:
        key = entry.key
        if isinstance(key, ast.String):
            name = ctx.reader.unescape(key, source)
        elif isinstance(key, ast.Ref):
            name = key.dotted
        else:
            ctx.reader.wrong(key, source, 'a label key such as `"team"`')
            continue
        span = Span(source, key.start, key.end)
        if name is not None and name in keys:
            ctx.diagnostics.add(
                error(
                    Code.E207,
                    f"label `{name}` is given twice",
                    span,
                    related=[Related("first given here", keys[name])],
                    suggestions=("keep one of them",),
                )
            )
            continue
        if name is not None:
            keys[name] = span
        value = ctx.reader.word(entry.value, source, 'a label value such as `"gpu"`')
        if name is not None and value is not None:
            out[name] = value
    return out


def value(found: Members, name: str) -> ast.Value | None:
    """The value of a plain (non-map) attribute, if given."""
    member = found.get(name)
    return member.value if isinstance(member, ast.Attribute) else None


def word_attr(ctx: Context, site: DeclSite, found: Members, name: str) -> str | None:
    """A name-or-string attribute such as `country = NO`."""
    written = value(found, name)
    if written is None:
        return None
    return ctx.reader.word(written, site.source_for(found, name), f"a {name} name or string")
