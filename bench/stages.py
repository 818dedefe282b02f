"""Every call the benchmarks make into capplan, in one place.

The runner times these six functions, in this order, in one fresh process per
measurement. When capplan's API changes, fix it here and nowhere else.

A function that raises ImportError or NotImplementedError (the API is not there
yet) is reported as "n/a" by the runner; any other exception as "error".
"""

from __future__ import annotations

import importlib
from pathlib import Path

# Modules imported before the clock starts, so that import time is not charged to
# a stage (process start and imports are measured by the `capplan validate` timing).
CAPPLAN_MODULES: tuple[str, ...] = (
    "capplan.load",
    "capplan.api",
    "capplan.schedule",
    "capplan.checks.power",
    "capplan.checks.commitments",
    "capplan.checks.network",
    "capplan.cost.report",
    "capplan.render",
    "capplan.render.build",
)


def preload() -> dict[str, str]:
    """Import capplan's modules ahead of timing; returns {module: error} for those missing."""
    missing: dict[str, str] = {}
    for name in CAPPLAN_MODULES:
        try:
            importlib.import_module(name)
        except Exception as exc:  # reported per stage later, when the stage runs
            missing[name] = f"{type(exc).__name__}: {exc}"
    return missing


def parse_stage(path: Path) -> object:
    """Read and parse the root ``.cap`` file and its imports into a program."""
    from capplan.load import load_program

    return load_program(path)


def model_stage(parsed: object) -> object:
    """Resolve names, units, consts and references; run the checks that need no schedule.

    Together with ``parse_stage`` this is what ``capplan validate`` does.
    """
    from capplan.api import compile_program
    from capplan.load import Program

    assert isinstance(parsed, Program)
    return compile_program(parsed)


def schedule_stage(model: object) -> object:
    """Go-live schedule (section 4) and the power, supply and commitment checks."""
    from capplan.api import Compilation, plan

    assert isinstance(model, Compilation)
    return plan(model, network=False)


def cost_stage(model: object, schedule: object) -> object:
    """Energy, cost and carbon of the schedule (docs/language.md §14): what `plan` adds to report it."""
    from capplan.api import Planned
    from capplan.cost.report import build_cost_report

    if schedule is None:
        raise NotImplementedError("the model has static errors: nothing was scheduled")
    assert isinstance(schedule, Planned)
    return build_cost_report(schedule.model, schedule.schedule)


def bandwidth_stage(model: object, schedule: object) -> object:
    """Route the flows on every change day, with the single-link-failure check."""
    from capplan.api import Planned
    from capplan.checks.network import analyse, check_network

    if schedule is None:
        raise NotImplementedError("the model has static errors: nothing was scheduled")
    assert isinstance(schedule, Planned)
    analysed = analyse(schedule.model, schedule.schedule)
    return list(check_network(schedule.model, analysed))


def render_stage(model: object, schedule: object, out_dir: Path) -> None:
    """Write every built-in target for the state at the plan end into ``out_dir``."""
    from capplan.api import Planned
    from capplan.render import render_tree
    from capplan.render.build import build_context

    if schedule is None:
        raise NotImplementedError("the model has static errors: nothing was scheduled")
    assert isinstance(schedule, Planned)
    context = build_context(schedule, schedule.model.end)
    outcome = render_tree(context, out_dir)
    if outcome.problems:
        raise RuntimeError("; ".join(str(p) for p in outcome.problems))
