"""E400: a commitment not met on one of its dates, with the main cause of the shortfall."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Literal

from capplan.diagnostics import Diagnostic, Related, error
from capplan.diagnostics.codes import Code
from capplan.model.decls import Commitment, Model, Step
from capplan.model.rules import CAUSE_LABELS, CAUSES, Cause, level_at
from capplan.numbers import count
from capplan.schedule import Schedule

Shortfall = Cause | Literal["not_delivered", "not_planned"]
"""What holds GPUs of a commitment back: a wait cause, not yet delivered, or never planned."""

SHORTFALL_LABELS: dict[Shortfall, str] = {cause: CAUSE_LABELS[cause] for cause in CAUSES}
SHORTFALL_LABELS["not_delivered"] = "not delivered by then"
SHORTFALL_LABELS["not_planned"] = "not enough GPUs planned"

HELD_BACK: dict[Shortfall, str] = {
    "install": "still in install",
    "hall_not_ready": "waiting for their hall to be ready",
    "cooling": "waiting for a hall whose cooling accepts them",
    "positions": "waiting for free positions",
    "hall_power": "waiting for hall power",
    "site_power": "waiting for site power",
    "not_delivered": "not delivered by then",
    "not_planned": "not planned in any lot",
}
"""What a count of GPUs is doing, as E400's detail lists it: "6,192 waiting for free positions"."""


def required_on(model: Model, commitment: Commitment, day: date) -> int:
    """The sum of the levels of all commitments of the same scope on `day`."""
    scope = commitment.scope
    return sum(
        int(level_at(other.gpus, day))
        for other in model.commitments.values()
        if other.scope == scope
    )


@dataclass(frozen=True)
class DueDate:
    """One dated entry of a commitment, with what is required and live that day."""

    commitment: Commitment
    step: Step
    required: int
    live: int

    @property
    def met(self) -> bool:
        return self.live >= self.required


def due_dates(model: Model, schedule: Schedule) -> Iterator[DueDate]:
    """Every commitment date in declaration order: the one place required/live are computed."""
    for commitment in model.commitments.values():
        for step in commitment.gpus:
            required = required_on(model, commitment, step.day)
            live = schedule.gpus_live(commitment.sites, step.day, commitment.rack_type)
            yield DueDate(commitment, step, required, live)


def shortfall_causes(
    model: Model, schedule: Schedule, commitment: Commitment, day: date, shortfall: int
) -> dict[Shortfall, int]:
    """GPUs in scope that are not live on `day`, by what holds them back."""
    causes: dict[Shortfall, int] = defaultdict(int)
    for lot in model.lots.values():
        if lot.site not in commitment.sites:
            continue
        if commitment.rack_type is not None and lot.rack_type != commitment.rack_type:
            continue
        for tranche in schedule.lots[lot.name].tranches:
            waiting = tranche.racks - tranche.live_on(day)
            if waiting <= 0:
                continue
            gpus = waiting * tranche.gpus_per_rack
            if tranche.arrival > day:
                causes["not_delivered"] += gpus
                continue
            # Racks of one tranche can wait for different causes on the same day (a
            # first part for site power, the rest for positions): count each wait
            # segment covering `day` with its own racks.
            for wait in tranche.waits:
                if wait.first <= day < wait.last_exclusive and waiting > 0:
                    racks = min(wait.racks, waiting)
                    causes[wait.cause] += racks * tranche.gpus_per_rack
                    waiting -= racks
            if waiting > 0:
                causes["install"] += waiting * tranche.gpus_per_rack
    planned = sum(causes.values())
    if planned < shortfall:
        causes["not_planned"] += shortfall - planned
    return dict(causes)


def main_cause(causes: dict[Shortfall, int]) -> Shortfall:
    """The cause holding back the most GPUs (ties: alphabetical), as E400 names it."""
    return max(sorted(causes), key=causes.__getitem__)


def check_commitments(model: Model, schedule: Schedule) -> Iterator[Diagnostic]:
    for due in due_dates(model, schedule):
        commitment, step, required, live = due.commitment, due.step, due.required, due.live
        if due.met:
            continue
        shortfall = required - live
        causes = shortfall_causes(model, schedule, commitment, step.day, shortfall)
        main = main_cause(causes)
        shared = [
            c
            for c in model.commitments.values()
            if c.scope == commitment.scope and c is not commitment
        ]
        scope = ", ".join(commitment.sites) + (
            f" ({commitment.rack_type} only)" if commitment.rack_type else ""
        )
        detail = [
            f"on {step.day}: required {required:,} GPUs at {scope}, live {live:,}, "
            f"shortfall {shortfall:,}",
            f"GPUs in scope not live on {step.day}: "
            + ", ".join(
                f"{count(gpus)} {HELD_BACK[cause]}"
                for cause, gpus in sorted(causes.items(), key=lambda kv: -kv[1])
            ),
        ]
        if shared:
            detail.append(
                "the requirement adds the commitments of the same scope: "
                + ", ".join(f"`{c.name}` {int(level_at(c.gpus, step.day)):,}" for c in shared)
            )
        who = f" for {commitment.customer}" if commitment.customer else ""
        yield error(
            Code.E400,
            f"commitment `{commitment.name}`{who} not met on {step.day}: "
            f"{live:,} of {required:,} GPUs live, short {shortfall:,} ({SHORTFALL_LABELS[main]})",
            step.span or commitment.name_span,
            detail="\n".join(detail),
            related=[Related(f"`{c.name}` shares this scope", c.name_span) for c in shared],
        )
