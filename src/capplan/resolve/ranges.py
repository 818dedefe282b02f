"""Slip attributes: a range of durations (docs/language.md §15), read as a `Slip` in days.

`LOW .. HIGH` is uniform, `LOW .. MODE .. HIGH` triangular; a plain duration is
a fixed slip (both bounds equal). Inside a range `mo` is 30.4375 days, so a
bound may be a fraction of a day: draws are rounded to whole days when sampled.
Only the slip attributes read a range; anywhere else a range is E205.
"""

from __future__ import annotations

from decimal import Decimal

from capplan.diagnostics import Span
from capplan.model.decls import Slip
from capplan.model.units import RANGE_MONTH_DAYS, Dim
from capplan.resolve.context import Context, DeclSite, Members
from capplan.resolve.members import value
from capplan.source import SourceFile
from capplan.syntax import ast

MAX_SLIP_DAYS = Decimal(3652)  # ten years: far beyond any delivery slip, and every date stays valid


def slip_attr(ctx: Context, site: DeclSite, found: Members, name: str) -> Slip | None:
    """The slip attribute `name` of a block, if given and valid (E205, E206 otherwise)."""
    written = value(found, name)
    if written is None:
        return None
    return read_slip(ctx, written, site.source_for(found, name))


def read_slip(ctx: Context, written: ast.Value, source: SourceFile) -> Slip | None:
    found = ctx.reader.deref(written, source)
    if found is None:
        return None
    value_, value_source = found
    bounds = value_.bounds if isinstance(value_, ast.Range) else (value_,)
    days = [_days(ctx, bound, value_source) for bound in bounds]
    if any(d is None for d in days):
        return None
    low, *rest = [d for d in days if d is not None]
    high = rest[-1] if rest else low
    mode = rest[0] if len(rest) == 2 else None
    span = Span(source, written.start, written.end)
    if not low <= (mode if mode is not None else low) <= high:
        order = "LOW ≤ MODE ≤ HIGH" if mode is not None else "LOW ≤ HIGH"
        ctx.reader.out_of_range(
            value_,
            value_source,
            f"a range's bounds must satisfy {order}",
            "write the smallest delay first, e.g. `0d .. 2w .. 10w`",
        )
        return None
    if high > MAX_SLIP_DAYS:
        ctx.reader.out_of_range(
            value_, value_source, "a slip is at most ten years (3652 days)", "shorten the range"
        )
        return None
    return Slip(low=low, mode=mode, high=high, span=span)


def _days(ctx: Context, bound: ast.Value, source: SourceFile) -> Decimal | None:
    """A bound in days: `d` and `w` as usual, `mo` as 30.4375 days."""
    quantity = ctx.reader.quantity(bound, source, (Dim.DURATION,))
    if quantity is None:
        return None
    if quantity.unit.period == "mo":
        return quantity.canonical * RANGE_MONTH_DAYS
    return quantity.canonical
