"""The fleet's total short GPU-hours of one schedule (LANGUAGE.md section 7).

For every scope (sites, and a rack type if given) that commitments share:
Σ over the days d from its first date to the plan end of
max(0, required(d) − live(d)) × 24, where required(d) adds the levels in force
of all the scope's commitments. Section 7 splits a scope's shortfall between
its commitments in proportion to their levels; their shares add up to the
scope's, so the fleet's total needs no split.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

from capplan.model.decls import Model
from capplan.model.rules import level_at
from capplan.schedule import Schedule

HOURS_PER_DAY = 24

Scope = tuple[tuple[str, ...], str | None]


class Scopes:
    """The commitment scopes of a model: what each requires from day to day, and its lots."""

    def __init__(self, model: Model) -> None:
        self.end = model.end.toordinal()
        commitments = defaultdict(list)
        for commitment in model.commitments.values():
            commitments[commitment.scope].append(commitment)
        self.required: dict[Scope, list[tuple[int, int]]] = {}
        for scope, members in commitments.items():
            days = sorted({step.day for c in members for step in c.gpus})
            self.required[scope] = [
                (day.toordinal(), sum(int(level_at(c.gpus, day)) for c in members)) for day in days
            ]
        self.lots: dict[Scope, tuple[str, ...]] = {
            scope: tuple(
                lot.name
                for lot in model.lots.values()
                if lot.site in scope[0] and scope[1] in (None, lot.rack_type)
            )
            for scope in self.required
        }

    def short_gpu_hours(self, schedule: Schedule) -> int:
        return HOURS_PER_DAY * sum(self._short_gpu_days(scope, schedule) for scope in self.required)

    def _short_gpu_days(self, scope: Scope, schedule: Schedule) -> int:
        """∫ max(0, required − live) over the scope's days, one merge walk over both steps."""
        changes: dict[int, int] = defaultdict(int)
        for name in self.lots[scope]:
            outcome = schedule.lots[name]
            for part in outcome.parts:
                changes[part.day.toordinal()] += part.racks * outcome.gpus_per_rack
        required = self.required[scope]
        first = required[0][0]
        events = sorted({first, self.end + 1, *(d for d, _ in required), *changes})
        live = sum(gpus for day, gpus in changes.items() if day < first)
        need, index, total = 0, 0, 0
        for day, following in pairwise(e for e in events if first <= e <= self.end + 1):
            while index < len(required) and required[index][0] <= day:
                need = required[index][1]
                index += 1
            live += changes.get(day, 0)
            total += max(0, need - live) * (following - day)
        return total
