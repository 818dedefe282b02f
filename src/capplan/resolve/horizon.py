"""The plan horizon (docs/language.md §13), known before the values that depend on it.

`plan.start`/`plan.end` when given; otherwise the start is the earliest date
written in the model and the end the latest date (derived `order` + lead time
dates included) plus 365 days. Plain (dateless) levels hold from the start and
a plain commitment is due at the end, so the builders read `ctx.start` and
`ctx.end`: nothing is patched afterwards, and no date doubles as a marker.
A model with no date at all has no horizon (E201), never the clock's.
"""

from __future__ import annotations

from datetime import date, timedelta

from capplan.diagnostics import Diagnostic, Diagnostics, Span, error
from capplan.diagnostics.codes import Code
from capplan.model.decls import Plan
from capplan.resolve.context import Context
from capplan.resolve.schema import SCHEMA
from capplan.resolve.values import ValueReader
from capplan.source import SourceFile
from capplan.syntax import ast

DEFAULT_TAIL = timedelta(days=365)  # the default end: the latest date plus this


def written_dates(ctx: Context) -> list[tuple[date, Span]]:
    """Every date written in a date attribute or as a schedule key, where it is written.

    Read quietly: the block builders read the same values and report what is wrong.
    """
    reader = ValueReader(ctx.consts, Diagnostics())
    out: list[tuple[date, Span]] = []
    for site in ctx.ordered:
        _scan(reader, site.node, site.source, site.kind, out)
    return out


def _scan(
    reader: ValueReader,
    node: ast.Decl,
    source: SourceFile,
    kind: str,
    out: list[tuple[date, Span]],
) -> None:
    schema = SCHEMA[kind]
    home = source
    for member in node.members:
        if isinstance(member, ast.Decl):
            if kind == "site":
                _scan(reader, member, member.source or home, "hall", out)
            continue
        spec = schema.get(member.name)
        if spec is None:
            continue
        source = member.source or home  # a member an override moved here (section 9)
        if isinstance(member, ast.Attribute):
            if spec.date:
                written = member.value
                day = (
                    reader.date_text(written, source)
                    if isinstance(written, ast.DateLit)
                    else reader.date(written, source)
                )
                if day is not None:
                    out.append((day, Span(source, written.start, written.end)))
        elif spec.schedule:
            for entry in member.entries:
                day = schedule_key(reader, entry.key, source)
                if day is not None:
                    out.append((day, Span(source, entry.key.start, entry.key.end)))


def schedule_key(reader: ValueReader, key: ast.Key, source: SourceFile) -> date | None:
    """A date, or the name of a const whose value is a date."""
    if isinstance(key, ast.DateLit):
        return reader.date_text(key, source)
    if isinstance(key, ast.Ref):
        return reader.date(key, source)
    reader.wrong(key, source, "a date as a schedule key, such as `2026-03-01:`")
    return None


def horizon_start(ctx: Context, plan: Plan | None) -> date | None:
    """`plan.start`, else the earliest written date; None when the model has no date."""
    if plan is not None and plan.start is not None:
        return plan.start
    return min((day for day, _ in ctx.written), default=None)


def undated(ctx: Context, plan: Plan | None) -> Diagnostic | None:
    """E201 for a model with no date at all, which `plan` reports instead of reading the clock.

    Its plain levels hold from 0001-01-01 (always) and plain commitments are due
    on 9999-12-31: real dates of an unplannable model, never markers.
    """
    if ctx.start is not None:
        return None
    first = next(iter(ctx.ordered), None)
    if plan is not None:
        at: Span | None = plan.name_span
    elif first is not None:
        at = first.name_span()
    else:  # an empty model: the top of the root file
        root = ctx.program.root
        at = Span(root, 0, 0) if root is not None else None
    return error(
        Code.E201,
        "the model has no date, so no plan horizon",
        at,
        detail="the horizon is `plan.start` to `plan.end`, by default the model's "
        "earliest date to its latest date plus 365 days",
        suggestions=("give the plan a `start` (and an `end`)",),
    )


def horizon_end(ctx: Context, plan: Plan | None) -> date | None:
    """`plan.end`, else the latest date (written or derived) plus 365 days (E206 past 9999)."""
    if plan is not None and plan.end is not None:
        return plan.end
    if ctx.start is None:
        return None
    latest, span = max([*ctx.written, *ctx.derived], key=lambda d: d[0])
    if date.max - latest < DEFAULT_TAIL:
        ctx.diagnostics.add(
            error(
                Code.E206,
                f"value out of range: the default plan end, {latest} + 365 days, is after {date.max}",
                span,
                detail="without `plan.end` the plan ends 365 days after the model's latest date",
                suggestions=("give the plan an `end` on or before 9999-12-31",),
            )
        )
        return None
    return latest + DEFAULT_TAIL
