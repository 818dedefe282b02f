"""Checks on the model alone, before any scheduling: W404 dates outside the horizon."""

from __future__ import annotations

from collections.abc import Iterator

from capplan.diagnostics import Diagnostic, Span, warning
from capplan.diagnostics.codes import Code
from capplan.model.decls import Model


def check_horizon(model: Model) -> Iterator[Diagnostic]:
    """W404: a written date the plan never looks at (before its start or after its end).

    An `order` date before the start is the normal case (racks and optics are ordered
    months ahead), so it is not reported; an `order` after the end still is.
    """
    orders = _order_spans(model)
    for day, span in model.written_dates:
        if model.start <= day <= model.end:
            continue
        if day < model.start and any(_inside(span, order) for order in orders):
            continue
        side = "before the plan starts" if day < model.start else "after the plan ends"
        edge = model.start if day < model.start else model.end
        yield warning(
            Code.W404,
            f"{day} lies {side} ({edge})",
            span,
            detail=f"the plan horizon is {model.start} to {model.end}; "
            "nothing outside it is scheduled or checked",
            suggestions=("move the date into the horizon, or widen `plan { start end }`",),
        )


def _order_spans(model: Model) -> list[Span]:
    """Where each `order = DATE` of a lot or link is written."""
    decls = [*model.lots.values(), *model.links.values()]
    return [d.attr_spans["order"] for d in decls if "order" in d.attr_spans]


def _inside(span: Span, member: Span) -> bool:
    return span.source is member.source and member.start <= span.start and span.end <= member.end
