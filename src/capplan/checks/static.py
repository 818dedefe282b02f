"""Checks on the model alone, before any scheduling: W404 dates outside the horizon."""

from __future__ import annotations

from collections.abc import Iterator

from capplan.diagnostics import Diagnostic, warning
from capplan.diagnostics.codes import Code
from capplan.model.decls import Model


def check_horizon(model: Model) -> Iterator[Diagnostic]:
    """W404: a written date the plan never looks at (before its start or after its end)."""
    for day, span in model.written_dates:
        if model.start <= day <= model.end:
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
