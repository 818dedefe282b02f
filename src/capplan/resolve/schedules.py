"""Values that vary over time: dates, schedules (E208) and the per-unit readers they use."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from capplan.diagnostics import Related, Span, error
from capplan.model.decls import Duration, Step
from capplan.model.units import Dim
from capplan.resolve.context import Context, DeclSite, Members
from capplan.resolve.horizon import PLAN_START
from capplan.resolve.members import value
from capplan.source import SourceFile
from capplan.syntax import ast

Read = Callable[[ast.Value, SourceFile], Decimal | None]


def date_attr(ctx: Context, site: DeclSite, found: Members, name: str) -> date | None:
    """A date attribute; it counts towards the default horizon and W404."""
    written = value(found, name)
    if written is None:
        return None
    day = ctx.reader.date(written, site.source)
    if day is not None:
        ctx.dates.append(day)
        ctx.written.append((day, Span(site.source, written.start, written.end)))
    return day


def schedule(
    ctx: Context,
    site: DeclSite,
    member: ast.Attribute | ast.MapMember,
    read: Read,
    plain_day: date = PLAN_START,
) -> tuple[Step, ...] | None:
    """A plain value (a level from `plain_day`) or a map with date keys (E208)."""
    source = site.source
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
        day = schedule_key(ctx, key, source)
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
                    "E208",
                    f"schedule dates must strictly increase: {day} comes after {previous[0]}",
                    Span(source, key.start, key.end),
                    related=[Related("previous entry", previous[1])],
                    suggestions=("order the entries by date and give each date once",),
                )
            )
            ok = False
            continue
        previous = (day, span)
        ctx.dates.append(day)
        ctx.written.append((day, Span(source, key.start, key.end)))
        steps.append(Step(day=day, value=amount, span=span))
    if not member.entries:
        ctx.diagnostics.add(
            error(
                "E201",
                f"`{member.name}` has no entries",
                Span(source, member.start, member.end),
                suggestions=("add entries such as `2026-03-01: ...`",),
            )
        )
        return None
    return tuple(steps) if ok else None


def schedule_key(ctx: Context, key: ast.Key, source: SourceFile) -> date | None:
    """A date, or the name of a const whose value is a date."""
    if isinstance(key, ast.DateLit):
        return ctx.reader.date_text(key, source)
    if isinstance(key, ast.Ref):
        return ctx.reader.date(key, source)
    ctx.reader.wrong(key, source, "a date as a schedule key, such as `2026-03-01:`")
    return None


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


def after_lead_time(ctx: Context, lead_time: Duration, order: date) -> date:
    """The day an order placed on `order` arrives; a date of the model (the horizon)."""
    day = lead_time.after(order)
    ctx.dates.append(day)
    return day
