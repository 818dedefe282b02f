"""The plan horizon: `plan.start`/`plan.end`, else the model's dates (LANGUAGE.md section 3)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from capplan.model.decls import Model, Plan, Site, Step

# Markers for plain values, replaced once the horizon is known.
PLAN_START = date.min
PLAN_END = date.max


def horizon(plan: Plan | None, dates: list[date]) -> tuple[date, date]:
    written = [d for d in dates if d not in (PLAN_START, PLAN_END)]
    start = plan.start if plan and plan.start else (min(written) if written else date.today())
    end = plan.end if plan and plan.end else None
    if end is None:
        latest = max(written) if written else start
        end = max(latest, start) + timedelta(days=365)
    return start, end


def _steps_at(steps: tuple[Step, ...], start: date, end: date) -> tuple[Step, ...]:
    out = []
    for step in steps:
        if step.day == PLAN_START:
            step = step.model_copy(update={"day": start})
        elif step.day == PLAN_END:
            step = step.model_copy(update={"day": end})
        out.append(step)
    return tuple(out)


DeclT = Any


def _fix_steps(decl: DeclT, attribute: str, start: date, end: date) -> DeclT:
    steps = getattr(decl, attribute)
    if not any(s.day in (PLAN_START, PLAN_END) for s in steps):
        return decl
    return decl.model_copy(update={attribute: _steps_at(steps, start, end)})


def _fix_site(site: Site, start: date) -> Site:
    halls = {}
    for name, hall in site.halls.items():
        update: dict[str, Any] = {}
        if hall.ready == PLAN_START:
            update["ready"] = start
        if hall.power is not None:
            update["power"] = _steps_at(hall.power, start, start)
        halls[name] = hall.model_copy(update=update) if update else hall
    return site.model_copy(update={"power": _steps_at(site.power, start, start), "halls": halls})


def fix_sentinels(model: Model) -> Model:
    start, end = model.start, model.end
    return model.model_copy(
        update={
            "sites": {n: _fix_site(s, start) for n, s in model.sites.items()},
            "links": {n: _fix_steps(x, "capacity", start, end) for n, x in model.links.items()},
            "flows": {n: _fix_steps(x, "rate", start, end) for n, x in model.flows.items()},
            "commitments": {
                n: _fix_steps(x, "gpus", start, end) for n, x in model.commitments.items()
            },
            "suppliers": {
                n: _fix_steps(x, "allocation", start, end) for n, x in model.suppliers.items()
            },
        }
    )
