"""Short GPU-hours and revenue at risk of each commitment (docs/language.md §14).

The commitments of one scope (sites and rack type) share it: on each day the
shortfall is max(0, required − live), required being the sum of their levels
(§4), and each commitment carries the share of it its level is of required.
Required and live are step functions, so the sum runs over the pieces between
their changes, not over days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from capplan.cost.figures import HOURS, Amount, valued
from capplan.cost.steps import Day, Deltas, levels, pieces
from capplan.energize import BatchResult
from capplan.model.decls import Commitment, Model


@dataclass(frozen=True)
class CommitmentCost:
    commitment: str
    short_gpu_hours: Fraction
    revenue_at_risk: Amount  # short GPU-hours x price; None without a price


def live_gpus(model: Model, batches: Sequence[BatchResult]) -> dict[tuple[str, str], Deltas]:
    """Changes of GPUs live per (site, rack type): a GPU is live from its go-live day."""
    out: dict[tuple[str, str], Deltas] = defaultdict(list)
    for result in batches:
        lot = model.lots[result.batch.lot]
        gpus = result.batch.gpus_per_rack
        out[(lot.site, lot.rack_type)].extend((p.day, p.racks * gpus) for p in result.parts)
    return out


def _due_deltas(commitment: Commitment) -> Deltas:
    """A commitment's levels as changes (a level holds from its date on)."""
    out: Deltas = []
    previous = 0
    for step in commitment.gpus:
        level = int(step.value)
        out.append((step.day.toordinal(), level - previous))
        previous = level
    return out


def short_gpu_hours(
    model: Model, live: dict[tuple[str, str], Deltas], lo: Day, hi: Day
) -> dict[str, Fraction]:
    """Each commitment's share of its scope's missing GPU-hours over the days [lo, hi)."""
    groups: dict[tuple[tuple[str, ...], str | None], list[Commitment]] = defaultdict(list)
    for commitment in model.commitments.values():
        groups[commitment.scope].append(commitment)
    out: dict[str, Fraction] = {}
    for (sites, kind), members in groups.items():
        scope: Deltas = [
            change
            for (site, rack_type), changes in live.items()
            if site in sites and (kind is None or rack_type == kind)
            for change in changes
        ]
        dues = [_due_deltas(c) for c in members]
        cuts = pieces(lo, hi, (d for d, _ in scope), (d for due in dues for d, _ in due))
        live_on = levels(scope, cuts)
        due_on = [levels(due, cuts) for due in dues]
        short = [Fraction(0)] * len(members)
        for j, have in enumerate(live_on):
            required = sum(due[j] for due in due_on)
            missing = required - have
            if missing <= 0:
                continue
            hours = missing * (cuts[j + 1] - cuts[j]) * HOURS
            for i, due in enumerate(due_on):
                short[i] += Fraction(due[j] * hours, required)
        for commitment, share in zip(members, short, strict=True):
            out[commitment.name] = share
    return {name: out[name] for name in model.commitments}


def commitment_costs(short: dict[str, Fraction], model: Model) -> tuple[CommitmentCost, ...]:
    """Revenue at risk: the short GPU-hours at the contract price."""
    return tuple(
        CommitmentCost(
            name,
            hours,
            valued(hours, None if c.price is None else Fraction(c.price)),
        )
        for name, c in model.commitments.items()
        for hours in (short[name],)
    )
