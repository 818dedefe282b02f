"""Values that vary over time: dates, schedules (E208) and the per-unit readers they use."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from capplan.diagnostics import Related, Span, error
from capplan.diagnostics.codes import Code
from capplan.model.decls import Duration, Step
from capplan.model.units import Dim
from capplan.resolve.context import Context, DeclSite, Members
from capplan.resolve.horizon import schedule_key
from capplan.resolve.members import value
from capplan.source import SourceFile
from capplan.syntax import ast

Read = Callable[[ast.Value, SourceFile], Decimal | None]


def date_attr(ctx: Context, site: DeclSite, found: Members, name: str) -> date | None:
    """A date attribute (`resolve.horizon` has counted it among the model's dates)."""
    written = value(found, name)
    return None if written is None else ctx.reader.date(written, site.source_for(found, name))


def schedule(
    ctx: Context,
    site: DeclSite,
    member: ast.Attribute | ast.MapMember,
    read: Read,
    plain_day: date,
) -> tuple[Step, ...] | None:
    """A plain value (a level from `plain_day`) or a map with date keys (E208).

    `plain_day` is `ctx.level_day` (the horizon's start) or `ctx.due_day` (its end).
    """
    source = site.source_of(member)
    if isinstance(member, ast.Attribute):
        level = read(member.value, source)
        if level is None:
            return None
        span = Span(source, member.value.start, member.value.end)
        return (Step(day=plain_day, value=level, span=span),)
    steps: list[Step] = []
    ok = True
    previous: tuple[date, Span] | None = None
    for entry in member.entries:
        key = entry.key
        day = schedule_key(ctx.reader, key, source)
        if day is None:
            ok = False
            continue
        amount = read(entry.value, source)
        if amount is None:
            ok = False
            continue
        span = Span(source, key.start, entry.value.end)
        if previous is not None and day <= previous[0]:
            ctx.diagnostics.add(
                error(
                    Code.E208,
                    f"schedule dates must strictly increase: {day} comes after {previous[0]}",
                    Span(source, key.start, key.end),
                    related=[Related("previous entry", previous[1])],
                    suggestions=("order the entries by date and give each date once",),
                )
            )
            ok = False
            continue
        previous = (day, span)
        steps.append(Step(day=day, value=amount, span=span))
    if not member.entries:
        ctx.diagnostics.add(
            error(
                Code.E201,
                f"`{member.name}` has no entries",
                Span(source, member.start, member.end),
                suggestions=("add entries such as `2026-03-01: ...`",),
            )
        )
        return None
    return tuple(steps) if ok else None


def canonical(ctx: Context, *dims: Dim) -> Read:
    """A reader of quantities of `dims`, in their canonical unit."""

    def read(written: ast.Value, source: SourceFile) -> Decimal | None:
        quantity = ctx.reader.quantity(written, source, dims)
        return None if quantity is None else quantity.canonical

    return read


def counter(ctx: Context, what: str, minimum: int = 0) -> Read:
    """A reader of whole counts of `what`, at least `minimum`."""

    def read(written: ast.Value, source: SourceFile) -> Decimal | None:
        count = ctx.reader.count(written, source, what, minimum)
        return None if count is None else Decimal(count)

    return read


def later(ctx: Context, duration: Duration, day: date, at: Span, what: str) -> date | None:
    """`day` + `duration`, or E206 when that is after 9999-12-31 (the calendar's end)."""
    try:
        return duration.after(day)
    except (OverflowError, ValueError):
        ctx.diagnostics.add(
            error(
                Code.E206,
                f"value out of range: {what}, {day} + {duration}, is after {date.max}",
                at,
                detail="dates run from 0001-01-01 to 9999-12-31",
            )
        )
        return None


def after_lead_time(
    ctx: Context, lead_time: Duration, order: date, at: Span, what: str
) -> date | None:
    """The day an order placed on `order` arrives: a date of the model (the default end)."""
    day = later(ctx, lead_time, order, at, what)
    if day is not None:
        ctx.derived.append((day, at))
    return day
