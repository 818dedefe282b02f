"""The cost attributes of docs/language.md §14: money, prices, carbon, life, load, rates; E212.

Every money figure of a model is in one currency: each reader records the
currency it read (with where), and `model_currency` reports every figure in a
second currency (E212) once all blocks are built.
"""

from __future__ import annotations

from decimal import Decimal

from capplan.diagnostics import Related, Span, error
from capplan.diagnostics.codes import Code
from capplan.model.decls import Duration, Step
from capplan.model.units import Dim
from capplan.resolve.context import Context, DeclSite, Members
from capplan.resolve.members import value
from capplan.resolve.schedules import Read, schedule
from capplan.source import SourceFile
from capplan.syntax import ast

MONEY_DIMS = (Dim.MONEY, Dim.ENERGY_PRICE, Dim.GPU_HOUR_PRICE)


def _reader(ctx: Context, site: DeclSite, dim: Dim) -> Read:
    """A reader of quantities of `dim` that remembers the currency of money figures."""

    def read(written: ast.Value, source: SourceFile) -> Decimal | None:
        quantity = ctx.reader.quantity(written, source, (dim,))
        if quantity is None:
            return None
        if dim in MONEY_DIMS:
            span = Span(source, written.start, written.end)
            ctx.money.append((site.index, quantity.unit.per, span))
        return quantity.canonical

    return read


def level_schedule(
    ctx: Context, site: DeclSite, found: Members, name: str, dim: Dim
) -> tuple[Step, ...] | None:
    """A price or intensity: a plain level from the plan start, or a schedule of levels."""
    member = found.get(name)
    if member is None:
        return None
    return schedule(ctx, site, member, _reader(ctx, site, dim), ctx.level_day)


def amount(ctx: Context, site: DeclSite, found: Members, name: str, dim: Dim) -> Decimal | None:
    """A plain money figure (`price` of a rack type or a commitment)."""
    written = value(found, name)
    if written is None:
        return None
    return _reader(ctx, site, dim)(written, site.source_for(found, name))


def share(
    ctx: Context, site: DeclSite, found: Members, name: str, what: str, positive: bool
) -> Decimal | None:
    """A percentage up to 100% (`load`, `capital_rate`); above 0 when `positive`."""
    written = value(found, name)
    if written is None:
        return None
    source = site.source_for(found, name)
    quantity = ctx.reader.quantity(written, source, (Dim.RATIO,))
    if quantity is None:
        return None
    if quantity.canonical > 1:
        ctx.reader.out_of_range(written, source, f"{what} of {quantity.text} is over 100%")
        return None
    if positive and quantity.canonical == 0:
        ctx.reader.out_of_range(
            written, source, f"{what} of {quantity.text}", "give a share above 0%"
        )
        return None
    return quantity.canonical


def life(ctx: Context, site: DeclSite, found: Members) -> Duration | None:
    """A rack type's depreciation period: a duration of at least one day."""
    written = value(found, "life")
    if written is None:
        return None
    source = site.source_for(found, "life")
    duration = ctx.reader.duration(written, source)
    if duration is not None and duration.days == 0 and duration.months == 0:
        ctx.reader.out_of_range(written, source, "a life of zero", "give a life such as `60mo`")
        return None
    return duration


def model_currency(ctx: Context) -> str | None:
    """The model's currency: that of its first money figure in declaration order.

    Every figure in another currency is E212 (docs/language.md §14): capplan converts
    nothing, so two currencies cannot be added up.
    """
    if not ctx.money:
        return None
    ordered = sorted(ctx.money, key=lambda item: (item[0], item[2].start))
    _, first, first_span = ordered[0]
    for _, currency, span in ordered[1:]:
        if currency != first:
            ctx.diagnostics.add(
                error(
                    Code.E212,
                    f"a second currency: `{currency}` in a model whose money is in `{first}`",
                    span,
                    detail="every money figure of a model uses one currency; "
                    "capplan converts nothing",
                    related=[Related(f"the model's first money figure, in {first}", first_span)],
                    suggestions=(f"convert this figure to {first}",),
                )
            )
    return first
